"""Sections that apps above the forum add beside the home page's and a space's lists (events adds the
next events), without the forum importing them: each app registers a provider at start-up.

A section gives the versions of the rows it shows, which join the shared copy's key
(core.shared_pages), and renders itself only when the copy is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from accounts.permissions import Actor
from community.models import Space


@dataclass(frozen=True)
class Section:
    versions: tuple
    render: Callable[[HttpRequest], str]


SectionProvider = Callable[[Actor, Space | None], Section | None]
PROVIDERS: list[SectionProvider] = []


def section_register(provider: SectionProvider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def sections(user: Actor, space: Space | None = None) -> list[Section]:
    """The sections for this reader, on the home page (space None) or a space's page; a provider with
    nothing to show gives none."""
    found = (provider(user, space) for provider in PROVIDERS)
    return [section for section in found if section is not None]


def versions(found: list[Section]) -> tuple:
    return tuple(version for section in found for version in section.versions)
