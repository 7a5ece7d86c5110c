"""Settings for Sigap 123, all read from environment variables with safe defaults.

With no variables at all the product runs on a laptop: SQLite in the project root and Celery tasks
executed in-process. With ``DATABASE_URL`` and ``REDIS_URL`` it runs on PostgreSQL, with Redis as
broker and cache and real Celery workers.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("SIGAP_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "development-only-secret-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "auditlog",
    "core",
    "config.apps.SiteConfig",
    "hotline",
    "tickets",
    "dispatch",
    "outages",
    "open311",
    "connections",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.timezones.UnitTimeZoneMiddleware",
    "config.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.staff.staff_menu",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast when PostgreSQL is down instead of piling requests up.
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hot hand-written statements (intake, routing, sending) are prepared once per PostgreSQL session
# (core.sql.execute). Off (DB_PREPARED_STATEMENTS=0) behind a pooler that hands one session to several clients
# (PgBouncer in transaction mode), where a statement prepared on one session is unknown to the next.
DATABASE_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)


def _cache_db(broker_db: int) -> int:
    """The cache's database index beside the broker's: the next one, or the one before when the broker has the
    last of a default Redis' 16 (``databases 16``: indexes 0–15). The cache never shares the broker's keys."""
    return broker_db + 1 if broker_db < 15 else broker_db - 1


def _next_redis_db(url: str) -> str:
    """The same Redis server, the cache's database index (``_cache_db``)."""
    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    db = _cache_db(int(current)) if current.isdigit() else 1
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


# Redis: broker and cache when configured; otherwise in-process tasks and local-memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, answering a miss while Redis is unreachable (core/cache.py).
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": os.environ.get("CACHE_URL") or _next_redis_db(REDIS_URL),
            "KEY_PREFIX": "sigap",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # state lives in PostgreSQL, not in Redis
