"""Rate limits on what a person, or a script, could repeat until the site or the inboxes suffer: search,
flags, the data export, invitations, CSP reports. Sign-in and sign-up have allauth's own limits.

Each limit counts in Redis, per member (or per address when signed out) in a fixed window: one INCR and
one EXPIRE in a single round trip. When Redis is unreachable the request goes through uncounted: these
limits protect resources, not secrets, and Redis is an accelerator (allauth's sign-in limits, which
guard passwords, refuse instead). SET NX then INCR, not EXPIRE NX: the embedded Redis is 6.2.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import redis
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What each limited page says, in the visitor's language, beside "try again in N minutes".
MESSAGES = {
    "search": _("You searched many times in a short while."),
    "flag": _(
        "You flagged many posts in a short while. The team reviews each flag; thank you for your help."
    ),
    "data_export": _("You downloaded your data several times in a short while."),
    "invitation": _("You created many invitation links in a short while."),
    "csp_report": _("Too many reports."),
}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/m" → (20, 60); "5/10m" → (5, 600)."""
    count, _slash, period = rate.partition("/")
    number = period[:-1] or "1"
    return int(count), int(number) * _UNITS[period[-1]]


def client_address(request: HttpRequest) -> str:
    """The visitor's address, behind as many trusted proxies as settings.ALLAUTH_TRUSTED_PROXY_COUNT says."""
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - a missing or malformed address shares one bucket, never errors
        return "unknown"


def _subject(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "a" + hashlib.sha256(client_address(request).encode()).hexdigest()[:16]


def retry_after(request: HttpRequest, scope: str) -> int:
    """Count this request against `scope`; 0 when it may go on, else the seconds until it may."""
    rate = settings.RATE_LIMITS.get(scope)
    if not rate:
        return 0
    limit, seconds = parse_rate(rate)
    key = cache.make_key(f"ratelimit:{scope}:{_subject(request)}")
    try:
        pipe = get_redis_connection("default").pipeline(transaction=False)
        pipe.set(key, 0, ex=seconds, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _new, count, ttl = pipe.execute()
        if ttl < 0:  # the key expired between SET and INCR, which made it anew with no lifetime
            get_redis_connection("default").expire(key, seconds)
            ttl = seconds
    except redis.RedisError:
        logger.warning("rate limit %s not counted: Redis is unreachable", scope)
        return 0
    if count <= limit:
        return 0
    return max(int(ttl), 1)


def too_many(request: HttpRequest, scope: str, wait: int) -> HttpResponse:
    """The 429 page: what was limited and when to come back, with Retry-After for scripts."""
    minutes = max(1, -(-wait // 60))
    context = {"message": MESSAGES.get(scope), "minutes": minutes}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, *, when: Callable[[HttpRequest], bool] | None = None) -> Callable:
    """Refuse a view with a 429 page past settings.RATE_LIMITS[scope]; `when`: which requests count."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if when is None or when(request):
                wait = retry_after(request, scope)
                if wait:
                    return too_many(request, scope, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_post(request: HttpRequest) -> bool:
    return request.method == "POST"
