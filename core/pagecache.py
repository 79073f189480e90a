"""Whole pages for signed-out visitors, shared for a few seconds: a member's profile and search.

Threads, spaces and the home page are shared by version (core/shared_pages.py); these two are not,
because what they list has no version of its own (a search's results depend on every post).
Most of a public community's traffic is signed-out readers, and the same page is the same for all of
them. Such a page carries no CSRF token (its only forms are the search, a GET, and the language links)
and no per-visitor state, so it is kept in Redis per language and URL for a few seconds. Anyone with a
session or a pending message gets the page rendered for them, and a response that sets a cookie is never
kept. Scripts are external files allowed by `script-src 'self'`, so a kept page needs no fresh nonce.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from core.shared_pages import pending_messages


def _shareable(request: HttpRequest, params: frozenset[str]) -> bool:
    return (
        request.method == "GET"
        # Only the query parameters the page reads: a made-up one would keep a copy of its own.
        and params.issuperset(request.GET)
        and not request.user.is_authenticated
        and not getattr(request, "htmx", False)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not pending_messages(request)
    )


def anonymous_page_cache(params: Iterable[str] = (), on_hit: Callable[..., None] | None = None):
    """Serve signed-out visitors a copy of the page rendered at most ANONYMOUS_PAGE_SECONDS ago.

    `params`: the query parameters the page reads; a request with any other is rendered, not kept.
    `on_hit(request, **kwargs)` runs when the copy is served (a view count, say), since the view does not.
    """
    params = frozenset(params)

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            seconds = settings.ANONYMOUS_PAGE_SECONDS
            if not seconds or not _shareable(request, params):
                return view(request, *args, **kwargs)
            key = f"page:{get_language()}:{request.get_full_path()}"
            kept = cache.get(key)
            if kept is not None:
                if on_hit is not None:
                    on_hit(request, *args, **kwargs)
                response = HttpResponse(kept[0], content_type=kept[1])
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming and not response.cookies:
                    cache.set(key, (response.content, response["Content-Type"]), timeout=seconds)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            return response

        return wrapped

    return decorator
