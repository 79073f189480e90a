"""What a page tells search engines, feed readers and link previews about itself (templates/_head.html).

Only pages a signed-out visitor may read describe themselves: a page that only members, the team or its
author may see (a members-only space, a held thread) asks not to be indexed and says nothing more, since
a link preview or a search engine's snippet would repeat its text to anyone. Absolute addresses are built
on SITE_URL, not on the request's host: shared copies of pages are served to every host.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language, to_locale

from core.links import absolute_url
from core.text import plain_excerpt

# Search engines show about this much of a description.
DESCRIPTION_CHARS = 160
# OpenGraph wants a territory; the site's languages are written for these readers first.
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True)
class PageHead:
    """A public page's canonical path (with its page number when paged), title, description (plain
    text, cut here), OpenGraph type and Atom feed; `PageHead.private()` for a page only some may see."""

    path: str = ""
    title: str = ""
    description: str = ""
    kind: str = "website"
    feed: str = ""
    feed_title: str = ""
    indexable: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "description", plain_excerpt(self.description, DESCRIPTION_CHARS))

    @classmethod
    def private(cls) -> PageHead:
        return cls(indexable=False)

    @property
    def origin(self) -> str:
        return settings.SITE_URL

    @property
    def url(self) -> str:
        return absolute_url(self.path)

    @property
    def feed_url(self) -> str:
        return absolute_url(self.feed) if self.feed else ""

    @property
    def locale(self) -> str:
        language = get_language() or settings.LANGUAGE_CODE
        return OG_LOCALES.get(language, to_locale(language))
