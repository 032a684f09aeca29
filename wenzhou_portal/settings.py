"""Settings for the 清朗温州 portal, read from the environment (12-factor).

With no variables set this is the embedded default: SQLite, a Celery broker and a
shared cache, all in files under var/ (no server to run), and console email. DATABASE_URL and
REDIS_URL switch to PostgreSQL and Redis; DJANGO_ENV=production hardens everything
and refuses to start without its secrets.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .conf import api, log_config, queues, security
from .conf.env import env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


DJANGO_ENV = env_str("DJANGO_ENV", "development").lower()
PRODUCTION = DJANGO_ENV == "production"
TESTING = env_bool("DJANGO_TESTING", False)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_ENV=production requires SECRET_KEY to be set.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production requires ALLOWED_HOSTS to be set.")
    DEBUG = False
else:
    # A fixed key is fine for the embedded default: it never leaves this machine.
    SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-never-used-in-production"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
    DEBUG = env_bool("DJANGO_DEBUG", True)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "wenzhou_portal.apps.PortalConfig",
    "wenzhou_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    # django-otp's and django-axes' own app configs, named in Chinese for admin.
    "wenzhou_portal.apps.OtpTotpConfig",
    "wenzhou_portal.apps.OtpStaticConfig",
    "wenzhou_portal.apps.AxesConfig",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Request counts and latency histograms by view, served at /metrics (wenzhou_portal/metrics.py).
    "django_prometheus",
    # Triggers that keep the charity ledger append-only in PostgreSQL.
    "pgtrigger",
    "rumors",
    "campaigns",
    "charity",
    "civility_index",
]

MIDDLEWARE = [
    # First and (but for Axes) last: the time between them is the request's latency.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "wenzhou_portal.middleware.RequestLogMiddleware",
    # An ETag on every GET answer, and 304 to a client that already holds it.
    "wenzhou_portal.middleware.ConditionalGetMiddleware",
    # Before SecurityMiddleware, so that its HTTPS redirects carry the policy too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses a NUL byte in path, query or form (PostgreSQL cannot store one) before the
    # session cookie is looked up.
    "wenzhou_portal.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenzhou_portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Public read pages may read from the replica, when there is one (DATABASE_REPLICA_URL).
    "wenzhou_portal.db_router.ReplicaReadsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wenzhou_portal.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Outside Axes, so that a lockout is counted as the answer the client got.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# The benchmark (bench/) serves the same pages with a bare view beside them.
ROOT_URLCONF = env_str("DJANGO_ROOT_URLCONF", "wenzhou_portal.urls")
WSGI_APPLICATION = "wenzhou_portal.wsgi.application"
ASGI_APPLICATION = "wenzhou_portal.asgi.application"

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
                "wenzhou_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    # SQLite creates the file but not its folder; a fresh clone (or VAR_DIR pointing at a new
    # folder) must start without anyone running mkdir first.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django 6's default, chosen now: a typed link without a scheme means https.
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_USER_MODEL = "wenzhou_portal.User"

# --- Replica database ------------------------------------------------------------------
# DATABASE_REPLICA_URL: a read-only replica of the primary (PostgreSQL streaming
# replication). Public read pages (DATABASE_REPLICA_VIEWS, requested with GET by anyone but
# signed-in staff) read from it; writes, admin, the API, forms and staff never do
# (wenzhou_portal/db_router.py). In tests it mirrors the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary).")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["wenzhou_portal.db_router.ReplicaRouter"]
# URL names of the pages that may read from the replica: public, read-only, where a moment
# of lag is harmless. Never a page that follows the reader's own action (a donation receipt,
# a report's tracking page) or shows a form's outcome.
DATABASE_REPLICA_VIEWS = frozenset(
    {
        "home",
        "debunks:list",
        "debunks:detail",
        "debunks:feed",
        "charity:landing",
        "charity:project",
        "charity:ledger",
        "charity:ledger_csv",
        "charity:organisation",
        "charity:pact",
        "civility_index:dashboard",
        "civility_index:methodology",
        "civility_index:district",
        "civility_index:download_csv",
        "civility_index:download_json",
        "index-snapshots",
        "index-latest",
    }
)

# --- Cache and Celery ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Short socket timeouts everywhere Redis is touched from a web request: a broker or cache
# that is down must cost a citizen a second at most, never a hung page.
REDIS_SOCKET_TIMEOUT = float(env_str("REDIS_SOCKET_TIMEOUT", "0.5"))

# After Redis fails once, this process skips it for this many seconds (then probes once):
# see wenzhou_portal/breaker.py. Cache, limits and task publishing share the breaker.
REDIS_BREAKER_SECONDS = float(env_str("REDIS_BREAKER_SECONDS", "15"))

# The test suite (pytest) keeps its cache and broker in the process and never touches the
# folders of a developer's `make run` under var/.
IN_TEST_SUITE = TESTING or "pytest" in sys.modules

if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    CACHES = {
        "default": {
            # Django's RedisCache behind a circuit breaker: an outage means "not cached".
            "BACKEND": "wenzhou_portal.cache.ResilientRedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "wz",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                # redis-py retries three times with backoff by default; one try is the
                # contract (the breaker decides when to try again).
                "retry": Retry(NoBackoff(), 0),
            },
        }
    }
elif IN_TEST_SUITE:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            # Files under var/cache, shared by `make run`'s web server and its worker: a
            # campaign's page views are counted by one and flushed by the other.
            "BACKEND": "wenzhou_portal.file_cache.SharedFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Django culls at random past 300 entries, which would lose view counters.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Without Redis the broker is a folder (kombu's filesystem transport): messages are files
# under var/broker, so `make run` needs no server and keeps queued tasks across restarts.
FILESYSTEM_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
elif IN_TEST_SUITE:
    CELERY_BROKER_URL = "memory://localhost/"
else:
    CELERY_BROKER_URL = "filesystem://"
# Eager only in the test suite (a test marked for a live worker starts one); anywhere else a
# worker runs the tasks, as in production. CELERY_EAGER=1 runs them in the web process
# (a bare `manage.py runserver` without `make run`'s worker).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", IN_TEST_SUITE)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No task may be lost: acknowledge only after the task ran, give the message back if the
# worker dies mid-task, and let each worker hold only the message it is working on.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Redis redelivers a message that was taken but never acknowledged (its worker died) after
# this many seconds. It must exceed the longest task (the hard time limit, 600 s) or a slow
# task would run twice; an hour leaves room for a task waiting in a worker's prefetch.
# Reports are not left waiting that long: the beat sweeper (REPORT_ROUTING_SWEEP_SECONDS)
# runs the batch router, which claims pending rows with SKIP LOCKED, so a report is routed
# once however many routers run.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 6)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # kombu retries opening a channel with sleeps in between (2 s by default); one quick
    # try is enough when a web request publishes.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
if CELERY_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        # One folder for both directions: this machine writes and reads the same queue.
        "data_folder_in": str(FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(FILESYSTEM_BROKER_DIR / "queue"),
        # Taking a message renames it into this folder, atomic on the same disk, so two
        # worker processes never take the same message (`make run` empties it at start).
        "store_processed": True,
        "processed_folder": str(FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(FILESYSTEM_BROKER_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request tries once: a missed doorbell is picked up by the sweepers
# that later issues add to the beat schedule, and the request never waits on Redis.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
# Beat remembers each job's last run here, so a restart catches up instead of starting over.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A scheduled job is late (reported on /readyz) when it has not succeeded within twice its
# interval plus this grace, or this long after a crontab time; the grace is the longest a
# job may run (the hard time limit).
SCHEDULED_JOB_GRACE_SECONDS = env_int("SCHEDULED_JOB_GRACE_SECONDS", CELERY_TASK_TIME_LIMIT)
CELERY_BEAT_SCHEDULE = queues.beat_schedule(
    routing_sweep_seconds=float(env_int("REPORT_ROUTING_SWEEP_SECONDS", 60))
)

# Public pages for anonymous visitors from the shared cache (wenzhou_portal.page_cache): a
# copy lives at most PUBLIC_PAGE_CACHE_SECONDS, is replaced as soon as what it shows changes,
# and each process trusts its own copies for PUBLIC_PAGE_CACHE_LOCAL_SECONDS (the staleness
# bound after a change). Off in the test suite, whose tests change data between requests;
# the cache's own tests switch it on.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", not IN_TEST_SUITE)
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600)
PUBLIC_PAGE_CACHE_LOCAL_SECONDS = float(env_str("PUBLIC_PAGE_CACHE_LOCAL_SECONDS", "5"))

# --- Celery queues ---------------------------------------------------------------------
# One queue per kind of work, so that a flood of one kind never delays another: the
# thousands of notices a debunk can send must not hold a new report back from its
# department. Production runs a worker per queue (README, "Queues and workers"); a worker
# started without -Q (`make worker`, the embedded default, compose's worker) consumes every
# queue in CELERY_TASK_QUEUES. CELERY_QUEUE_PREFIX names the queues apart, so a test run's
# worker (or a second installation) can share one Redis without taking the others' tasks.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX")
ROUTING_QUEUE = CELERY_QUEUE_PREFIX + queues.ROUTING
NOTIFICATIONS_QUEUE = CELERY_QUEUE_PREFIX + queues.NOTIFICATIONS
HOUSEKEEPING_QUEUE = CELERY_QUEUE_PREFIX + queues.HOUSEKEEPING
INDEX_QUEUE = CELERY_QUEUE_PREFIX + queues.INDEX
CELERY_TASK_QUEUES = queues.task_queues(
    prefix=CELERY_QUEUE_PREFIX, default=CELERY_TASK_DEFAULT_QUEUE
)
CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] = "priority"
CELERY_TASK_ROUTES = queues.task_routes(prefix=CELERY_QUEUE_PREFIX)

# --- Auth ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, except that an API token's service account never signs in.
    "wenzhou_portal.accounts.PeopleOnlyBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none, the
# socket address is the client). wenzhou_portal.clients is the one reader of it.
PROXY_COUNT = env_int("PROXY_COUNT", 0)

# django-axes: lock an account after repeated failures, whichever addresses they came
# from (a per-address lock lets a botnet guess forever); office admins unlock.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "wenzhou_portal.clients.client_ip"
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks for the address in the lockout key; locking the account whatever the
    # address is the point (guesses spread over many addresses must add up).
    "axes.W006",
]

# Two-factor sign-in for staff (django-otp): required in production, optional in the
# embedded default so that `make run` stays one command.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = "清朗温州"

# --- I18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files and object storage ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Two stores (wenzhou_portal/storage.py). "default": files the public may see (covers,
# disclosure documents, redacted copies) and uploads held between form submissions.
# "private": evidence originals and staff copies, contest entries, campaign covers,
# disbursement evidence, imported donation lists; streamed only by views that check who
# asks, never by URL. Embedded default: local disk. OBJECT_STORAGE_URL set: two buckets on
# an S3-compatible store (MinIO, the city's object storage), so no web node keeps files.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
OBJECT_STORAGE_URL = env_str("OBJECT_STORAGE_URL")
# Origins a browser is redirected to for a public file's signed URL (CSP img-src).
OBJECT_STORAGE_ORIGINS: list[str] = []
if OBJECT_STORAGE_URL:
    _object_storage = {
        "endpoint_url": OBJECT_STORAGE_URL,
        "access_key": env_str("OBJECT_STORAGE_ACCESS_KEY") or None,
        "secret_key": env_str("OBJECT_STORAGE_SECRET_KEY") or None,
        "region_name": env_str("OBJECT_STORAGE_REGION", "us-east-1"),
        # MinIO and most government clouds want path-style (host/bucket/key).
        "addressing_style": env_str("OBJECT_STORAGE_ADDRESSING_STYLE", "path"),
        "signature_version": "s3v4",
        # Buckets stay private (no ACL is sent); a public file leaves by a signed URL only.
        "default_acl": None,
        # Never overwrite: an existing name is answered with another, as on local disk.
        "file_overwrite": False,
    }
    if _object_storage["addressing_style"] not in ("path", "virtual"):
        raise ImproperlyConfigured("OBJECT_STORAGE_ADDRESSING_STYLE is path or virtual.")
    if bool(_object_storage["access_key"]) != bool(_object_storage["secret_key"]):
        raise ImproperlyConfigured(
            "OBJECT_STORAGE_ACCESS_KEY and OBJECT_STORAGE_SECRET_KEY are set together "
            "(or neither, for credentials from the machine's role)."
        )
    _public_bucket = env_str("OBJECT_STORAGE_BUCKET", "qinglang-public")
    _private_bucket = env_str("OBJECT_STORAGE_PRIVATE_BUCKET", "qinglang-private")
    if _public_bucket == _private_bucket:
        raise ImproperlyConfigured(
            "OBJECT_STORAGE_BUCKET and OBJECT_STORAGE_PRIVATE_BUCKET must differ: originals "
            "never share a bucket with files handed out by URL."
        )
    # Where browsers reach the store, when web nodes reach it by an internal name.
    _public_endpoint = env_str("OBJECT_STORAGE_PUBLIC_URL", OBJECT_STORAGE_URL)
    _public_parts = urlsplit(_public_endpoint)
    OBJECT_STORAGE_ORIGINS = [
        f"{_public_parts.scheme}://{_public_parts.netloc}"
        if _object_storage["addressing_style"] == "path"
        else f"{_public_parts.scheme}://{_public_bucket}.{_public_parts.netloc}"
    ]
    _default_storage = {
        "BACKEND": "wenzhou_portal.storage.PublicS3Storage",
        "OPTIONS": {
            **_object_storage,
            "bucket_name": _public_bucket,
            "public_endpoint_url": _public_endpoint,
            "querystring_auth": True,
            # Short-lived: a signed URL copied out of a page stops working within minutes.
            "querystring_expire": env_int("OBJECT_STORAGE_SIGNED_URL_SECONDS", 300),
        },
    }
    _private_storage = {
        "BACKEND": "wenzhou_portal.storage.PrivateS3Storage",
        "OPTIONS": {**_object_storage, "bucket_name": _private_bucket},
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    # Follows settings.PRIVATE_MEDIA_ROOT, as FileSystemStorage follows MEDIA_ROOT.
    _private_storage = {"BACKEND": "wenzhou_portal.storage.PrivateFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email and text messages -----------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "清朗温州 <noreply@qinglang.wenzhou.gov.cn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_str("SMS_BACKEND", "wenzhou_portal.sms.LoggingSMSBackend")
# The office's own hotline, offered as a one-tap call on every page in senior mode
# (beside the national 12377); empty: only 12377 is offered.
OFFICE_HOTLINE = env_str("OFFICE_HOTLINE")
# A notification still pending after this long (its task was never delivered) is queued
# again by beat.
NOTIFICATION_REQUEUE_SECONDS = env_int("NOTIFICATION_REQUEUE_SECONDS", 300)
# Webhooks to departments' systems: short timeouts, so a slow endpoint only holds a
# worker briefly; plain http:// endpoints only where explicitly allowed (never production).
WEBHOOK_CONNECT_TIMEOUT = env_int("WEBHOOK_CONNECT_TIMEOUT", 3)
WEBHOOK_READ_TIMEOUT = env_int("WEBHOOK_READ_TIMEOUT", 5)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)

# --- Report desk -----------------------------------------------------------------------
# Limits (wenzhou_portal/limits.py): accepted reports count toward the minute and day
# budgets; every attempt, valid or not, counts toward the looser flood guard.
REPORT_RATE_LIMIT_MINUTE = env_str("REPORT_RATE_LIMIT_MINUTE", "5/m")
REPORT_RATE_LIMIT_DAY = env_str("REPORT_RATE_LIMIT_DAY", "50/d")
REPORT_FLOOD_LIMIT = env_str("REPORT_FLOOD_LIMIT", "30/m")
TRACK_RATE_LIMIT = env_str("TRACK_RATE_LIMIT", "20/m")
SUGGEST_RATE_LIMIT = env_str("SUGGEST_RATE_LIMIT", "60/m")
REPORT_EVIDENCE_MAX_BYTES = env_int("REPORT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
REPORT_EVIDENCE_MAX_FILES = 5
REPORT_EVIDENCE_MAX_PIXELS = env_int("REPORT_EVIDENCE_MAX_PIXELS", 40_000_000)
REPORT_CONTACT_RETENTION_DAYS = env_int("REPORT_CONTACT_RETENTION_DAYS", 180)
REPORT_ESCALATE_AFTER_WORKING_DAYS = env_int("REPORT_ESCALATE_AFTER_WORKING_DAYS", 2)
# Reports the router claims and routes in one transaction (rumors.services.routing).
REPORT_ROUTING_BATCH_SIZE = env_int("REPORT_ROUTING_BATCH_SIZE", 200)
OBSERVER_PRIORITY = 10
# Duplicate detection: how far back to look, and the similarity (0-1) above which a
# report is suggested to staff as a duplicate, or linked to the earlier one outright.
DUPLICATE_WINDOW_DAYS = env_int("DUPLICATE_WINDOW_DAYS", 30)
DUPLICATE_SUGGEST_THRESHOLD = float(env_str("DUPLICATE_SUGGEST_THRESHOLD", "0.3"))
DUPLICATE_AUTO_THRESHOLD = float(env_str("DUPLICATE_AUTO_THRESHOLD", "0.6"))
REPORT_STATS_MIN_GROUP = env_int("REPORT_STATS_MIN_GROUP", 5)
# Campaigns: text-message codes and their limits.
PHONE_CODE_TTL_SECONDS = 10 * 60
PHONE_CODE_MAX_ATTEMPTS = 5
PHONE_CODE_LIMIT_PER_NUMBER = env_str("PHONE_CODE_LIMIT_PER_NUMBER", "5/d")
PHONE_CODE_LIMIT_PER_CLIENT = env_str("PHONE_CODE_LIMIT_PER_CLIENT", "10/h")
VOTE_LIMIT_PER_CLIENT = env_str("VOTE_LIMIT_PER_CLIENT", "30/h")
# Event sign-ups and contest entries per client (a flood guard; each also needs a code).
CAMPAIGN_FORM_LIMIT = env_str("CAMPAIGN_FORM_LIMIT", "10/m")
# Organisations applying to the charity register: a flood guard per client.
CHARITY_FORM_LIMIT = env_str("CHARITY_FORM_LIMIT", "5/m")
CHARITY_FORM_DAILY_LIMIT = env_str("CHARITY_FORM_DAILY_LIMIT", "30/d")
# Donations (乐善365, part two). The portal never holds money: these bound what it lets a
# donor start and how long an unpaid order stays open.
CHARITY_DONATION_MIN_FEN = 100  # 1 yuan
CHARITY_DONATION_MAX_FEN = env_int("CHARITY_DONATION_MAX_FEN", 5_000_000)  # 50,000 yuan
CHARITY_ORDER_MINUTES = env_int("CHARITY_ORDER_MINUTES", 15)
# MIIT: a financial submission can be withdrawn within 10 minutes; a cancelled gift is
# refunded in full, and no disbursement draws on a gift still inside this window.
CHARITY_CANCEL_MINUTES = env_int("CHARITY_CANCEL_MINUTES", 10)
# Payment providers a project may name for its own channel. "simulated" is the development
# gateway (signed exactly as WeChat Pay v3 signs); production names real adapters only.
CHARITY_PAYMENT_PROVIDERS = env_list("CHARITY_PAYMENT_PROVIDERS", "" if PRODUCTION else "simulated")
# Where a payment notification must be no older than (seconds), as WeChat Pay advises.
CHARITY_NOTICE_MAX_AGE = env_int("CHARITY_NOTICE_MAX_AGE", 300)
# The public address of the portal: every link in an e-mail or text message is built from
# it. Production refuses to start without one (links to the development host reached
# citizens); elsewhere it defaults to the development server.
SITE_URL = env_str("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", SITE_URL):
    raise ImproperlyConfigured(
        "SITE_URL must be the portal's public base URL, such as https://ql.wenzhou.gov.cn"
        + (" (DJANGO_ENV=production requires it)." if PRODUCTION else f", got {SITE_URL!r}.")
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Every response carries a policy that allows our own origin only: no CDN, no inline code.
CONTENT_SECURITY_POLICY = security.content_security_policy(
    img_origins=OBJECT_STORAGE_ORIGINS, form_origins=env_list("CHARITY_PROVIDER_ORIGINS")
)

# --- Metrics ---------------------------------------------------------------------------
# /metrics (Prometheus) is not public: it answers the bearer of METRICS_TOKEN or a client
# (wenzhou_portal.clients.client_ip, behind PROXY_COUNT) inside METRICS_ALLOWED_NETWORKS,
# and is an ordinary 404 to anyone else. Neither set: nobody may scrape.
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters long.")
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")
if PRODUCTION:
    # Prometheus scrapes each web node at its internal address over plain HTTP (through
    # the proxy it would meet a different node each time); no redirect to https for it.
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = api.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api.SPECTACULAR_SETTINGS

# --- Logging: one JSON object per line on stdout ---------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = log_config.logging_config(level=LOG_LEVEL)
