"""Say only what is true, on every page: each demo role (and the customer without an account) opens every page it
can reach, in English and in Indonesian, and the page

- answers 200;
- links a favicon;
- shows no "None" and no raw choice value (a stored key such as ``customer`` where its label belongs);
- links only to pages that let this role in (no link answers 403 or 404);
- in Indonesian, looks up no text that the catalogs do not translate.

The pages come from the URL configuration: every GET page is started from (with a real object of the demo data
where it takes an argument) or reached by following links; a URL left out says why in ``NOT_PAGES``, and a test
fails when a new URL is neither visited nor listed there.
"""

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.translation import trans_real

pytestmark = pytest.mark.django_db

# URL names that are not pages, with the reason they are not opened here.
NOT_PAGES = {
    "set_language": "POST only (the language switch)",
    "logout": "POST only; logging out would end the crawl",
    "password_change": "Django's own account pages; not linked from any page",
    "password_change_done": "Django's own account pages; not linked from any page",
    "password_reset": "Django's own account pages; not linked from any page",
    "password_reset_done": "Django's own account pages; not linked from any page",
    "password_reset_confirm": "Django's own account pages; needs a one-time token",
    "password_reset_complete": "Django's own account pages; not linked from any page",
    "favicon": "a redirect to the icon among the static files",
    "healthz": "JSON health check for the load balancer",
    "schema": "OpenAPI document (YAML), not a page",
    "api-docs": "Swagger UI, drf-spectacular's own page",
    "hotline:violation-review": "POST only",
    "hotline:letter-decide": "POST only",
    "hotline:recording": "audio download",
    "backoffice:escalation-acknowledge": "POST only",
    "reports:compensation-csv": "CSV download",
    "reports:export-csv": "CSV export (starts a job)",
    "reports:export-xlsx": "XLSX export (starts a job)",
    "reports:job": "an export job exists only after an export is started",
    "reports:job-status": "JSON status of an export job",
    "reports:job-download": "download of an export",
    "billing:import-status": "JSON status of an import",
    "billing:import-job": "an import job exists only after a CIS file is uploaded",
    "billing:ticket-action": "POST only",
    "dispatch:tech-manifest": "web app manifest (JSON)",
    "dispatch:tech-sw": "service worker script",
    "connections:send-document": "POST only",
    "connections:staff-action": "POST only",
    "tickets:track-reply": "POST only",
    "tickets:track-status": "JSON status polled by the tracking page",
}
NOT_PAGE_PREFIXES = ("api/", "open311/", "admin/")  # APIs (JSON), GeoReport (JSON/XML), Django's admin site

# (role name in the report, demo username or None for a customer without an account)
ROLES = [
    ("customer", None),
    ("operator", "operator"),
    ("backoffice", "backoffice"),
    ("dispatcher", "dispatcher"),
    ("supervisor", "supervisor"),
    ("technician", "tech1"),
    ("admin", "admin"),
]
LANGUAGES = ("en", "id")
PAGES_PER_URL_NAME = 3  # a list of 100 tickets is checked on its first three tickets, every link on them still is


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, URL name) of every URL in the configuration."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def page_url_names() -> set[str]:
    return {
        name
        for route, name in url_patterns()
        if name and name not in NOT_PAGES and not route.lstrip("^").startswith(NOT_PAGE_PREFIXES)
    }


def start_pages() -> list[str]:
    """The pages without arguments, and one of each page with an argument, from the demo data."""
    from dispatch.models import FieldJob
    from hotline.models import WarningLetter
    from outages.models import RestorationCheck
    from tickets.models import Ticket

    pages = []
    for route, name in url_patterns():
        if name in page_url_names() and "<" not in route and "(" not in route:
            pages.append("/" + route)
    ticket = Ticket.objects.filter(category__code__startswith="LY").order_by("pk").first()
    outage = Ticket.objects.filter(category__code__startswith="GG").order_by("pk").first()
    for one in (ticket, outage):
        pages += [
            f"/backoffice/t/{one.number}/",
            f"/console/tickets/{one.number}/",
            f"/t/{one.tracking_token}/",
            f"/lapor/selesai/{one.tracking_token}/",
            f"/t/{one.tracking_token}/survei/",
            f"/t/{one.tracking_token}/notifikasi/",
        ]
    pages += [f"/tech/field-jobs/{pk}/" for pk in FieldJob.objects.values_list("pk", flat=True)[:2]]
    pages += [f"/console/letters/{pk}/" for pk in WarningLetter.objects.values_list("pk", flat=True)[:1]]
    checks = RestorationCheck.objects.values_list("ticket__tracking_token", flat=True)[:1]
    pages += [f"/nyala/{token}/" for token in checks]
    return pages


