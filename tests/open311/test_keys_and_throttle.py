"""Client keys (issued once, stored as a digest, rotated in the admin) and the per-key throttle."""

import pytest
from django.urls import reverse

from open311 import services
from open311.models import Open311Client

from . import spec

pytestmark = pytest.mark.django_db


def outage_report(key: str, customer) -> dict:
    return {
        "api_key": key,
        "service_code": "GG-PADAM-1",
        "address_id": customer.id_pelanggan,
        "phone": "081234567890",
        "description": "Padam",
    }


def test_only_a_digest_of_the_key_is_stored(city_app):
    # then
    stored = Open311Client.objects.get(pk=city_app.pk)
    assert city_app.key not in {stored.key_digest, stored.key_prefix}
    assert stored.key_prefix == city_app.key[:8]
    assert len(city_app.key) >= 40


def test_a_new_key_replaces_the_old_one(open311, city_app, customer):
    # given
    old_key = city_app.key
    # when
    new_key = services.issue_client_key(client=city_app)
    # then
    assert open311.post("requests", "json", outage_report(old_key, customer)).status_code == 403
    assert open311.post("requests", "json", outage_report(new_key, customer)).status_code == 201


def test_each_key_has_its_own_rate(open311, city_app, customer):
    # given
    city_app.throttle_rate = "2/minute"
    city_app.save()
    other, other_key = services.create_client(name="Partner portal", throttle_rate="100/minute")
    # when
    answers = [open311.post("requests", "json", outage_report(city_app.key, customer)) for _ in range(3)]
    other_answer = open311.post("requests", "json", outage_report(other_key, customer))
    # then
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    spec.check_json(answers[2].body, spec.list_of("error", spec.ERROR))
    assert answers[2].body[0]["code"] == 429
    assert int(answers[2]["Retry-After"]) > 0
    assert other_answer.status_code == 201


def test_a_key_on_a_read_counts_against_that_key(open311, city_app):
    # given
    city_app.throttle_rate = "1/minute"
    city_app.save()
    # when
    first = open311.get("services", "xml", api_key=city_app.key)
    second = open311.get("services", "xml", api_key=city_app.key)
    anonymous = open311.get("services", "xml")
    # then
    assert (first.status_code, second.status_code, anonymous.status_code) == (200, 429, 200)
    spec.check_list(second, "xml", "errors", "error", spec.ERROR)


def test_reads_without_a_key_share_the_anonymous_rate(open311, settings):
    # given
    settings.OPEN311_ANONYMOUS_RATE = "2/minute"
    # when
    codes = [open311.get("services", "json").status_code for _ in range(3)]
    # then
    assert codes == [200, 200, 429]


def test_a_wrong_key_on_a_read_is_refused(open311):
    response = open311.get("requests", "json", api_key="not-a-key")
    assert response.status_code == 403
    assert response.body[0]["code"] == 403


def test_the_throttle_fails_open_when_the_cache_is_down(open311, city_app, customer, settings):
    # given: a cache on a port where nothing listens
    city_app.throttle_rate = "1/minute"
    city_app.save()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # when
    codes = [open311.post("requests", "json", outage_report(city_app.key, customer)).status_code for _ in range(2)]
    # then
    assert codes == [201, 201]


def test_a_bad_rate_is_refused_when_saving_a_client(db):
    # given
    client = Open311Client(name="Broken", throttle_rate="many/ever")
    # when / then
    with pytest.raises(Exception) as info:
        services.issue_client_key(client=client)
    assert "throttle_rate" in str(info.value)


def test_adding_a_client_in_the_admin_shows_its_key_once(admin_client, open311, customer):
    # when
    response = admin_client.post(
        reverse("admin:open311_open311client_add"),
        {"name": "Aplikasi Kota", "contact": "it@kota.example", "active": "on", "throttle_rate": "30/minute"},
        follow=True,
    )
    # then
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    key = message.split(": ", 1)[1].split(" ")[0]
    client = Open311Client.objects.get(name="Aplikasi Kota")
    assert key.startswith(client.key_prefix)
    assert open311.post("requests", "json", outage_report(key, customer)).status_code == 201


def test_the_admin_action_issues_a_new_key(admin_client, city_app):
    # given
    old_digest = city_app.key_digest
    # when
    response = admin_client.post(
        reverse("admin:open311_open311client_changelist"),
        {"action": "issue_new_key", "_selected_action": [city_app.pk]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    city_app.refresh_from_db()
    assert city_app.key_digest != old_digest


def test_the_demo_client_key_works_and_seeding_twice_keeps_one_client(open311, customer):
    # given
    from open311 import demo

    # when
    key = demo.seed()["open311_key"]
    demo.seed()
    # then
    assert Open311Client.objects.filter(name=demo.DEMO_CLIENT_NAME).count() == 1
    assert open311.post("requests", "json", outage_report(key, customer)).status_code == 201
