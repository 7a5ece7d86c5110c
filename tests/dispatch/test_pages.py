"""The technician app and the dispatcher board: who may open them, what they ship, how they install."""

import html
import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from dispatch.models import Technician

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def technician(technician_user, ulp):
    return Technician.objects.create(user=technician_user, unit=ulp, skills=["lv"], on_duty=True, state="available")


def test_the_urls_are_named_as_agreed():
    assert reverse("dispatch:tech-home") == "/tech/"
    assert reverse("dispatch:board") == "/dispatch/"


def test_the_technician_app_is_for_technicians_only(technician, dispatcher, operator, outsider, admin_user_sigap):
    # when
    response = logged_in(technician.user).get("/tech/")
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="tech-app"' in body
    assert 'data-on-duty="1"' in body
    assert 'rel="manifest"' in body
    for user in (dispatcher, operator, outsider, admin_user_sigap):
        assert logged_in(user).get("/tech/").status_code == 403


def test_the_technician_app_asks_a_stranger_to_log_in():
    response = Client().get("/tech/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/tech/")


def test_a_technician_without_a_profile_is_told_so(technician_user):
    body = logged_in(technician_user).get("/tech/").content.decode()
    assert 'data-on-duty="0"' in body
    assert "profil teknisi" in body


def test_the_technician_app_has_no_inline_script(technician):
    body = logged_in(technician.user).get("/tech/").content.decode()
    assert "<script>" not in body
    assert body.count("<script") == body.count('<script src="')


def test_the_technician_app_speaks_indonesian_by_default_and_english_on_request(technician):
    client = logged_in(technician.user)
    indonesian = client.get("/tech/").content.decode()
    client.cookies["sigap_language"] = "en"
    english = client.get("/tech/").content.decode()
    assert "Pekerjaan saya" in indonesian and "Dalam perjalanan" in indonesian
    assert "My jobs" in english and "On my way" in english


def test_the_manifest_makes_the_app_installable_from_tech():
    # when (browsers fetch the manifest without cookies)
    response = Client().get(reverse("dispatch:tech-manifest"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/tech/" and manifest["scope"] == "/tech/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        with Image.open(found) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    assert manifest["name"] == "Sigap 123 Teknisi"


def test_the_service_worker_is_served_under_tech_and_lists_the_shell():
    response = Client().get(reverse("dispatch:tech-sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/tech/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/js/dispatch/tech.js" in body and "/static/js/dispatch/queue.js" in body
    assert 'var HOME = "/tech/"' in body


def test_the_board_is_for_dispatchers_supervisors_and_admins(
    dispatcher, supervisor, admin_user_sigap, operator, technician_user, outsider
):
    for user in (dispatcher, supervisor, admin_user_sigap):
        response = logged_in(user).get("/dispatch/")
        assert response.status_code == 200
        assert 'id="board-map"' in response.content.decode()
    for user in (operator, technician_user, outsider):
        assert logged_in(user).get("/dispatch/").status_code == 403
    assert Client().get("/dispatch/").status_code == 302


def test_the_board_ships_leaflet_from_our_own_static_files_and_the_tile_url_setting(dispatcher, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    body = logged_in(dispatcher).get("/dispatch/").content.decode()
    assert '<script src="/static/vendor/leaflet-1.9.4/leaflet.js"' in body
    assert 'data-tile-url="https://tiles.example.test/{z}/{x}/{y}.png"' in body
    assert "unpkg" not in body and "cdn" not in body.lower()
    assert body.count("<script") == body.count('<script src="')


def test_the_board_allows_openstreetmap_tiles_in_the_content_security_policy(dispatcher):
    response = logged_in(dispatcher).get("/dispatch/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "https://*.tile.openstreetmap.org" in policy or "https://tile.openstreetmap.org" in policy


def test_the_board_speaks_indonesian(dispatcher):
    body = logged_in(dispatcher).get("/dispatch/").content.decode()
    assert "Papan dispatch" in body and "Insiden terbuka" in body


def test_staff_home_sends_a_technician_to_the_app_and_a_dispatcher_to_the_board(technician, dispatcher):
    assert logged_in(technician.user).get("/staff/")["Location"] == "/tech/"
    assert logged_in(dispatcher).get("/staff/")["Location"] == "/dispatch/"


def test_the_report_form_knows_which_categories_are_outages_and_where_to_ask():
    from tickets.models import Category

    body = Client().get("/").content.decode()
    assert 'id="nearby-outage"' in body and 'data-url="/api/v1/dispatch/nearby/"' in body
    listed = body.split('data-outage-categories="')[1].split('"')[0].split()
    outages = Category.objects.filter(dispatches=True, is_public=True, active=True)
    expected = {str(pk) for pk in outages.values_list("pk", flat=True)}
    assert expected and set(listed) == expected
    assert '<script src="/static/js/tickets/nearby.js"' in body


def test_the_board_knows_the_centres_of_the_viewers_units(dispatcher, ulp, other_ulp, far_ulp):
    body = logged_in(dispatcher).get("/dispatch/").content.decode()
    centres = json.loads(html.unescape(body.split('data-unit-centres="')[1].split('"')[0]))
    assert centres == {"ULP-TEST-A": [-1.21, 116.87]}
    assert 'data-home-unit="ULP-TEST-A"' in body
