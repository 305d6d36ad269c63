"""Settings, all read from the environment.

The embedded defaults let `make run` work on a fresh machine (SQLite, Celery's filesystem
broker and e-mails written to files, all under var/). Production switches on by environment:
DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, SECRET_KEY, DEBUG=false, ALLOWED_HOSTS.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, broker folders and mail of the embedded defaults

DEBUG = env.bool("DEBUG", default=True)
# The default key is for the embedded demo only. Its "django-insecure-" prefix makes Django's own
# `check --deploy` warn about it (security.W009); project/security.py adds an error of our own.
DEMO_SECRET_KEY = "django-insecure-demo-key-for-make-run-only-never-use-it-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY.strip() in ("", DEMO_SECRET_KEY):
    # Sessions, CSRF tokens and password-reset links are signed with it: a service running on a
    # key printed in this file could have its sessions forged by anyone who reads the source.
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG=false the service refuses to start on the demo key. "
        "Set SECRET_KEY in the environment to a random value of 50 or more characters, e.g. from "
        '`python -c "import secrets; print(secrets.token_urlsafe(64))"`.'
    )
# The audit chain's key (docs/SECURITY.md, "Audit chain"): kept outside the database, so nobody with
# only database access can forge the chain. The default is for the demo and the tests only;
# production refuses to start without a key of its own.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="insecure-demo-audit-chain-key-0123456789" if DEBUG else "")
if not DEBUG and len(AUDIT_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("Set AUDIT_CHAIN_KEY to a secret of at least 32 characters (DEBUG is off).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
if not DEBUG and ("ALLOWED_HOSTS" not in env.ENVIRON or not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    # The demo's loopback names would answer nobody in production, and "*" would let any Host
    # header through: password-reset links and e-mails are built from it (host-header poisoning).
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: with DEBUG=false the service refuses to start without the host names it "
        "serves (comma-separated, e.g. ALLOWED_HOSTS=reviews.example.org), and never with '*'."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "django_celery_beat",
    "govuk_frontend_django",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_ratelimit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ui",
    "accounts",
    "workflows",
    "notifications",
    "reviews",
    "api",
    "ops",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request id, and the latency measured
    # covers all the rest (ops/, docs/OBSERVABILITY.md).
    "ops.logs.RequestIdMiddleware",
    "ops.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware (as WhiteNoise asks): static files are answered here, with their
    # precompressed variants and a year's caching for hashed names, before sessions or auth run.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication, so every response to a signed-in user, whichever middleware or
    # view made it, leaves with Cache-Control: no-store.
    "project.security.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads the URL's arguments: a NUL in a path is a 404, in a query a 400
    # (PostgreSQL refuses text holding one). After auth and messages, which the error pages use.
    "project.urlsafety.NulRefusalMiddleware",
    # After authentication: adds user.is_verified() (signed in with a second factor this session).
    "django_otp.middleware.OTPMiddleware",
    # Idle timeout first, so an idle session is ended before anything else looks at it; it needs
    # messages to say why. Then nobody signed in without a second factor gets past the 2FA step.
    "project.security.IdleSessionTimeoutMiddleware",
    "project.security.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo, used by several people (and the Celery worker) at once: behave like
    # PostgreSQL when two press the same button. WAL lets readers run beside the one writer; every
    # transaction takes the write lock when it begins (IMMEDIATE), so two steps on one review run
    # one after the other (the runner's row lock is a no-op on SQLite) and the second is refused
    # by the runner's state check, rather than both reading, then one failing with "database is
    # locked" when it tries to write; "timeout" is how long a writer waits for the lock (seconds).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL: keep a connection for a minute rather than open one per request (and per task),
    # checking it still works before reusing it after a request (a failover or a pooler restart
    # leaves dead connections behind). CONN_MAX_AGE=0 closes after every request, as needed behind
    # a transaction-mode pooler (PgBouncer); keep it below the server's idle-connection timeout.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the demo's: one file, one writer, no row locks (the services' select_for_update is a
    # no-op), and invisible to a second web node. Production runs on PostgreSQL.
    raise ImproperlyConfigured(
        "DATABASE_URL is not set to PostgreSQL: with DEBUG=false the service refuses to start on SQLite. "
        "Set DATABASE_URL=postgres://user:password@host:5432/name."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Reports read from a replica when REPLICA_DATABASE_URL names one (project/db_router.py): the annual
# report, oversight, the figures over the API and the national export. Everything else uses default.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **environ.Env.db_url_config(REPLICA_DATABASE_URL),
        "TEST": {"MIRROR": "default"},
    }
REPLICA_READS = bool(REPLICA_DATABASE_URL)
DATABASE_ROUTERS = ["project.db_router.ReplicaRouter"]
# Least privilege (docs/DEPLOY_DATABASE.md, `manage.py db_roles`): DATABASE_URL names the app role,
# which cannot run DDL; MIGRATE_DATABASE_URL names the role that owns the tables, and `manage.py
# migrate` (only it) connects as that one. Equivalent by hand: DATABASE_URL=$MIGRATE_DATABASE_URL.
MIGRATE_DATABASE_URL = env.str("MIGRATE_DATABASE_URL", default="")
if MIGRATE_DATABASE_URL and sys.argv[1:2] == ["migrate"]:
    DATABASES["default"] = {**DATABASES["default"], **environ.Env.db_url_config(MIGRATE_DATABASE_URL)}

# The cache holds the public notification form's rate-limit counts (django-ratelimit). They must be
# shared by every web process, so production sets CACHE_URL to Redis (redis://host:6379/1); the
# embedded demo (one process) keeps them in memory.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE_URL}}
elif not DEBUG:
    raise ImproperlyConfigured(
        "Set CACHE_URL to a Redis URL (redis://host:6379/1) (DEBUG is off): the public notification form's "
        "rate limit must be counted in a cache every web process shares."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-ratelimit warns that an in-memory cache is not shared between processes: true, and
    # accepted for the single-process demo only (production sets CACHE_URL).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The report's sections keep their order under a deferrable unique constraint on PostgreSQL;
    # SQLite cannot defer one, so the embedded demo goes without it (and says so once, here).
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "models.W038"]

# Axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Nobody reaches case data anonymously, so guardian's anonymous user is switched off.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reviews:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The service is in English only: no translation machinery. Dates are still formatted as en-gb
# (Django reads LANGUAGE_CODE's formats either way); without it every reverse(), date filter and
# form label stops asking the request's thread which language is active (about 3% of a page).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# GOV.UK Frontend comes from npm (package.json), installed by `make install`; no CDN.
STATICFILES_DIRS = [BASE_DIR / "node_modules"]
# WhiteNoise: in production it indexes STATIC_ROOT (collectstatic's output) once at start. The demo
# and the tests (DEBUG, read here before pytest-django turns it off) find files where they lie, on
# request, so neither needs collectstatic nor indexes all of node_modules at start.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Files under MEDIA_ROOT (action evidence) are never served by URL: there is deliberately no
# MEDIA_URL route, so a file is reachable only through a view that checks access every time.
MEDIA_ROOT = VAR_DIR / "media"
# Request bodies (other than files) are capped. Uploads larger than their own limit are refused:
# chronology imports by their form, action evidence by its service (which also checks the type on
# the content). FILE_UPLOAD_MAX_MEMORY_SIZE is above both, so an accepted upload is held in memory
# rather than in a temporary file; put the same cap on the web server in front (request body size).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
CHRONOLOGY_IMPORT_MAX_BYTES = env.int("CHRONOLOGY_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# What a chronology file may hold once opened: a small file can declare a huge sheet (an .xlsx is a
# zip), so the rows, the columns and the unzipped size are capped too, and reading stops at the cap.
CHRONOLOGY_IMPORT_MAX_ROWS = env.int("CHRONOLOGY_IMPORT_MAX_ROWS", default=20_000)
CHRONOLOGY_IMPORT_MAX_COLUMNS = env.int("CHRONOLOGY_IMPORT_MAX_COLUMNS", default=30)
CHRONOLOGY_IMPORT_MAX_UNZIPPED_BYTES = env.int("CHRONOLOGY_IMPORT_MAX_UNZIPPED_BYTES", default=16 * 1024 * 1024)
# The most problems listed on the page when a file is refused (the rest are counted, not listed).
CHRONOLOGY_IMPORT_MAX_ERRORS = env.int("CHRONOLOGY_IMPORT_MAX_ERRORS", default=100)
ACTION_EVIDENCE_MAX_BYTES = env.int("ACTION_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# A review's documents (reviews/services/documents.py): type checked on the content, at most this size.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = (
    max(CHRONOLOGY_IMPORT_MAX_BYTES, ACTION_EVIDENCE_MAX_BYTES, DOCUMENT_MAX_BYTES) + 1024 * 1024
)

# Disclosure control on every figure that leaves the building (reviews/disclosure.py, docs/DOMAIN.md
# "Reporting"): counts from 1 to DISCLOSURE_SUPPRESS_BELOW - 1 are suppressed, the rest rounded to
# the nearest DISCLOSURE_ROUND_TO, following national practice for published statistics.
DISCLOSURE_SUPPRESS_BELOW = env.int("DISCLOSURE_SUPPRESS_BELOW", default=5)
DISCLOSURE_ROUND_TO = env.int("DISCLOSURE_ROUND_TO", default=5)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Where files are kept. "documents" (a review's documents) is a folder under var/ unless
# DOCUMENTS_STORAGE=s3 switches it to S3-compatible object storage (django-storages): the bucket,
# endpoint and region from the variables below, the credentials from boto3's usual sources
# (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role). Never served by URL: the
# download view reads the file after checking the user may.
DOCUMENTS_STORAGE = env.str("DOCUMENTS_STORAGE", default="filesystem")
if DOCUMENTS_STORAGE == "s3":
    _documents_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
            "location": env.str("DOCUMENTS_S3_PREFIX", default=""),
            # Private objects, never overwritten, fetched only by the application (no public URLs).
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif DOCUMENTS_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents")},
    }
else:
    raise ImproperlyConfigured(f"DOCUMENTS_STORAGE is {DOCUMENTS_STORAGE!r}: set it to 'filesystem' or 's3'.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production (DEBUG=false) serves static files with hashed names (cacheable for a year, a new name
    # whenever the content changes) and precompressed gzip and Brotli copies, made by collectstatic.
    # The demo and the tests keep plain names, so they run without collectstatic.
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
    "documents": _documents_storage,
}
# Virus scanning of documents: "host:port" of a clamd daemon, or empty for none. When set, every
# upload is streamed to it before it is stored, and refused if clamd finds something or cannot be
# reached (README.md, "Virus scanning").
CLAMAV_ADDRESS = env.str("CLAMAV_ADDRESS", default="")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30)

# Celery: Redis in production and in CI; the filesystem transport for the embedded demo.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis has no real acknowledgements: a task taken but not acknowledged within the visibility
    # timeout is given to another worker. With acks_late that is every task still running, and every
    # retry waiting out its countdown in a worker, so the timeout must exceed the longest of these
    # (the hard time limit, and the longest retry back-off, NOTIFICATIONS_RETRY_MAX_SECONDS) or a
    # slow task runs twice. RabbitMQ needs none of this: it redelivers only when a worker's
    # connection drops.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
    }
CELERY_TASK_IGNORE_RESULT = True
# Production settings (docs/DEPLOY.md, "Celery in production"), each from the environment.
# Acknowledge a task when it has finished, not when it is taken, so a worker killed mid-task
# (a deploy, the OOM killer, a lost VM) leaves it on the broker for another worker. The tasks are
# written to be run twice safely (the outbox row's state is checked under a row lock).
CELERY_TASK_ACKS_LATE = env.bool("CELERY_TASK_ACKS_LATE", default=True)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one task at a time: a worker does not hoard tasks that an idle worker could run, and with
# acks_late a crash returns at most one task per process to the queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
# A task that hangs (an SMTP server that accepts and never answers, a webhook endpoint that
# trickles) must not hold a worker process for ever: the soft limit raises inside the task so it can
# record the failure; the hard limit kills the process. A sweep of 10,000 reminders takes seconds.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
# Replace a worker process after this many tasks, so memory a library leaks (the PDF renderer,
# matplotlib) is given back rather than growing until the machine swaps.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=1000)
# The queue tasks are published to and workers read: "celery" unless several deployments (or test
# runs) share one broker, when each names its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# E-mail: files under var/mail/ unless EMAIL_URL names an SMTP server.
vars().update(env.email_url("EMAIL_URL", default="filemail://"))
# EMAIL_BACKEND was set by the line above, through vars(), where neither ruff nor mypy can see it.
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):  # type: ignore[name-defined]  # noqa: F821
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reviews@localhost")

# Notifications (issue 4). Links in e-mails start with NOTIFICATIONS_SITE_URL. A failed delivery is
# retried with exponential back-off (base, 2x, 4x ... capped) up to NOTIFICATIONS_MAX_ATTEMPTS, then
# FAILED with the error. Rows READY or SENDING for longer than NOTIFICATIONS_STUCK_AFTER_SECONDS are
# re-queued by a periodic task; that must exceed EMAIL_TIMEOUT so a slow send is never re-queued.
NOTIFICATIONS_SITE_URL = env.str("NOTIFICATIONS_SITE_URL", default="http://127.0.0.1:8000")
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.float("NOTIFICATIONS_RETRY_MAX_SECONDS", default=1800)
NOTIFICATIONS_STUCK_AFTER_SECONDS = env.float("NOTIFICATIONS_STUCK_AFTER_SECONDS", default=600)

# Signed webhooks (issue 16, docs/WEBHOOKS.md). Endpoints must be https://; plain http to a loopback
# address only with WEBHOOKS_ALLOW_LOOPBACK_HTTP (the tests' local receiver). A delivery that does not
# get a 2xx within WEBHOOKS_TIMEOUT_SECONDS is tried again after each of WEBHOOKS_RETRY_DELAYS
# (seconds) in turn, then FAILED: 1 + len(WEBHOOKS_RETRY_DELAYS) attempts in all.
WEBHOOKS_ALLOW_LOOPBACK_HTTP = env.bool("WEBHOOKS_ALLOW_LOOPBACK_HTTP", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5)
WEBHOOKS_RETRY_DELAYS = [float(d) for d in env.list("WEBHOOKS_RETRY_DELAYS", default=["60", "300", "1500", "7500"])]
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
# GOV.UK Notify instead of SMTP when a key is set: one e-mail template with ((subject)) and ((body)).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")

# The public "Tell us about a child's death" form (/notify/, issue 13; docs/DOMAIN.md "Intake").
# Posts per address (django-ratelimit's "N/s|m|h|d"); what a post may weigh; how long a repeat of the
# same notification by the same notifier counts as the same one; and the key of the keyed hash
# (HMAC-SHA256) of NHS numbers that partnerships compare without showing each other anything.
INTAKE_RATE_LIMIT = env.str("INTAKE_RATE_LIMIT", default="10/h")
INTAKE_MAX_BYTES = env.int("INTAKE_MAX_BYTES", default=32 * 1024)
INTAKE_DUPLICATE_MINUTES = env.int("INTAKE_DUPLICATE_MINUTES", default=15)
INTAKE_MATCH_KEY = env.str("INTAKE_MATCH_KEY", default="insecure-demo-intake-match-key-0123456789" if DEBUG else "")
if not DEBUG and len(INTAKE_MATCH_KEY) < 32:
    raise ImproperlyConfigured("Set INTAKE_MATCH_KEY to a secret of at least 32 characters (DEBUG is off).")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = True

# --- The REST API (issue 16, docs/API.md) -------------------------------------------------------
# Requests per token (DRF's "N/second|minute|hour|day"), counted in the shared cache (CACHE_URL).
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/minute")
# How long an Idempotency-Key's first response is kept and replayed.
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
REST_FRAMEWORK = {
    # Tokens only: no session (so no CSRF question) and no browsable API (inline script, not our CSP).
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguarding review engine API",
    "DESCRIPTION": "Reviews, their stages and clocks, and the user's notifications (docs/API.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, shared by every field that uses it.
    "ENUM_NAME_OVERRIDES": {
        "ReviewKindEnum": "reviews.models.ReviewKind",
        "ReviewStateEnum": "reviews.models.ReviewState",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "ActionStateEnum": "reviews.models.actions.ActionState",
        "ContributionStateEnum": "reviews.models.contributions.ContributionState",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problems"],
}

# --- Sign-in (issue 6, docs/SECURITY.md) -------------------------------------------------------
# Lockout (django-axes): AXES_FAILURE_LIMIT failed sign-ins lock out for the cool-off period, even
# with the right password afterwards. Each comma-separated criterion counts on its own; "+" joins
# fields into one criterion. The default locks a username after N failures from anywhere (so
# spreading guesses over many addresses does not help) and an address after N failures whatever
# the username (so one machine cannot guess across accounts). Where a whole office shares one
# address, "username,username+ip_address" trades the second for less collateral lockout.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [
    fields[0] if len(fields) == 1 else fields
    for fields in (item.split("+") for item in env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"]))
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Behind a TLS-terminating proxy, the number of proxies in front of Django (for the client address).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Two factors (django-otp, TOTP + static backup codes) for everyone; only the embedded demo
# (scripts/run-demo.sh) turns it off so its printed logins work with a password alone.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Safeguarding review engine")
TWO_FACTOR_BACKUP_CODES = 10

# Sessions: signed out after SESSION_IDLE_TIMEOUT seconds without a request, when the browser
# closes, and in any case after SESSION_COOKIE_AGE.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 60 * 60)

# --- Cookies, headers and TLS, switched on by DEBUG=false -----------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Set SECURE_PROXY_SSL_HEADER=true only behind a proxy that sets X-Forwarded-Proto itself.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): every script and stylesheet is a file from this site; no
# inline script or style anywhere (tests/ui/test_templates.py and tests/security/ check).
# img-src allows data: for the two-factor QR code, which is an <img> of a data: SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Demo users (seed_demo) sign in with this password; never used outside the demo.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-review-2026")

# Logs go to the console (systemd's journal in production). LOG_FORMAT=json writes one JSON object
# per line with the request id (ops/logs.py, docs/OBSERVABILITY.md); the demo keeps plain text.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
_console: dict[str, object] = {"class": "logging.StreamHandler", "filters": ["request_id"]}
if LOG_FORMAT == "json":
    _console["formatter"] = "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "ops.logs.JsonFormatter"}},
    "handlers": {"console": _console},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        # With DEBUG on, Django logs every SQL statement with its parameters at DEBUG level, and the
        # parameters hold real names, NHS numbers and addresses: never below INFO, whatever LOG_LEVEL
        # says (tests/ops/test_logs.py).
        "django.db.backends": {"level": "INFO"},
    },
}
# A worker logs through the configuration above (JSON when asked) rather than Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Observability (issue 17, docs/OBSERVABILITY.md). /readyz fails when no worker has run the
# heartbeat task (every minute) within READYZ_WORKER_WITHIN_SECONDS, or beat has run no task within
# READYZ_BEAT_WITHIN_SECONDS: beat writes its tasks' last run to the database only every 3 minutes
# (celery's sync interval), so that window must be wider than 180 s.
READYZ_WORKER_WITHIN_SECONDS = env.int("READYZ_WORKER_WITHIN_SECONDS", default=120)
READYZ_BEAT_WITHIN_SECONDS = env.int("READYZ_BEAT_WITHIN_SECONDS", default=300)
READYZ_BROKER_TIMEOUT_SECONDS = env.float("READYZ_BROKER_TIMEOUT_SECONDS", default=2)
# /metrics answers only a request with "Authorization: Bearer <METRICS_TOKEN>"; with no token set it
# does not exist (404).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
