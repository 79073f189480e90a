"""Error reporting (Sentry, only with SENTRY_DSN) and the logging configuration, used by settings.py.

Nothing here imports sentry_sdk unless a DSN is set: without one, reporting is off and costs nothing.
"""

from __future__ import annotations

from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from core.observability import EMAIL, EMAIL_REPLACEMENT, scrub

__all__ = ["EMAIL", "EMAIL_REPLACEMENT", "scrub"]

if TYPE_CHECKING:
    from sentry_sdk._types import DataCollectionUserOptions

# Request headers that identify or authenticate someone; sent to nobody.
DROPPED_HEADERS = {"authorization", "cookie", "x-forwarded-for", "x-real-ip", "forwarded"}
# What a user entry may keep: an id is not personal data Sentry could reuse.
USER_KEYS_KEPT = {"id"}
# send_default_pii=False, written as the `data_collection` option that replaces it in sentry-sdk 2.76 (the
# old option now warns), and stricter: no user, no cookies, no request bodies, no SQL parameters, no
# message payloads; headers naming a client address or a credential are filtered out.
DATA_COLLECTION: DataCollectionUserOptions = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {
        "request": {"mode": "denylist", "terms": ["forwarded", "-ip", "remote-", "via", "-user"]},
    },
    "http_bodies": [],
    "database_query_data": False,
    "queues": False,
    # Frames' local variables hold requests (their paths carry tokens), forms, e-mails being sent, and
    # queries carry tokens: the traceback's lines and the route tell where, without what.
    "stack_frame_variables": False,
    "url_query_params": {"mode": "off"},
}


def scrub_event(event: Any, hint: Any = None) -> Any:
    """Sentry's before_send: no e-mail address anywhere (message, exception values, breadcrumbs, extra,
    local variables), no cookies, no Authorization or client-address headers, no user but its id; the
    request's address is its route (the transaction's name): paths and queries carry calendar, ticket
    and unsubscribe tokens and invitation codes."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("query_string", None)
        route = event.get("transaction")
        if "url" in request:
            request["url"] = route if isinstance(route, str) and route.startswith("/") else "-"
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in DROPPED_HEADERS
            }
        env = request.get("env")
        if isinstance(env, dict):
            env.pop("REMOTE_ADDR", None)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {key: value for key, value in user.items() if key in USER_KEYS_KEPT}
    return scrub(event)


def init_sentry(
    *,
    dsn: str,
    environment: str,
    release: str | None = None,
    traces_sample_rate: float = 0.0,
    **options: Any,
) -> None:
    """Report errors of the web processes, the Celery worker and beat (settings are loaded by all).
    Logging's defaults: INFO and above as breadcrumbs, ERROR and above as events."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        data_collection=DATA_COLLECTION,
        integrations=[DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
        # Redis commands name their keys, and cache keys hold session ids and rate-limited addresses.
        disabled_integrations=[RedisIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        **options,
    )


def addresses(value: str) -> list[tuple[str, str]]:
    """ "Ann <ann@example.com>, bob@example.com" → [("Ann", "ann@example.com"), ("", "bob@example.com")]."""
    return [(name, address) for name, address in getaddresses([value]) if "@" in address]


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Every line through one console handler: JSON lines (production) or plain text (development),
    with the request id. Django's errors (django.request), its development server and gunicorn's error
    and access lines included; 500s are also e-mailed to ADMINS when DEBUG is off (Django's default)."""
    console = {"handlers": ["console"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.observability.RequestIdFilter"},
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "core.observability.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            },
            "mail_admins": {
                "level": "ERROR",
                "filters": ["require_debug_false"],
                "class": "django.utils.log.AdminEmailHandler",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replaces Django's default, whose own console handler would print each line a second time.
            "django": {"handlers": ["mail_admins"], "level": level, "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            "django.server": {**console, "level": "INFO"},
            "gunicorn.error": console,
            # Django writes the access lines (core.observability, ACCESS_LOG): gunicorn's carry the path.
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
    }