CELERY_TASK_ACKS_LATE = True  # every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,  # longer than any task and any retry countdown
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "health_check_interval": 10,
    "retry_on_timeout": True,
    # The worker takes from its queues in turn: routing never waits behind a backlog of notifications,
    # and customers' messages never wait behind a routing backlog (a storm after a broker outage).
    "queue_order_strategy": "round_robin",
}
# Worker and beat reconnect to the broker every 1-3 s instead of backing off to 30 s (config/celery.py).
CELERY_WORKER_CONSUMER = "config.celery:QuickReconnectConsumer"
CELERY_BEAT_SCHEDULER = "config.celery:QuickReconnectScheduler"
# One queue per kind of job, so that a node can be given only some of them (`celery worker -Q dispatch`, see
# deploy/systemd/): routing, customers' notifications, report exports, data imports; the sweepers and the rest
# in the default queue. A worker started without -Q consumes them all, in turn.
CELERY_TASK_QUEUES = tuple(Queue(name) for name in ("dispatch", "notifications", "reports", "imports", "celery"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
NOTIFY_QUEUE = "notifications"
CELERY_TASK_ROUTES = {
    "dispatch.*": {"queue": "dispatch"},
    "tickets.send_notification": {"queue": NOTIFY_QUEUE},
    "tickets.send_notifications": {"queue": NOTIFY_QUEUE},
    "reports.*": {"queue": "reports"},
    "imports.*": {"queue": "imports"},
    "billing.run_import_job": {"queue": "imports"},
}
# Celery's Django fix-up closes the database connection around every task unless this is set; the connection
# is kept as Django keeps it for requests instead (CONN_MAX_AGE, health checks; config/celery.py).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 10_000)
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    # Every 10 s: publish again notifications left pending (lost enqueue, broker down, worker died).
    "sweep-notifications": {
        "task": "tickets.sweep_notifications",
        "schedule": env_float("NOTIFY_SWEEP_INTERVAL_SECONDS", 10.0),
    },
    # Every minute: warn before service-level breaches, record breaches and escalate.
    "check-service-levels": {"task": "tickets.check_service_levels", "schedule": 60.0},
    # Every 10 s: expire unanswered offers, re-route incidents without a crew and tickets never routed.
    "sweep-dispatch": {"task": "dispatch.sweep_dispatch", "schedule": 10.0},
    # Every minute: planned-outage notices due, planned windows ended, restoration checks unanswered.
    "sweep-outages": {"task": "outages.sweep_outages", "schedule": 60.0},
    # Every 30 s: uploaded CIS files whose import task never reached the broker (billing.services.sweep_imports).
    "sweep-imports": {"task": "billing.sweep_imports", "schedule": 30.0},
}

# Audit log (django-auditlog): which models and fields are logged, and which are masked, is in config/audit.py.
AUDITLOG_STORE_JSON_CHANGES = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login lockout (django-axes): five failures for one username from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Tests log in with force_login or the test client's login(), which passes no request to the
# backends; the lockout tests switch it back on.
AXES_ENABLED = env_bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("NUM_PROXIES", 0)

# Language: Bahasa Indonesia by default, English complete beside it. Instants are stored in UTC
# and shown in the service unit's own zone (WIB, WITA or WIT).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "sigap_language"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Uploads live outside the static tree and are served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Call recordings: local files by default; an S3-compatible store by naming its backend (for example
    # storages.backends.s3.S3Storage from django-storages) and its options as JSON.
    "recordings": {
        "BACKEND": os.environ.get("RECORDINGS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("RECORDINGS_STORAGE_OPTIONS", "") or "null")
        or {"location": str(MEDIA_ROOT / "recordings"), "base_url": None},
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)

# Connections: documents (KTP, NIB, SLO) are photos or PDFs up to this size; a new connection's place must be
# within this distance of a ULP's centre; the function (dotted path) that says whether a customer's bills are
# paid (the billing app points this at its own selector).
CONNECTIONS_DOCUMENT_MAX_BYTES = env_int("CONNECTIONS_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
CONNECTIONS_MAX_UNIT_KM = env_int("CONNECTIONS_MAX_UNIT_KM", 60)
CONNECTIONS_BILLS_PAID_CHECK = os.environ.get(
    "CONNECTIONS_BILLS_PAID_CHECK", "connections.billing_hooks.no_unpaid_bills_known"
)

# Call centre: PBX events are signed with this shared secret (HMAC-SHA256) and must be this fresh.
PBX_SHARED_SECRET = env_secret("PBX_SHARED_SECRET", "development-pbx-secret" if DEBUG else "")
PBX_EVENT_MAX_AGE_SECONDS = env_int("PBX_EVENT_MAX_AGE_SECONDS", 300)
# The message gateway posts customers' SMS/WhatsApp replies signed with this secret (tickets/inbound.py).
MESSAGING_INBOUND_SECRET = env_secret("MESSAGING_INBOUND_SECRET", "development-inbound-secret" if DEBUG else "")
MESSAGING_INBOUND_MAX_AGE_SECONDS = env_int("MESSAGING_INBOUND_MAX_AGE_SECONDS", 300)
# Ring cadence (Indonesia: 1 s tone, 4 s silence) and the ring by which an operator must answer.
CALL_RING_ON_SECONDS = env_float("CALL_RING_ON_SECONDS", 1.0)
CALL_RING_OFF_SECONDS = env_float("CALL_RING_OFF_SECONDS", 4.0)
CALL_ANSWER_BY_RING = env_int("CALL_ANSWER_BY_RING", 3)
# Callers who hang up this quickly before an answer are not counted as abandoned.
CALL_SHORT_ABANDON_SECONDS = env_int("CALL_SHORT_ABANDON_SECONDS", 5)
# Operator shifts, by starting hour in the unit's local time: name:hour,...
CALL_SHIFTS = env_list("CALL_SHIFTS", ["pagi:7", "siang:15", "malam:23"])
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 10 * 1024 * 1024)
CONSOLE_POLL_MS = env_int("CONSOLE_POLL_MS", 1000)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sigap 123 <noreply@sigap123.local>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public_intake": os.environ.get("THROTTLE_PUBLIC_INTAKE", "30/hour"),
        "public_tracking": os.environ.get("THROTTLE_PUBLIC_TRACKING", "60/hour"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sigap 123 API",
    "DESCRIPTION": "Complaint and fault tickets for an electricity distribution utility.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "FieldJobKindEnum": "dispatch.models.FieldJob.Kind",
        "ConnectionKindEnum": "connections.models.Kind",
        "TicketChannelEnum": "tickets.models.Ticket.Channel",
        "CategoryKindEnum": "tickets.models.Category.Kind",
        "FeedbackKindEnum": "tickets.models.Feedback.Kind",
        "FeedbackStatusEnum": "tickets.models.Feedback.Status",
        "FeedbackOriginEnum": "tickets.models.Feedback.Origin",
        "CategoryGroupEnum": "tickets.models.Category.Group",
        "TicketPriorityEnum": "tickets.models.Ticket.Priority",
        "DispatchStateEnum": "tickets.models.Ticket.DispatchState",
        "CallEventTypeEnum": "hotline.models.CallEvent.Kind",
        "CallEndedByEnum": "hotline.models.Call.EndedBy",
        "OperatorSeatStateEnum": "hotline.models.OperatorSeat.State",
        "ViolationDecisionEnum": ["confirm", "dismiss"],
        "IncidentStatusEnum": "dispatch.models.Incident.Status",
        "AssignmentStateEnum": "dispatch.models.Assignment.State",
        "AssignmentCauseEnum": "dispatch.models.Assignment.Cause",
        "TechnicianStateEnum": "dispatch.models.Technician.State",
        "TechnicianSkillEnum": "dispatch.models.Technician.Skill",
        "JobStepEnum": "dispatch.models.JobStep.Step",
    },
}

# Domain settings.
SIGAP_DEFAULT_UNIT_CODE = os.environ.get("SIGAP_DEFAULT_UNIT_CODE", "")
SIGAP_TICKET_TIME_ZONE = os.environ.get("SIGAP_TICKET_TIME_ZONE", "Asia/Jakarta")
SLA_WARN_BEFORE_MINUTES = env_int("SLA_WARN_BEFORE_MINUTES", 30)  # warn the owner this long before a breach
SLA_UP3_MIN_DELAY_MINUTES = env_int("SLA_UP3_MIN_DELAY_MINUTES", 60)  # least time from breach to UP3 escalation
REPORT_MAX_DAYS = env_int("REPORT_MAX_DAYS", 366)  # longest date range of a report or export
REPORT_MAX_TICKET_ROWS = env_int("REPORT_MAX_TICKET_ROWS", 500_000)  # ticket-list export cap: split beyond
REPORT_SYNC_ROWS = env_int("REPORT_SYNC_ROWS", 20_000)  # larger XLSX ticket lists are built in the background

# Open311 GeoReport v2 (docs/open311.md): the jurisdiction_id clients may send; "realtime" answers a
# POST with the request id, "batch" with a token; the endpoint type discovery announces (production / test).
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "sigap123.id")
OPEN311_SERVICE_TYPE = os.environ.get("OPEN311_SERVICE_TYPE", "realtime")
if OPEN311_SERVICE_TYPE not in {"realtime", "batch"}:
    raise ImproperlyConfigured("OPEN311_SERVICE_TYPE must be realtime or batch")
