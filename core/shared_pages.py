"""Shared rendered pages: the site's one caching pattern.

A page that reads the same for everyone allowed to see it is rendered once, as a signed-out visitor
sees it, and stored in Redis under a key made of versions its own rows carry (read by the query that
checks access: a thread's or a space's `version`, the versions of the spaces the home page lists;
every service that changes what the page shows bumps them in its transaction), the language, the
time zone, the branding and the release. A change bumps a version, so the next
reader renders the page afresh; nothing is ever deleted or marked, and old copies expire. Members get
the same bytes as visitors (the home page has one copy for visitors and one for members, who read
more spaces): what differs per member comes from one small overlay request the page makes. With
Redis down every read misses and the page is simply rendered.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from core.branding import branding_get


def digest(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=10).hexdigest()


# What a page is rendered from: the apps' code and templates (Django's and Jinja2's), the project's
# templates, translations and static files (a copy names their hashed file names).
RELEASE_FILES = (
    "*/*.py", "*/*/*.py", "*/templates/**/*.html", "*/jinja2/**/*.jinja", "templates/**/*.html",
    "locale/**/*.po", "static/**/*.css", "static/**/*.js",
)  # fmt: skip
RELEASE_SKIPPED = {".venv", "tests", "bench", "migrations", "node_modules"}


@functools.cache
def release() -> str:
    """Everything a page is rendered from, hashed once per process: a deploy that changes any of it
    starts new copies instead of serving old ones (and old and new processes never share a key)."""
    base = Path(settings.BASE_DIR)
    files = sorted(
        {
            path
            for pattern in RELEASE_FILES
            for path in base.glob(pattern)
            if not RELEASE_SKIPPED.intersection(path.relative_to(base).parts)
        }
    )
    return digest(*(path.read_bytes() for path in files))


def pending_messages(request: HttpRequest) -> bool:
    """Whether a message waits to be shown ("Your reply is saved"): such a page is the reader's own."""
    return CookieStorage.cookie_name in request.COOKIES or (
        hasattr(request, "session") and SessionStorage.session_key in request.session
    )


def shareable(request: HttpRequest, params: Iterable[str] = ()) -> bool:
    """Whether this request may be served a shared copy, as far as the request alone tells: a plain GET
    reading only the page's own query parameters (a made-up one would make a copy of its own), with
    no message waiting."""
    return (
        settings.SHARED_PAGE_SECONDS > 0
        and request.method == "GET"
        and set(params).issuperset(request.GET)
        and not getattr(request, "htmx", False)
        and not pending_messages(request)
    )


def as_visitor(request: HttpRequest) -> HttpRequest:
    """The request as a signed-out visitor would make it: what a shared page is rendered from."""
    visitor = copy.copy(request)
    visitor.user = AnonymousUser()
    visitor.META = {key: value for key, value in request.META.items() if key != "CSRF_COOKIE"}
    return visitor


def shared_page(
    request: HttpRequest,
    *,
    name: str,
    versions: tuple,
    render: Callable[[HttpRequest], HttpResponse],
    content_type: str | None = None,
) -> HttpResponse:
    """The page `name` for these versions, from Redis, or rendered as a visitor sees it and stored.

    Every page shows the site's branding, so the key carries it too. `render(visitor_request)` renders
    the page; only a 200 is stored. `content_type`: of a page that is not HTML (a calendar).
    """
    branding = branding_get()
    site = (branding.name, branding.tagline, branding.welcome, branding.brand_colour)
    language, zone = get_language(), timezone.get_current_timezone_name()
    key = f"shared:{name}:{digest(*versions, *site)}:{language}:{zone}:{release()}"
    kept = cache.get(key)
    if kept is not None:
        return HttpResponse(kept, content_type=content_type)
    response = render(as_visitor(request))
    if response.status_code == 200 and not response.cookies:
        cache.set(key, response.content, timeout=settings.SHARED_PAGE_SECONDS)
    return response
