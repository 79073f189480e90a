"""Addresses on the site's canonical origin (settings.SITE_URL), for what is read away from the request:
e-mails, feeds, sitemaps, and the head tags of pages whose shared copies every host is served."""

from __future__ import annotations

from django.conf import settings


def absolute_url(url: str) -> str:
    """A path of the site made absolute; any other URL (another site, mailto:) left as it is."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") and not url.startswith("//") else url
