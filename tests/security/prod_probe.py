"""Run under production environment variables (DEBUG=0): print the security settings and the headers of a
few answers as JSON. Used by test_baseline through a subprocess, so the real production settings load."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

setup_test_environment()
layout = {
    "media_inside_static": str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT)),
    "static_inside_media": str(settings.STATIC_ROOT).startswith(str(settings.MEDIA_ROOT)),
    "recordings_location": str(settings.STORAGES["recordings"]["OPTIONS"].get("location", "")),
    "static_root": str(settings.STATIC_ROOT),
}
# Headers do not depend on the static manifest (built by collectstatic at deploy time); skip it here.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="sigap.example.id")


def answer(path: str, secure: bool = True) -> dict:
    response = client.get(path, secure=secure)
    cookies = {
        name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
        for name, morsel in response.cookies.items()
    }
    return {"status": response.status_code, "headers": dict(response.headers), "cookies": cookies}


print(
    json.dumps(
        {
            "settings": {
                name: getattr(settings, name)
                for name in [
                    "DEBUG",
                    "SESSION_COOKIE_SECURE",
                    "SESSION_COOKIE_HTTPONLY",
                    "CSRF_COOKIE_SECURE",
                    "SECURE_HSTS_SECONDS",
                    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                    "SECURE_SSL_REDIRECT",
                    "SECURE_CONTENT_TYPE_NOSNIFF",
                    "X_FRAME_OPTIONS",
                    "AXES_ENABLED",
                ]
            },
            **layout,
            "login": answer("/accounts/login/"),
            "report": answer("/"),
            "plain_http": answer("/", secure=False),
            "media": answer("/media/recordings/anything.wav"),
            "media_photo": answer("/media/ticket-photos/2026/01/x.jpg"),
        }
    )
)