OPEN311_ENDPOINT_TYPE = os.environ.get("OPEN311_ENDPOINT_TYPE", "production" if not DEBUG else "test")
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "PLN 123 contact centre: call 123 or e-mail open311@sigap123.id")
OPEN311_KEY_SERVICE = os.environ.get(
    "OPEN311_KEY_SERVICE", "Ask for an api_key at open311@sigap123.id with your app's name and a contact person."
)
OPEN311_ANONYMOUS_RATE = os.environ.get("OPEN311_ANONYMOUS_RATE", "60/minute")  # GETs without an api_key, per IP

# Customer notifications (tickets/notifications). Adapters: console (log), email (Django's e-mail
# backend), http (an SMS / WhatsApp gateway configured below by URL, credentials and body template).
NOTIFY_ADAPTERS = {
    "sms": os.environ.get("NOTIFY_SMS_ADAPTER", "console"),
    "whatsapp": os.environ.get("NOTIFY_WHATSAPP_ADAPTER", "console"),
    "email": os.environ.get("NOTIFY_EMAIL_ADAPTER", "email"),
}
NOTIFY_GATEWAYS = {
    channel: {
        "URL": os.environ.get(f"NOTIFY_{prefix}_URL", ""),
        "METHOD": os.environ.get(f"NOTIFY_{prefix}_METHOD", "POST"),
        "CONTENT_TYPE": os.environ.get(f"NOTIFY_{prefix}_CONTENT_TYPE", "json"),
        "TEMPLATE": os.environ.get(f"NOTIFY_{prefix}_TEMPLATE", ""),
        "USERNAME": os.environ.get(f"NOTIFY_{prefix}_USERNAME", ""),
        "PASSWORD": env_secret(f"NOTIFY_{prefix}_PASSWORD"),
        "TOKEN": env_secret(f"NOTIFY_{prefix}_TOKEN"),
        "SENDER": os.environ.get(f"NOTIFY_{prefix}_SENDER", "PLN123"),
        "MESSAGE_ID_FIELD": os.environ.get(f"NOTIFY_{prefix}_MESSAGE_ID_FIELD", "id"),
        "TIMEOUT": env_float(f"NOTIFY_{prefix}_TIMEOUT", 10.0),
    }
    for channel, prefix in (("sms", "SMS_GATEWAY"), ("whatsapp", "WHATSAPP_GATEWAY"))
}
NOTIFY_DEFAULT_MOBILE_CHANNEL = os.environ.get("NOTIFY_DEFAULT_MOBILE_CHANNEL", "sms")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BACKOFF = env_int("NOTIFY_RETRY_BACKOFF", 5)
NOTIFY_RETRY_BACKOFF_MAX = min(env_int("NOTIFY_RETRY_BACKOFF_MAX", 240), 280)  # < visibility_timeout (300 s)
# A pending row is published again once this much older than its due time. Sending is idempotent (row
# claim), so a re-publish of a row still queued costs a no-op task; short keeps recovery within 30 s.
NOTIFY_SWEEP_GRACE_SECONDS = env_int("NOTIFY_SWEEP_GRACE_SECONDS", 30)
# More tasks than this waiting in the queue: the worker is behind, pending rows are not lost (no sweep).
NOTIFY_SWEEP_MAX_BACKLOG = env_int("NOTIFY_SWEEP_MAX_BACKLOG", 500)
TRACKING_POLL_SECONDS = env_int("TRACKING_POLL_SECONDS", 10)

