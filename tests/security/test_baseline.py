"""Security baseline: production headers and cookies, pages that keep to the CSP, sessions, throttles."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[2]


def production_probe(tmp_path) -> dict:
    """Load the real settings with production variables in a fresh process and report what they do."""
    media = tmp_path / "media"
    (media / "ticket-photos").mkdir(parents=True)
    (media / "ticket-photos" / "probe.jpg").write_bytes(b"\xff\xd8\xff\xe0 not served")
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SIGAP_TESTING", "AXES_ENABLED"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sigap.example.id",
        SQLITE_PATH=str(tmp_path / "probe.sqlite3"),
        MEDIA_ROOT=str(media),
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "security" / "prod_probe.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_send_secure_headers_and_cookies(tmp_path):
    probe = production_probe(tmp_path)
    assert probe["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "AXES_ENABLED": True,
    }
    for page in ("login", "report"):
        answer = probe[page]
        assert answer["status"] == 200, page
        headers = answer["headers"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in headers["Strict-Transport-Security"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        policy = dict((part.strip().split(" ", 1) + [""])[:2] for part in headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'"
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert answer["cookies"]["csrftoken"]["secure"] is True
    # Plain HTTP is sent to HTTPS before anything else happens.
    assert probe["plain_http"]["status"] == 301
    assert probe["plain_http"]["headers"]["Location"].startswith("https://")


def test_uploads_live_outside_the_web_root_and_are_never_served_directly(tmp_path):
    probe = production_probe(tmp_path)
    assert not probe["media_inside_static"] and not probe["static_inside_media"]
    assert not probe["recordings_location"].startswith(probe["static_root"])
    # A file that exists in MEDIA_ROOT is not reachable by its path.
    assert probe["media_photo"]["status"] == 404
    assert probe["media"]["status"] == 404


class ScriptAudit(HTMLParser):
    """Collect what a CSP of script-src 'self' would block: inline scripts, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if attributes.get("src"):
                self.scripts.append(attributes["src"])
            elif kind not in {"application/json", "application/ld+json"}:
                self._in_inline_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def audit(html: str) -> ScriptAudit:
    parser = ScriptAudit()
    parser.feed(html)
    return parser


@pytest.mark.django_db
def test_every_page_keeps_to_the_content_security_policy(
    client, ulp, operator, back_office, supervisor, dispatcher, admin_user_sigap
):
    ticket = TicketFactory(unit=ulp, kind="billing")
    public_pages = [
        "/",
        "/lacak/",
        f"/t/{ticket.tracking_token}/",
        f"/t/{ticket.tracking_token}/notifikasi/",
        "/masukan/",
        "/accounts/login/",
        "/api/docs/",
    ]
    staff_pages = {
        operator: ["/console/"],
        back_office: ["/backoffice/", f"/backoffice/t/{ticket.number}/", "/backoffice/escalations/"],
        supervisor: ["/reports/", "/reports/feedback/", "/console/kpi/", "/console/violations/"],
        admin_user_sigap: ["/admin/", "/admin/tickets/ticket/", f"/admin/tickets/ticket/{ticket.pk}/change/"],
    }
    admin_user_sigap.is_staff = admin_user_sigap.is_superuser = True
    admin_user_sigap.save()
    checked = 0
    for user, pages in [(None, public_pages), *staff_pages.items()]:
        client.logout()
        if user is not None:
            client.force_login(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            assert "script-src 'self'" in response.headers["Content-Security-Policy"], page
            html = response.content.decode()
            found = audit(html)
            assert found.problems == [], (page, found.problems)
            for src in found.scripts:
                assert src.startswith("/") and not src.startswith("//"), (page, src)  # our own origin
            checked += 1
    assert checked == len(public_pages) + sum(len(p) for p in staff_pages.values())


def test_templates_have_no_escape_hatches():
    """``|safe``, ``autoescape off`` and ``mark_safe`` are where stored XSS comes back in."""
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        text = path.read_text()
        if "|safe" in text or "autoescape off" in text or "<script>" in text:
            offenders.append(str(path.relative_to(ROOT)))
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        if "mark_safe(" in path.read_text():
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_the_session_id_changes_at_login_and_is_gone_after_logout(client, operator):
    client.get("/accounts/login/")
    client.session["probe"] = 1
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    response = client.post("/accounts/login/", {"username": operator.username, "password": "test-password-123"})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    client.post("/accounts/logout/")
    assert client.get("/console/").status_code == 302  # back to the login page


@pytest.mark.django_db
def test_changing_a_password_needs_the_current_one(client, operator):
    client.force_login(operator)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "Nyala-Terus-2026!", "new_password2": "Nyala-Terus-2026!"},
    )
    assert response.status_code == 200  # the form again, with an error
    operator.refresh_from_db()
    assert operator.check_password("test-password-123")


@pytest.mark.django_db
def test_tracking_by_token_is_throttled(api_client, ulp, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "5/minute", "public_tracking": "2/minute"}
    )
    guesses = [api_client.get(f"/api/v1/track/{secrets.token_urlsafe(24)}/").status_code for _ in range(3)]
    assert guesses == [404, 404, 429]


@pytest.mark.django_db
def test_a_forged_forwarding_header_does_not_reset_the_throttle(api_client, ulp, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "5/minute", "public_tracking": "2/minute"}
    )
    codes = [
        api_client.post(
            "/api/v1/track/",
            {"number": "261125-000001-7", "phone": "081234567890"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(3)
    ]
    assert codes == [404, 404, 429]
