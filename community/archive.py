"""Sections that apps above the forum add to the archive's month pages (events adds the month's past
events), without the forum importing them: each app registers a provider at start-up, as for the home
page's sidebar (community.sidebar), and gives the same Section.

A provider is called with the reader, the space (None for the whole community's archive) and the
month; it checks what the reader may see and returns None when it has nothing for that month.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.permissions import Actor
from community.models import Space
from community.sidebar import Section

ArchiveSectionProvider = Callable[[Actor, Space | None, int, int], Section | None]
PROVIDERS: list[ArchiveSectionProvider] = []


def archive_section_register(provider: ArchiveSectionProvider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def archive_sections(user: Actor, space: Space | None, year: int, month: int) -> list[Section]:
    """The sections of one month of the archive, in the order the apps registered."""
    found = (provider(user, space, year, month) for provider in PROVIDERS)
    return [section for section in found if section is not None]
