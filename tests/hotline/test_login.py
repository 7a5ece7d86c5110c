import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_staff_log_in_with_the_login_page(client, operator):
    response = client.post("/accounts/login/", {"username": operator.username, "password": "test-password-123"})
    assert response.status_code == 302
    assert client.get("/staff/").status_code in (200, 302)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_account(client, operator):
    # given three wrong passwords
    for _ in range(3):
        client.post("/accounts/login/", {"username": operator.username, "password": "wrong"})
    # when the right password comes next
    response = client.post("/accounts/login/", {"username": operator.username, "password": "test-password-123"})
    # then the account is locked
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_success_before_the_limit_resets_the_count(client, operator):
    for _ in range(2):
        client.post("/accounts/login/", {"username": operator.username, "password": "wrong"})
    ok = client.post("/accounts/login/", {"username": operator.username, "password": "test-password-123"})
    assert ok.status_code == 302
    assert client.session.get("_auth_user_id") == str(operator.pk)


def test_short_and_common_passwords_are_refused(operator):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["pln123", "password123", "1234567890"]:
        with pytest.raises(ValidationError):
            validate_password(weak, operator)
    validate_password("Nyala-Terus-2026!", operator)