# Dispatch pages: the technician app polls its jobs and (on duty) sends its position; the board refreshes.
DISPATCH_TECH_POLL_SECONDS = env_int("DISPATCH_TECH_POLL_SECONDS", 15)
DISPATCH_POSITION_PING_SECONDS = env_int("DISPATCH_POSITION_PING_SECONDS", 60)
DISPATCH_BOARD_POLL_SECONDS = env_int("DISPATCH_BOARD_POLL_SECONDS", 10)

# Dispatch (dispatch/): routing outage tickets to technicians.
DISPATCH_OFFER_SECONDS = env_int("DISPATCH_OFFER_SECONDS", 180)  # an unanswered offer expires, next candidate
DISPATCH_POSITION_MAX_AGE_SECONDS = env_int("DISPATCH_POSITION_MAX_AGE_SECONDS", 900)  # older: ranked with a penalty
# An older position (a locked phone) is ranked as farther: this much, plus this much per minute past the limit, up to
# the maximum (also used for a technician who never sent a position: ranked at their ULP's base).
DISPATCH_STALE_PENALTY_M = env_int("DISPATCH_STALE_PENALTY_M", 2_000)
DISPATCH_STALE_PENALTY_M_PER_MINUTE = env_int("DISPATCH_STALE_PENALTY_M_PER_MINUTE", 100)
DISPATCH_STALE_PENALTY_MAX_M = env_int("DISPATCH_STALE_PENALTY_MAX_M", 20_000)
DISPATCH_SEARCH_RADIUS_M = env_int("DISPATCH_SEARCH_RADIUS_M", 25_000)  # technicians of other ULPs within this
DISPATCH_LOAD_PENALTY_M = env_int("DISPATCH_LOAD_PENALTY_M", 3_000)  # each job in hand counts as this much farther
DISPATCH_MAX_CANDIDATES = env_int("DISPATCH_MAX_CANDIDATES", 10)  # tried per routing before waiting
DISPATCH_CANDIDATE_POOL = env_int("DISPATCH_CANDIDATE_POOL", 50)  # nearest (estimated) read from the database
DISPATCH_REOFFER_AFTER_SECONDS = env_int("DISPATCH_REOFFER_AFTER_SECONDS", 900)  # refused: not offered again sooner
DISPATCH_RETRY_SECONDS = env_int("DISPATCH_RETRY_SECONDS", 60)  # incidents without a crew are routed again
DISPATCH_STUCK_SECONDS = env_int("DISPATCH_STUCK_SECONDS", 30)  # tickets never routed after this are swept
DISPATCH_ROUTE_BATCH = env_int("DISPATCH_ROUTE_BATCH", 50)  # swept tickets routed per task
DISPATCH_TRAVEL_SPEED_KMH = env_int("DISPATCH_TRAVEL_SPEED_KMH", 30)  # for the customer's arrival estimate
DISPATCH_DISTANCE_PROVIDER = os.environ.get("DISPATCH_DISTANCE_PROVIDER", "dispatch.distance.HaversineDistance")
INCIDENT_JOIN_RADIUS_M = env_int("INCIDENT_JOIN_RADIUS_M", 500)  # a report this close to an open incident joins it
INCIDENT_JOIN_HOURS = env_int("INCIDENT_JOIN_HOURS", 2)  # ... when the incident's last report is this recent
# An incident's reports are looked for only if it was opened this close: the look-up reads the reports of nearby
# incidents, not of every open incident in the country (a storm has thousands).
INCIDENT_SPREAD_M = env_int("INCIDENT_SPREAD_M", 5_000)

