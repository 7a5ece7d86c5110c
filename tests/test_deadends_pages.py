"""Staff pages show the staff menu with only the pages each role may open; the reports draw real charts
with a table behind each one; no doubled "ULP ULP" or "UP3 UP3"; no breadcrumb link to a page that answers 403."""

import re

import pytest
from django.test import Client

from core import roles
from tests.factories import ServiceUnitFactory, TicketFactory, make_staff

pytestmark = pytest.mark.django_db


def logged_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["sigap_language"] = language
    return client


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize(
    "role, page",
    [
        (roles.OPERATOR, "/console/"),
        (roles.BACK_OFFICE, "/backoffice/"),
        (roles.SUPERVISOR, "/reports/"),
        (roles.SUPERVISOR, "/console/kpi/"),
        (roles.ADMIN, "/billing/import/"),
    ],
)
def test_every_staff_menu_link_opens_for_its_role(role, page, ulp):
    # given
    client = logged_in(make_staff(role=role, unit=ulp, username=f"menu-{role}"))
    # when
    html = client.get(page).content.decode()
    links = menu_links(html)
    # then: the staff menu, not the public one, and every link lets this role in
    assert "/lapor/" not in links and links
    for href in links:
        assert client.get(href).status_code == 200, (role, href)


def test_the_back_office_is_not_offered_the_reports_it_may_not_open(ulp):
    # given
    client = logged_in(make_staff(role=roles.BACK_OFFICE, unit=ulp, username="bo-menu"))
    # when
    links = menu_links(client.get("/backoffice/").content.decode())
    # then
    assert "/reports/" not in links and "/billing/import/" not in links
    assert "/backoffice/" in links


def test_admins_and_supervisors_find_the_import_and_compensation_pages_in_the_menu(ulp):
    supervisor = logged_in(make_staff(role=roles.SUPERVISOR, unit=ulp, username="sup-menu"))
    admin = logged_in(make_staff(role=roles.ADMIN, unit=ulp, username="admin-menu"))
    assert "/reports/compensation/" in menu_links(supervisor.get("/reports/").content.decode())
    assert "/billing/import/" in menu_links(admin.get("/reports/").content.decode())


def test_reports_draw_the_four_charts_with_tables_and_labels_not_codes(up3, ulp):
    # given a UP3 supervisor under a UID, and a ticket this month
    uid = ServiceUnitFactory(code="UID-T", name="UID Test", level="UID")
    up3.parent = uid
    up3.save()
    TicketFactory(unit=ulp)
    client = logged_in(make_staff(role=roles.SUPERVISOR, unit=up3, username="chart-sup"))
    # when
    html = client.get("/reports/").content.decode()
    # then
    for key in ("tickets-per-day", "tmp-over-time", "saidi", "saifi", "answer-per-hour"):
        assert f'id="chart-{key}"' in html
    chart = re.search(r'id="chart-tickets-per-day".*?</figure>', html, re.S).group(0)
    assert 'class="chart-bar series-' in chart and "<table>" in chart
    assert "Technical: a crew is dispatched" in chart and ">technical<" not in chart
    assert "ULP ULP" not in html and "UP3 UP3" not in html
    # the UID above the supervisor's UP3 is named, not linked (that report answers 403)
    crumbs = re.search(r'<nav class="breadcrumb" id="breadcrumb">(.*?)</nav>', html, re.S).group(1)
    assert "UID Test" in crumbs
    for href in re.findall(r'href="([^"]+)"', crumbs):
        assert client.get("/reports/" + href.replace("&amp;", "&")).status_code == 200
    assert f"unit={uid.pk}" not in crumbs


def test_report_charts_read_in_indonesian(up3, ulp):
    # given
    TicketFactory(unit=ulp)
    client = logged_in(make_staff(role=roles.SUPERVISOR, unit=up3, username="chart-sup-id"), "id")
    # when
    html = client.get("/reports/").content.decode()
    # then
    assert "Laporan per hari menurut jenis" in html
    assert "Tampilkan angkanya" in html
    svg = re.search(r'id="chart-tickets-per-day".*?</svg>', html, re.S).group(0)
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)  # SVG lengths keep a decimal point


@pytest.mark.parametrize(
    "values, ticks",
    [
        ([1, 5, 3], ["0", "2", "4", "6", "8"]),  # counts: whole ticks, not 1.25, 2.5, 3.75
        ([1, 2, 0], ["0", "1", "2", "3", "4"]),
        ([17, 40, 12], ["0", "10", "20", "30", "40"]),
        ([7.3, 2.1], ["0", "2", "4", "6", "8"]),
        ([0.4, 0.9], ["0", "0.25", "0.5", "0.75", "1"]),
    ],
)
def test_chart_axes_step_in_round_numbers_and_bars_keep_their_scale(values, ticks):
    from reports.charts import HEIGHT, Chart

    chart = Chart(
        key="k", title="t", unit="", categories=[str(i) for i in range(len(values))], series=[("s", values)]
    ).layout()
    assert [tick["label"] for tick in chart.ticks] == ticks
    # the tallest bar reaches the top tick's height in proportion: value / axis maximum
    axis_top, plot_bottom = chart.ticks[-1]["y"], chart.ticks[0]["y"]
    tallest = max(chart.bars, key=lambda bar: bar["h"])
    assert tallest["h"] == pytest.approx((plot_bottom - axis_top) * max(values) / float(ticks[-1]), abs=0.1)
    assert plot_bottom < HEIGHT
