"""How moderation knows content without importing it: each content app registers an adapter at start-up.

An adapter answers for one item type ("post", "thread", "profile"): who wrote an item, what to show of it,
where it lives, and how to hold, remove, restore or edit it. Moderation calls these and stores only the
item type and id, so a new content type needs no change here.

Visibility is spoken in moderation's words: "visible", "held" (awaiting review), "removed" (by
moderation), "gone" (deleted by its author or missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

VISIBLE, HELD, REMOVED, GONE = "visible", "held", "removed", "gone"
VISIBILITY_LABELS = {
    VISIBLE: pgettext_lazy("visibility", "visible"),
    HELD: _("awaiting review"),
    REMOVED: _("removed by moderation"),
    GONE: _("deleted"),
}


def visibility_label(visibility: str) -> str:
    return str(VISIBILITY_LABELS.get(visibility, visibility))


@dataclass(frozen=True)
class ItemInfo:
    """What moderation needs to know of an item, read in one go."""

    item_type: str
    item_id: int
    author_id: int | None
    visibility: str
    excerpt: str
    url: str
    scope: str = ""
    scope_label: str = ""
    language: str = ""

    @property
    def visibility_label(self) -> str:
        return visibility_label(self.visibility)


@dataclass(frozen=True)
class ContextEntry:
    """One neighbour of the item (a post around it), shown on the case page as members see it."""

    author_name: str
    html: str
    is_item: bool
    visibility: str
    label: str = ""

    @property
    def visibility_label(self) -> str:
        return visibility_label(self.visibility)


@dataclass
class ItemView:
    """The item as members see it, and its neighbours, for the case page."""

    title: str
    html: str
    body_source: str
    entries: list[ContextEntry] = field(default_factory=list)


class ContentAdapter:
    """Subclass per moderatable model and register it with `registry.register(adapter)`."""

    item_type: str = ""
    label: str = ""

    def info(self, item_id: int) -> ItemInfo | None:
        raise NotImplementedError

    def visible_to(self, user, item_id: int) -> bool:
        """Whether the user may see the item (and so flag it)."""
        raise NotImplementedError

    def lock(self, item_id: int) -> None:
        """Lock the item's row for the caller's transaction. Moderation locks the item before its case,
        as content writes do (an edit locks the post, then screening joins the case), so the two never
        wait for each other in opposite order."""

    def view(self, item_id: int) -> ItemView:
        raise NotImplementedError

    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        """Move the item to `visibility` (visible, held or removed); returns the visibility it had."""
        raise NotImplementedError

    def edit(self, item_id: int, *, actor, body: str) -> None:
        """Replace the item's text (edit and approve)."""
        raise NotImplementedError


@dataclass
class Registry:
    adapters: dict[str, ContentAdapter] = field(default_factory=dict)
    # Facts about a member for the case page ("posts: 12"), provided by content apps.
    member_facts: list[Callable[[int], list[tuple[str, str]]]] = field(default_factory=list)

    def register(self, adapter: ContentAdapter) -> None:
        if not adapter.item_type:
            raise ImproperlyConfigured("A moderation adapter needs an item_type.")
        self.adapters[adapter.item_type] = adapter

    def register_member_facts(self, provider: Callable[[int], list[tuple[str, str]]]) -> None:
        self.member_facts.append(provider)

    def get(self, item_type: str) -> ContentAdapter:
        try:
            return self.adapters[item_type]
        except KeyError:
            raise LookupError(item_type) from None

    def label(self, item_type: str) -> str:
        """The item type in the reader's language ("message" for a post in French)."""
        adapter = self.adapters.get(item_type)
        return str(adapter.label) if adapter is not None else item_type

    def choices(self) -> list[tuple[str, str]]:
        return [(key, str(adapter.label)) for key, adapter in sorted(self.adapters.items())]


registry = Registry()
