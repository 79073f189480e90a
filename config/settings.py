"""Agora settings: one file, driven by environment variables (documented in the README)."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config import embedded, observability

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def refuse_to_start(sentence: str) -> None:
    """Stop start-up with one clear sentence instead of a traceback."""
    sys.stderr.write(f"Agora cannot start: {sentence}\n")
    raise SystemExit(1)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        refuse_to_start("SECRET_KEY must be set when DEBUG is off (a long random string).")
    SECRET_KEY = "agora-development-key-not-for-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        refuse_to_start("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names).")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.AgoraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "csp",
    "config.apps.PlatformConfig",
    "django.contrib.postgres",
    "core",
    "accounts",
    "anymail",
    "mailings",
    "moderation",
    "community",
    "events",
    "reporting",
]

MIDDLEWARE = [
    # First: every later middleware, the view and Django's error lines log under the request's id.
    "core.observability.RequestIdMiddleware",
    # Requests and latency by view for /metrics (off, and out of the chain, without METRICS_TOKEN).
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.MemberPreferencesMiddleware",
    "accounts.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "moderation.middleware.NetiquetteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Names the CSP's report-to group on responses with a policy (listed first: it sees them after CSP).
    "config.csp.ReportingEndpointsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Page views, visitors and members' days for the dashboards (Redis only; reporting flushes them).
    "reporting.middleware.ActivityMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "config.context_processors.site",
                "moderation.context_processors.netiquette",
                "community.context_processors.notifications",
            ],
            "builtins": ["core.templatetags.bidi", "core.templatetags.pagehead"],
        },
    },
    # The few hot templates, where Django's template language measured too slow (core/jinja.py).
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "core.jinja.environment"},
    },
]

# Data ---------------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or embedded.default_database_url(),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL") or embedded.default_redis_url()
# Redis is an accelerator: with it down, cache reads miss and writes are dropped (django-redis's
# IGNORE_EXCEPTIONS), so pages are rendered afresh and sessions read from PostgreSQL (cached_db).
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "agora"),
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 1,
        },
    }
}
# One traceback per cache call would flood the log during an outage; /healthz reports Redis instead.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False

# Accounts -----------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.CachedModelBackend",
    "accounts.backends.CachedAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "mailings.signup.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

# Internationalisation -----------------------------------------------------------------------------

LANGUAGE_CODE = env("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# Static files -------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail -------------------------------------------------------------------------------------------

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds an SMTP operation may block: a hung server must not hold a batch past its claim.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(embedded.DATA_DIR / "mail"))
# An e-mail provider through django-anymail: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend, its
# keys as JSON in ANYMAIL_SETTINGS, and the webhooks' basic-auth secret ("user:password"); bounces and
# complaints then arrive at /mailings/anymail/<esp>/tracking/ (mailings.receivers).
ANYMAIL = {
    **json.loads(env("ANYMAIL_SETTINGS", "{}") or "{}"),
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", ""),
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Agora <noreply@localhost>")
# Sender of the error e-mails Django sends to ADMINS (500s, when DEBUG is off).
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# "Ann <ann@example.com>, Bob <bob@example.com>": who gets those e-mails (none when empty).
ADMINS = observability.addresses(env("ADMINS"))
# At most this many e-mails a minute, all workers together (0: as fast as the server takes them), so a
# large newsletter does not trip the provider's limits; notifications go first whatever is queued.
MAILINGS_RATE_PER_MINUTE = int(env("MAILINGS_RATE_PER_MINUTE", "0"))
# Digests go out from this hour, in each member's time zone, the morning after their period ends.
MAILINGS_DIGEST_HOUR = int(env("MAILINGS_DIGEST_HOUR", "8"))
# The KPI e-mail to the marketing group: "weekly", "monthly", or "" for none.
REPORTING_KPI_MAIL = env("REPORTING_KPI_MAIL", "weekly")
# An e-mail still "sending" this long after a worker took it is taken again (the worker died).
MAILINGS_CLAIM_TIMEOUT = int(env("MAILINGS_CLAIM_TIMEOUT", "600"))
# Housekeeping (each job nightly, in batches; the privacy notice states these periods): delivery rows
# (the log of e-mails sent) once sent, skipped or failed for good; members' notifications once read;
# accounts whose address was never confirmed (nobody could sign in to them, so they hold no content).
OUTBOX_RETENTION_DAYS = int(env("OUTBOX_RETENTION_DAYS", "30"))
NOTIFICATIONS_READ_RETENTION_DAYS = int(env("NOTIFICATIONS_READ_RETENTION_DAYS", "90"))
UNVERIFIED_SIGNUP_DAYS = int(env("UNVERIFIED_SIGNUP_DAYS", "14"))
# Rows deleted per transaction by the housekeeping jobs: short locks, bounded memory.
HOUSEKEEPING_BATCH_SIZE = int(env("HOUSEKEEPING_BATCH_SIZE", "2000"))
# Where the site lives, for absolute links in e-mails (sent by workers, outside any request).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security -----------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions are read from Redis and written through to PostgreSQL, so a Redis restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading binds the whole domain and its subdomains to HTTPS in browsers for months and is hard to
# undo, so it is the deployer's opt-in (SECURE_HSTS_PRELOAD=1), not a default: don't warn about it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Probes and the metrics scraper talk plain HTTP to the container, inside the deployment's network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The visitor's address for rate limits (allauth's sign-in limits, core.ratelimit) and visitor counts:
# behind TRUSTED_PROXY_COUNT proxies that append to X-Forwarded-For (1 behind docs/nginx.conf.example)
# it is read from there, else every visitor would share the proxy's address. Default: 1 behind TLS.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    env("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)

# Limits on what could be repeated until the site or inboxes suffer (core/ratelimit.py), per member or,
# signed out, per address: "count/period", period s, m, h or d (e.g. 5/10m). Empty: no limit.
RATE_LIMITS = {
    "search": env("RATE_LIMIT_SEARCH", "30/m"),
    "flag": env("RATE_LIMIT_FLAG", "20/h"),
    "data_export": env("RATE_LIMIT_DATA_EXPORT", "5/h"),
    "invitation": env("RATE_LIMIT_INVITATION", "20/h"),
    # Browsers' Content-Security-Policy reports (/csp-report/, config/csp.py).
    "csp_report": env("RATE_LIMIT_CSP_REPORT", "60/m"),
}

# Where browsers report what the policy blocked (config.csp): report-uri for the browsers that know
# only it, report-to the group named by the Reporting-Endpoints header (config.csp.ReportingEndpoints).
CSP_REPORT_PATH = "/csp-report/"
CSP_REPORT_GROUP = "csp"
# The largest body read, and the rows a day may add (further new kinds are counted together), so a
# flood cannot fill the database; reports per client: RATE_LIMITS["csp_report"].
CSP_REPORT_MAX_BYTES = 16 * 1024
CSP_REPORT_DAILY_ROWS = int(env("CSP_REPORT_DAILY_ROWS", "1000"))

# Scripts run only with the per-response nonce; inline style attributes (Django admin) are tolerated.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": [CSP_REPORT_PATH],
        "report-to": CSP_REPORT_GROUP,
    }
}

# Celery -------------------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or (
    "redis+socket://" + REDIS_URL.removeprefix("unix://") if REDIS_URL.startswith("unix://") else REDIS_URL
)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "agora")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "agora.heartbeat", "schedule": 30.0},
    "reporting-rollup": {"task": "reporting.rollup_recent_days", "schedule": 3600.0},
    "reporting-activity-flush": {"task": "reporting.activity_flush", "schedule": 300.0},
    "reporting-surveys-start": {"task": "reporting.surveys_start", "schedule": 3600.0},
    "reporting-kpi-mail": {"task": "reporting.kpi_mail_queue", "schedule": 3600.0},
    "mailings-deliveries-send": {"task": "mailings.deliveries_send", "schedule": 60.0},
    "mailings-newsletters-start": {"task": "mailings.newsletters_start", "schedule": 60.0},
    # Each quarter of an hour: the digests whose period just ended where members live (time zones
    # with half-hour offsets included), from MAILINGS_DIGEST_HOUR local time.
    "mailings-digests-queue": {"task": "mailings.digests_queue", "schedule": crontab(minute="*/15")},
    "community-flush-thread-views": {"task": "community.flush_thread_views", "schedule": 60.0},
    # At night (CELERY_TIMEZONE): the threads quiet for longer than their space allows are archived.
    "community-archive-inactive-threads": {
        "task": "community.archive_inactive_threads",
        "schedule": crontab(hour=3, minute=30),
    },
    "events-reminders": {"task": "events.reminders_send", "schedule": 60.0},
    # Housekeeping at night (CELERY_TIMEZONE), each job in batches: what is past its keeping time goes.
    "accounts-sessions-clear-expired": {
        "task": "accounts.sessions_clear_expired",
        "schedule": crontab(hour=4, minute=0),
    },
    "mailings-deliveries-prune": {
        "task": "mailings.deliveries_prune",
        "schedule": crontab(hour=4, minute=10),
    },
    "community-notifications-prune": {
        "task": "community.notifications_prune",
        "schedule": crontab(hour=4, minute=20),
    },
    "community-unverified-signups-purge": {
        "task": "community.unverified_signups_purge",
        "schedule": crontab(hour=4, minute=30),
    },
    "events-surveys": {"task": "events.surveys_offer", "schedule": 3600.0},
}
# Signed-out visitors share a copy of public pages this many seconds old (0: never; core/pagecache.py).
ANONYMOUS_PAGE_SECONDS = int(env("ANONYMOUS_PAGE_SECONDS", "10"))
# Shared rendered pages (core/shared_pages.py) live at most this long; their keys follow every change,
# so this only bounds what a lost version bump could leave stale. 0: every page is rendered.
SHARED_PAGE_SECONDS = int(env("SHARED_PAGE_SECONDS", "3600"))
# Members who may read the same spaces share search results this many seconds (0: never).
SEARCH_RESULTS_SECONDS = int(env("SEARCH_RESULTS_SECONDS", "10"))
# Healthz calls beat unwell when the last heartbeat is older than this.
HEARTBEAT_MAX_AGE = timedelta(seconds=int(env("HEARTBEAT_MAX_AGE", "120")))

# Observing -----------------------------------------------------------------------------------------

# JSON lines for log collectors in production, plain text for developers (config/observability.py).
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    refuse_to_start("LOG_FORMAT must be json or plain.")
LOGGING = observability.logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", "INFO"))
# One line per request (method, route, status, milliseconds, request id) on logger agora.access, in place
# of gunicorn's access log, whose paths would carry tokens (core.observability.RequestIdMiddleware).
ACCESS_LOG = env_bool("ACCESS_LOG", not DEBUG)
# The Celery worker and beat log through LOGGING too, at LOG_LEVEL (config/celery.py); their -l is unused.

# /healthz gives its details (checks, errors, heartbeat age) to staff and to `Bearer <HEALTHZ_TOKEN>`.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN")
# /metrics answers only `Bearer <METRICS_TOKEN>`; without a token it is off (404).
METRICS_TOKEN = env("METRICS_TOKEN")
# Errors to Sentry, only when a DSN is set (sentry_sdk is not even imported otherwise).
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    observability.init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=env("SENTRY_RELEASE") or None,
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# The benchmark's ceiling: a trivial view at /bench/trivial/ (see bench/README.md). Never on in production.
BENCHMARK_VIEWS = env_bool("BENCHMARK_VIEWS", False)