class VisibleText(HTMLParser):
    """The text a reader sees (no scripts, styles or attributes), element by element, and the page's links."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.icons: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "link" and "icon" in (dict(attrs).get("rel") or "").split():
            self.icons.append(dict(attrs).get("href") or "")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def raw_choice_values() -> dict[str, set[str]]:
    """Stored choice key → the English labels it stands for, where key and label differ."""
    keys = defaultdict(set)
    with translation.override("en"):
        for model in _all_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.Field) and field.choices:
                    for key, label in field.flatchoices:
                        if isinstance(key, str) and key and str(label) != key:
                            keys[key].add(str(label))
    return keys


def _all_models():
    from django.apps import apps

    return apps.get_models()


class MissingTranslations:
    """Records every text looked up in Indonesian that no catalog translates."""

    def __init__(self):
        self.missing: set[str] = set()

    def __enter__(self):
        self._gettext = trans_real.DjangoTranslation.gettext
        self._ngettext = trans_real.DjangoTranslation.ngettext
        recorder = self

        def gettext(translation_object, message):
            if translation_object.language() == "id" and message not in translation_object._catalog:
                recorder.missing.add(message.replace("\x04", " | "))
            return recorder._gettext(translation_object, message)

        def ngettext(translation_object, singular, plural, number):
            if translation_object.language() == "id":
                try:
                    translation_object._catalog.plural(singular, number)
                except KeyError:
                    recorder.missing.add(singular.replace("\x04", " | "))
            return recorder._ngettext(translation_object, singular, plural, number)

        trans_real.DjangoTranslation.gettext = gettext
        trans_real.DjangoTranslation.ngettext = ngettext
        return self

    def __exit__(self, *exc):
        trans_real.DjangoTranslation.gettext = self._gettext
        trans_real.DjangoTranslation.ngettext = self._ngettext


def internal_path(base: str, href: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:", "geo:", "sms:", "whatsapp:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("http", "https", "") or (url.netloc and url.netloc != "testserver"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


class Crawl:
    def __init__(self, role: str, client: Client, choices: dict[str, set[str]]):
        self.role, self.client, self.choices = role, client, choices
        self.faults: list[str] = []
        self.visited: set[str] = set()
        self.link_status: dict[str, int] = {}

    def fault(self, language, path, what):
        self.faults.append(f"{self.role} {language} {path}: {what}")

    def status_of(self, path: str) -> int:
        if path not in self.link_status:
            self.link_status[path] = self.client.get(path).status_code
        return self.link_status[path]

    def run(self, pages: list[str]) -> set[str]:
        seen_per_name = defaultdict(int)
        queue, queued = list(pages), set(pages)
        opened_names = set()
        while queue:
            path = queue.pop(0)
            name = url_name(path)
            if name is None or name not in page_url_names() or seen_per_name[name] >= PAGES_PER_URL_NAME:
                continue
            first = self.check(path, "en")
            if first is None:
                continue
            seen_per_name[name] += 1
            opened_names.add(name)
            self.check(path, "id")
            for link in first:
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
        return opened_names

    def check(self, path: str, language: str) -> list[str] | None:
        """Check one page in one language; its internal links, or None when this role may not open it."""
        self.client.cookies["sigap_language"] = language
        with MissingTranslations() as catalog:
            response = self.client.get(path)
        if response.status_code in (302, 403, 404, 405):
            return None  # a start page this role may not open; links to it are checked where they are offered
        if response.status_code != 200:
            self.fault(language, path, f"answers {response.status_code}")
            return None
        if "text/html" not in response.get("Content-Type", ""):
            return None
        parser = VisibleText()
        parser.feed(response.content.decode())
        text = " ".join(parser.texts)
        if not parser.icons:
            self.fault(language, path, "links no favicon")
        if re.search(r"\bNone\b", text):
            self.fault(language, path, f"shows None: …{_around(text, 'None')}…")
        for chunk in parser.texts:
            # A whole piece of text that is a stored key, or a key_with_underscores inside one. Indonesian pages
            # are checked for the latter only: many keys are Indonesian words ("gangguan") that read right there.
            tokens = set(re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", chunk))
            if language == "en":
                tokens.add(chunk)
            for token in tokens:
                if token in self.choices and token not in self.choices[token]:
                    self.fault(language, path, f"shows the raw choice value {token!r} (label {self.choices[token]})")
        if language == "id":
            for msgid in sorted(catalog.missing):
                self.fault(language, path, f"no Indonesian for {msgid!r}")
        links = []
        for href in parser.links:
            link = internal_path(path, href)
            if link is None:
                continue
            if link.startswith("/admin/") and self.role != "admin":
                self.fault(language, path, f"links to the admin site {link}")
            status = self.status_of(link)
            if status in (403, 404):
                self.fault(language, path, f"links to {link}, which answers {status}")
            links.append(link)
        return links


def _around(text: str, word: str) -> str:
    at = text.index(word)
    return text[max(0, at - 60) : at + 40]


@pytest.fixture
def demo(monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path):
    # Routing and messages run in-process while seeding, also where a broker is configured.
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())


def test_every_page_of_every_role_says_only_what_is_true(demo):
    # given the demo data and every page of the URL configuration
    choices = raw_choice_values()
    pages = start_pages()
    faults, opened = [], set()
    # when each role opens every page it can reach, in English and in Indonesian
    for role, username in ROLES:
        client = Client()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        crawl = Crawl(role, client, choices)
        opened |= crawl.run(pages)
        faults += crawl.faults
    # then nothing untrue was said, and every page was opened by some role
    assert not faults, "\n".join(sorted(set(faults)))
    assert page_url_names() - opened == set()
