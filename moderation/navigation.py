"""Where to send a member after the netiquette: only to a page of this site."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Set in the session at sign-in for a member who has not accepted the current netiquette; the
# middleware sends the next page view to the netiquette once, then drops it.
LOGIN_CHECK_FLAG = "moderation.netiquette_check"
# Pages that stay reachable without accepting: the netiquette itself, sign-in and account pages,
# the administration, health checks, static files and the member's own settings.
EXEMPT_PREFIXES = ("/netiquette/", "/moderation/", "/accounts/", "/admin/", "/healthz", "/static/", "/me/")


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def netiquette_url(next_url: str | None = None) -> str:
    url = reverse("moderation:netiquette")
    if next_url and next_url != url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return url