# Reference tables read on every intake (categories, units, service-level targets, holidays) are held in each
# process (tickets/reference.py): another process's change is seen within the first, anything else within the second.
REFERENCE_RECHECK_SECONDS = env_float("REFERENCE_RECHECK_SECONDS", 1.0)
REFERENCE_MAX_AGE_SECONDS = env_float("REFERENCE_MAX_AGE_SECONDS", 300.0)

# Outage communication (outages/): planned outages, mass-outage mode, the "is your power back?" loop, the map.
PLANNED_OUTAGE_NOTICE_HOURS = env_int("PLANNED_OUTAGE_NOTICE_HOURS", 24)  # customers told this long before
MASS_OUTAGE_MIN_REPORTS = env_int("MASS_OUTAGE_MIN_REPORTS", 50)  # default threshold; per unit in the admin
MASS_OUTAGE_MIN_CUSTOMERS = env_int("MASS_OUTAGE_MIN_CUSTOMERS", 500)
RESTORATION_CONFIRM_ENABLED = env_bool("RESTORATION_CONFIRM_ENABLED", True)
RESTORATION_CONFIRM_HOURS = env_int("RESTORATION_CONFIRM_HOURS", 24)  # no answer by then → closed
OUTAGE_PUBLIC_CACHE_SECONDS = env_int("OUTAGE_PUBLIC_CACHE_SECONDS", 30)  # map / banner / announcement

# Production hardening; `manage.py check --deploy` passes when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: scripts only from our own origin (no inline scripts anywhere); map tiles
# from OpenStreetMap; inline style attributes are allowed (maps position their layers with them).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https://tile.openstreetmap.org", "https://*.tile.openstreetmap.org"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# ---- Deployment: several nodes, a read replica, Redis Sentinel (docs/deploy.md, docs/scaling.md) -------------
# One block, so that it moves with this module as a whole. Nothing here changes a laptop or a single server.
from core.redis_client import parse_sentinels  # noqa: E402

# Uploads (ticket and job photos, report exports) in a store every node sees: a shared MEDIA_ROOT (NFS) by
# default, or an object store through django-storages (for example storages.backends.s3.S3Storage).
if os.environ.get("MEDIA_STORAGE_BACKEND"):
    STORAGES["default"] = {
        "BACKEND": os.environ["MEDIA_STORAGE_BACKEND"],
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS", "") or "{}"),
    }
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(STATIC_ROOT)))  # collectstatic's target; nginx serves it

# Health probes (a container's, a load balancer's) ask each node over plain HTTP: no HTTPS redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Beat runs once however many are started: each holds a lock in Redis before sending (config/beat_lock.py).
CELERY_BEAT_SCHEDULER = "config.beat_lock:SingleBeatScheduler"
BEAT_LOCK_TTL_SECONDS = env_float("BEAT_LOCK_TTL_SECONDS", 20.0)

