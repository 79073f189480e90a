"""The forum's sections of the sitemap (config/urls.py puts them in the index): what a signed-out
visitor may read, as the forum's selectors decide it for pages (visible_spaces_q, readable_threads,
the public profiles), never a definition of its own.

Threads and profiles are paged by ranges of keys (core/sitemaps.py): a page reads two columns of at
most `limit` rows by the primary key's index, whichever page it is.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from community.models import Space
from community.selectors.forum import readable_threads, space_list
from community.selectors.members import profiles_listed
from core.jinja import url
from core.sitemaps import KeyRangeSitemap, SiteSitemap


class SpaceSitemap(SiteSitemap):
    """The spaces a visitor may read (a few dozen: one page, one query)."""

    @cached_property
    def _spaces(self) -> list[Space]:
        return space_list(AnonymousUser())

    def items(self) -> list[Space]:
        return self._spaces

    def lastmod(self, space: Space) -> datetime | None:
        return space.last_activity_at

    def get_latest_lastmod(self) -> datetime | None:
        return max((space.last_activity_at for space in self._spaces if space.last_activity_at), default=None)


class ThreadSitemap(KeyRangeSitemap):
    """Every published thread of the spaces a visitor may read, archived ones included (they stay
    readable at their address), dated by their last activity."""

    def items(self) -> Any:
        return readable_threads(AnonymousUser()).values("pk", "last_activity_at")

    def location(self, row: dict) -> str:
        return url("community:thread", row["pk"])

    def lastmod(self, row: dict) -> datetime:
        return row["last_activity_at"]

    def get_latest_lastmod(self) -> datetime | None:
        # The latest activity among open threads (index community_thread_recent): archived threads are
        # at rest, and an archiving does not change what a thread's page says.
        latest = readable_threads(AnonymousUser()).filter(archived_at__isnull=True)
        return latest.order_by("-last_activity_at").values_list("last_activity_at", flat=True).first()


class ProfileSitemap(KeyRangeSitemap):
    """Members' public profiles, of those who have posted."""

    def items(self) -> Any:
        return profiles_listed().values("pk", "handle")

    def location(self, row: dict) -> str:
        return reverse("community:profile", args=[row["handle"]])
