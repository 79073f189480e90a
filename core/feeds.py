"""What the apps' Atom feeds share (django.contrib.syndication): entries carrying their whole text,
addresses on SITE_URL, and ids that never change."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.feedgenerator import Atom1Feed


class AtomFeed(Atom1Feed):
    """Atom whose entries carry their text whole (`content`: already sanitised HTML) rather than a
    summary."""

    def root_attributes(self) -> dict:
        # Links inside the posts (mentions, quotes) are relative to the site.
        return {**super().root_attributes(), "xml:base": f"{settings.SITE_URL}/"}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def tag_uri(kind: str, pk: int, created: datetime) -> str:
    """An entry's id (RFC 4151 tag URI) from what never changes about it: a feed reader that met it
    once never shows it as new again, wherever it moves (a page number, a renamed thread)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{created.astimezone(UTC):%Y-%m-%d}:{kind}/{pk}"
