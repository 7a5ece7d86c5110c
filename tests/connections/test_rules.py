"""The stage table, the fee table and the programme rules against PLN's published examples, to the rupiah."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from connections import rules, selectors, workflow
from connections.models import Programme, Stage
from tests.factories import ServiceUnitFactory

S = Stage


# --- the stage table ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_stage, to_stage",
    [
        (S.PERMOHONAN, S.SURVEI),
        (S.SURVEI, S.PENETAPAN_BIAYA),
        (S.PENETAPAN_BIAYA, S.PEMBAYARAN),
        (S.PEMBAYARAN, S.SLO_KONTRAK),
        (S.PEMBAYARAN, S.PENETAPAN_BIAYA),
        (S.SLO_KONTRAK, S.PEMASANGAN),
        (S.PEMASANGAN, S.NYALA),
        (S.NYALA, S.SELESAI),
        (S.PERMOHONAN, S.DITOLAK),
        (S.PEMASANGAN, S.DIBATALKAN),
    ],
)
def test_allowed_moves(from_stage, to_stage):
    assert workflow.can_move(from_stage, to_stage)


@pytest.mark.parametrize(
    "from_stage, to_stage",
    [
        (S.PERMOHONAN, S.PEMBAYARAN),  # skipping the survey and the fee
        (S.SURVEI, S.SURVEI),  # done twice
        (S.PEMBAYARAN, S.PEMASANGAN),  # skipping SLO and contract
        (S.PEMBAYARAN, S.DITOLAK),  # paid: cancelled, not rejected
        (S.NYALA, S.DIBATALKAN),  # the power is on
        (S.SELESAI, S.PERMOHONAN),
        (S.DITOLAK, S.SURVEI),
        (S.DIBATALKAN, S.PERMOHONAN),
    ],
)
def test_refused_moves(from_stage, to_stage):
    assert not workflow.can_move(from_stage, to_stage)


def test_waiting_for_the_customer_is_exactly_payment_and_slo():
    waiting = {stage for stage, status in workflow.TICKET_STATUS.items() if status == "waiting_customer"}
    assert waiting == {S.PEMBAYARAN, S.SLO_KONTRAK}


# --- power steps, classes, NIK -----------------------------------------------------------------


@pytest.mark.parametrize(
    "tariff, va, allowed",
    [
        ("R-1/TR", 2200, True),
        ("R-1/TR", 3500, False),
        ("R-2/TR", 3500, True),
        ("R-3/TR", 5500, False),
        ("B-1/TR", 5500, True),
        ("B-2/TR", 4400, False),
        ("R-1M/TR", 900, True),
        ("R-1M/TR", 1300, False),
        ("S-2/TR", 450, True),
        ("I-4/TT", 33000, False),  # high voltage: not an LV application
    ],
)
def test_which_class_may_have_which_power(tariff, va, allowed):
    assert rules.tariff_allows(tariff, va) is allowed


def test_power_steps_and_phases():
    assert rules.is_power_step(5500) and not rules.is_power_step(5000)
    assert rules.phase_of(7700) == "single" and rules.phase_of(6600) == "three"


@pytest.mark.parametrize(
    "nik, valid",
    [
        ("6471054507900003", True),
        ("3174010101900001", True),
        ("647105450790000", False),  # 15 digits
        ("64710545079000AB", False),
        ("0971054507900003", False),  # no province 09
        ("6471053507900003", False),  # day 35
        ("6471050513900003", False),  # month 13
    ],
)
def test_nik(nik, valid):
    assert (rules.nik_problem(nik) is None) is valid


# --- fees: PLN's published examples ------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, fee",
    [
        (450, 900, 421_650),
        (450, 2200, 1_639_750),
        (450, 3500, 2_955_450),
        (900, 1300, 374_800),
        (900, 3500, 2_519_400),
        (2200, 5500, 3_197_700),
    ],
)
def test_power_change_fee_reproduces_the_published_table(db, old, new, fee):
    request = rules.Request(
        kind="power_change", requested_va=new, tariff="R-1/TR", payment_type="prepaid", current_va=old
    )
    rows = list(selectors.schedule_on(date(2025, 11, 17)).rules.all())
    assert rules.fee_from_rules(request, rows)[0] == fee


@pytest.mark.parametrize(
    "va, fee",
    [(450, 421_000), (900, 843_000), (1300, 1_218_000), (2200, 2_062_000), (3500, 3_391_500), (105_000, 81_375_000)],
)
def test_new_connection_fee(db, va, fee):
    request = rules.Request(kind="new_connection", requested_va=va, tariff="R-1/TR", payment_type="prepaid")
    assert rules.fee_from_rules(request, list(selectors.schedule_on(date(2026, 1, 1)).rules.all()))[0] == fee


def test_a_power_decrease_costs_nothing(db):
    request = rules.Request(
        kind="power_change", requested_va=900, tariff="R-1/TR", payment_type="prepaid", current_va=2200
    )
    assert rules.fee_from_rules(request, list(selectors.schedule_on(date(2026, 1, 1)).rules.all()))[0] == 0


# --- programmes --------------------------------------------------------------------------------

WITA = ZoneInfo("Asia/Makassar")


def _request(old, new, **extra):
    values = {
        "kind": "power_change",
        "requested_va": new,
        "tariff": "R-1/TR",
        "payment_type": "prepaid",
        "current_va": old,
        "id_pelanggan": "539900000001",
        "registered_on": date(2020, 1, 1),
    }
    return rules.Request(**{**values, **extra})


@pytest.fixture
def unit_wita(db):
    return ServiceUnitFactory(code="ULP-WITA", time_zone="Asia/Makassar", center_lat=-1.2, center_lng=116.8)


@pytest.mark.parametrize(
    "old, new, normal, half",
    [
        (450, 900, 421_650, 210_825),
        (450, 2200, 1_639_750, 819_875),
        (900, 1300, 374_800, 187_400),
        (2200, 5500, 3_197_700, 1_598_850),
    ],
)
def test_power_hero_halves_the_fee_during_the_programme(unit_wita, old, new, normal, half):
    quote = selectors.quote_for(_request(old, new), unit=unit_wita, at=datetime(2025, 11, 17, 10, tzinfo=WITA))
    assert quote.normal_fee == normal
    assert quote.best.programme.code == "power-hero-2025"
    assert quote.price == half


def test_every_other_programme_says_why_it_does_not_apply(unit_wita):
    quote = selectors.quote_for(_request(900, 2200), unit=unit_wita, at=datetime(2025, 11, 17, 10, tzinfo=WITA))
    reasons = {r.programme.code: r.reasons for r in quote.results if not r.applies}
    assert "Ended on 23-05-2025." in reasons["bangkit-lebih-terang-2025"]
    assert "Not for tariff class R-1/TR." in reasons["ramadhan-berkah-2023"]


@pytest.mark.parametrize(
    "old, new, tariff, reason",
    [
        (5500, 11000, "R-3/TR", "Only up to 7.700 VA."),
        (6600, 7700, "R-3/TR", "Only for customers now at 450–5.500 VA."),
        (2200, 6600, "R-3/TR", "Only for single-phase connections."),
    ],
)
def test_programme_conditions(unit_wita, old, new, tariff, reason):
    quote = selectors.quote_for(
        _request(old, new, tariff=tariff), unit=unit_wita, at=datetime(2025, 11, 17, 10, tzinfo=WITA)
    )
    result = next(r for r in quote.results if r.programme.code == "power-hero-2025")
    assert not result.applies and reason in result.reasons


def test_registered_after_the_cut_off_or_with_unpaid_bills_does_not_qualify(unit_wita, settings):
    late = _request(900, 2200, registered_on=date(2025, 11, 12))
    quote = selectors.quote_for(late, unit=unit_wita, at=datetime(2025, 11, 17, 10, tzinfo=WITA))
    assert quote.best is None and quote.price == 1_218_100
    settings.CONNECTIONS_BILLS_PAID_CHECK = "tests.connections.test_rules.always_unpaid"
    from tests.factories import CustomerFactory

    quote = selectors.quote_for(
        _request(900, 2200),
        unit=unit_wita,
        at=datetime(2025, 11, 17, 10, tzinfo=WITA),
        customer=CustomerFactory(unit=unit_wita),
    )
    result = next(r for r in quote.results if r.programme.code == "power-hero-2025")
    assert "All bills must be paid first." in result.reasons


def always_unpaid(customer) -> bool:
    return False


def test_a_programme_ends_at_midnight_in_the_units_own_zone(db):
    wita = ServiceUnitFactory(code="ULP-BPP", time_zone="Asia/Makassar", center_lat=-1.2, center_lng=116.8)
    wib = ServiceUnitFactory(code="ULP-SMG", time_zone="Asia/Jakarta", center_lat=-6.9, center_lng=110.4)
    # 23 Nov 2025 16:30 UTC = 24 Nov 00:30 WITA (ended) but 23 Nov 23:30 WIB (still running).
    at = datetime(2025, 11, 23, 16, 30, tzinfo=ZoneInfo("UTC"))
    in_wita = selectors.quote_for(_request(900, 2200), unit=wita, at=at)
    in_wib = selectors.quote_for(_request(900, 2200), unit=wib, at=at)
    assert in_wita.best is None and in_wita.price == 1_218_100
    assert in_wib.best.programme.code == "power-hero-2025" and in_wib.price == 609_050
    # And one minute before midnight WITA it still ran there.
    assert (
        selectors.quote_for(_request(900, 2200), unit=wita, at=datetime(2025, 11, 23, 23, 59, tzinfo=WITA)).price
        == 609_050
    )


def test_houses_of_worship_paid_a_flat_price_in_ramadhan_2023(unit_wita):
    new = rules.Request(kind="new_connection", requested_va=2200, tariff="S-2/TR", payment_type="prepaid")
    quote = selectors.quote_for(new, unit=unit_wita, at=datetime(2023, 4, 1, 9, tzinfo=WITA))
    assert quote.normal_fee == 2_062_000 and quote.price == 150_000
    assert quote.best.programme.code == "ramadhan-berkah-2023"
    extension = rules.Request(
        kind="new_connection", requested_va=2200, tariff="S-2/TR", payment_type="prepaid", network_work="extension"
    )
    assert selectors.quote_for(extension, unit=unit_wita, at=datetime(2023, 4, 1, 9, tzinfo=WITA)).price == 2_062_000


def test_a_per_va_programme(unit_wita):
    Programme.objects.create(
        code="per-va",
        name_id="Per VA",
        name_en="Per VA",
        applies_to="power_change",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        discount="per_va_rate",
        discount_value=100,
        once_per_customer=False,
    )
    quote = selectors.quote_for(_request(900, 2200), unit=unit_wita, at=datetime(2026, 1, 10, tzinfo=WITA))
    assert quote.price == 130_000  # 1,300 VA added × Rp 100
