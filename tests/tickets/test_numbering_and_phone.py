from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from core.phone import normalize_phone, same_phone
from tickets.numbering import luhn_check_digit, new_ticket_number, normalize_ticket_number


@pytest.mark.django_db
def test_ticket_number_carries_the_local_date_and_a_valid_check_digit():
    # given an instant that is already the next day in WITA
    at = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
    # when
    number = new_ticket_number(at, "Asia/Makassar")
    # then
    assert number.startswith("261126-")
    digits = number.replace("-", "")
    assert len(digits) == 13
    assert luhn_check_digit(digits[:12]) == int(digits[12])


@pytest.mark.django_db
def test_ticket_numbers_are_unique_in_sequence():
    at = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    numbers = {new_ticket_number(at, "Asia/Jakarta") for _ in range(50)}
    assert len(numbers) == 50


def test_a_misheard_digit_is_caught_by_the_check_digit():
    body = "261125000123"
    good = body + str(luhn_check_digit(body))
    assert normalize_ticket_number(good) == f"261125-000123-{good[-1]}"
    assert normalize_ticket_number(f"2611 2500 0123 {good[-1]}") == f"261125-000123-{good[-1]}"
    wrong = body[:-1] + str((int(body[-1]) + 1) % 10) + good[-1]
    assert normalize_ticket_number(wrong) is None
    assert normalize_ticket_number("abc") is None


@pytest.mark.parametrize(
    "raw", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "+62 812 3456 7890"]
)
def test_indonesian_mobile_numbers_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+6281234567890"


def test_landline_with_area_code_is_accepted():
    assert normalize_phone("0542 123456") == "+62542123456"


@pytest.mark.parametrize("raw", ["", "12", "abcdef", "0812"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_same_phone_never_raises_on_garbage():
    assert same_phone("+6281234567890", "0812 3456 7890")
    assert not same_phone("+6281234567890", "not a phone")
    assert not same_phone("", "081234567890")


@pytest.mark.django_db
def test_on_postgresql_each_process_draws_its_numbers_in_blocks_of_the_sequence(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import numbering

    if connection.vendor != "postgresql":
        pytest.skip("SQLite numbers tickets with a counter row; the blocks are PostgreSQL's sequence")
    # given: a process that has drawn nothing yet
    at = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    numbering._drawn.clear()
    # when: two blocks and one more number
    with CaptureQueriesContext(connection) as captured:
        first = [new_ticket_number(at, "Asia/Jakarta") for _ in range(2 * numbering.NUMBER_BLOCK + 1)]
    # and another process (a forked worker) numbers a report too
    monkeypatch.setattr(numbering.os, "getpid", lambda: -1)
    other = new_ticket_number(at, "Asia/Jakarta")
    # then: one statement per block, and no number twice
    assert len(captured) == 3
    assert len(set(first + [other])) == len(first) + 1