# Redis Sentinel: the Sentinels name the master; broker and cache follow a failover without a restart.
try:
    REDIS_SENTINELS = parse_sentinels(os.environ.get("REDIS_SENTINELS", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "sigap")
REDIS_SENTINEL_DB = env_int("REDIS_SENTINEL_DB", 0)  # the broker's database; the cache uses the next one
REDIS_PASSWORD = env_secret("REDIS_PASSWORD")  # of the Redis servers (with Sentinels; else put it in REDIS_URL)
REDIS_SENTINEL_PASSWORD = env_secret("REDIS_SENTINEL_PASSWORD")  # of the Sentinels themselves, if they ask one
if REDIS_SENTINELS:
    _auth = f":{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
    CELERY_BROKER_URL = ";".join(
        f"sentinel://{_auth}{host}:{port}/{REDIS_SENTINEL_DB}" for host, port in REDIS_SENTINELS
    )
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
    if REDIS_SENTINEL_PASSWORD:
        CELERY_BROKER_TRANSPORT_OPTIONS["sentinel_kwargs"] = {"password": REDIS_SENTINEL_PASSWORD}
    CACHES = {
        "default": {
            # django-redis, because Django's own RedisCache cannot ask Sentinels. One location: the master only
            # (a replica may lag, and throttles and generation tokens must read what was just written).
            "BACKEND": "core.cache.FailSoftDjangoRedisCache",
            "LOCATION": [f"redis://{REDIS_SENTINEL_MASTER}/{_cache_db(REDIS_SENTINEL_DB)}"],
            "KEY_PREFIX": "sigap",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.SentinelClient",
                "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
                "SENTINELS": REDIS_SENTINELS,
                "SENTINEL_KWARGS": {"password": REDIS_SENTINEL_PASSWORD} if REDIS_SENTINEL_PASSWORD else {},
                "PASSWORD": REDIS_PASSWORD or None,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }

# The outbox relay (``manage.py run_relay``, docs/reliability.md): a request that writes notifications or a
# ticket to route publishes nothing; the relay reads the new rows a few times a second and publishes their
# work in batches, so a request never waits on Redis. On wherever a broker is configured (off in the test
# suite, whose tests publish after commit or run tasks in-process unless they turn it on); ``./sigap run``
# turns it on without a broker too (the relay then runs the tasks in its own process).
OUTBOX_RELAY = env_bool("OUTBOX_RELAY", bool(CELERY_BROKER_URL) and not TESTING)
RELAY_INTERVAL_SECONDS = env_float("RELAY_INTERVAL_SECONDS", 0.2)  # between reads when there was nothing to do
RELAY_BATCH = env_int("RELAY_BATCH", 500)  # rows read per round (a full round is followed by another at once)
RELAY_NOTIFY_CHUNK = env_int("RELAY_NOTIFY_CHUNK", 10)  # notifications per send task

# A read replica (PostgreSQL streaming replication) for reads that may lag: reports, exports, the public outage
# map and list pages (core/replica.py says which and how). Writes, and reads that must see a write just
# made, go to the primary. Tests get a "replica" alias mirroring the default database; it is read only where a
# test turns DATABASE_REPLICA_READS on.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_REPLICA_CONNECT_TIMEOUT", 2)
elif TESTING:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_REPLICA_READS = env_bool("DATABASE_REPLICA_READS", bool(DATABASE_REPLICA_URL))
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# After a write (POST, PUT, PATCH, DELETE) a browser reads from the primary for this long: the page after a
# staff action shows that action even while the replica lags.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
MIDDLEWARE.append("core.replica.ReplicaMiddleware")

# Billing (billing/, docs/billing.md): where bills come from — "local" (the tables imported from the CIS
# files) or "http" (the CIS's JSON API at BILLING_HTTP_URL).
BILLING_PROVIDER = os.environ.get("BILLING_PROVIDER", "local")
if BILLING_PROVIDER not in {"local", "http"}:
    raise ImproperlyConfigured("BILLING_PROVIDER must be local or http")
BILLING_HTTP_URL = os.environ.get("BILLING_HTTP_URL", "http://127.0.0.1:8900/api")
BILLING_HTTP_TOKEN = env_secret("BILLING_HTTP_TOKEN")
BILLING_HTTP_TIMEOUT = env_float("BILLING_HTTP_TIMEOUT", 2.0)
BILLING_HTTP_RETRIES = env_int("BILLING_HTTP_RETRIES", 1)
BILLING_HTTP_CACHE_SECONDS = env_int("BILLING_HTTP_CACHE_SECONDS", 900)
BILLING_IMPORT_DIR = os.environ.get("BILLING_IMPORT_DIR", str(MEDIA_ROOT / "billing-imports"))
# An uploaded import not handed to the broker after this long is published by the sweeper; one handed over
# but not started after IMPORT_REPUBLISH_SECONDS is published again (a lost message).
IMPORT_SWEEP_AFTER_SECONDS = env_int("IMPORT_SWEEP_AFTER_SECONDS", 30)
IMPORT_REPUBLISH_SECONDS = env_int("IMPORT_REPUBLISH_SECONDS", 900)
# A job still checking or writing this long after its claim lost its worker (the task's hard limit is 1,860 s): its
# writes were one transaction, so nothing of it is in the tables, and the sweeper queues it again from the start.
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 1920)
