"""What an e-mail to members can hold, registered by the apps that own the content (like
`admin.site.register`): community registers the threads, replies and mentions, new members and the
unread count of a digest and the threads a community manager picks for the newsletter; events register
upcoming events. mailings lays them out, sends and counts, and never imports those apps.

Builders work on a batch of members at once, so a batch costs a fixed number of queries; what is the
same for many members (popular threads for one set of readable spaces) is built once per set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Period:
    """What a digest covers: [start, end), in UTC; `frequency` is the member's choice."""

    start: datetime
    end: datetime
    frequency: str

    @property
    def last_day(self) -> datetime:
        """The period's last day (its end is the next day's midnight)."""
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class DigestBlock:
    key: str
    # Blocks are laid out in this order.
    order: int
    # "<app>/email/<name>": <name>.html and <name>.txt render the block from its context.
    template: str
    # For a batch of members (accounts.User) and a period: member pk → the block's context; a member
    # absent from the answer has nothing in this block.
    build: Callable[[list, Period], dict[int, dict]]
    # A digest goes out only when one of its news blocks has something (the unread count alone is not
    # news: it is shown beside news, never sent on its own).
    news: bool = True


DIGEST_BLOCKS: dict[str, DigestBlock] = {}


def digest_block_register(block: DigestBlock) -> None:
    DIGEST_BLOCKS[block.key] = block


def digest_blocks() -> list[DigestBlock]:
    return sorted(DIGEST_BLOCKS.values(), key=lambda block: block.order)


@dataclass(frozen=True)
class Pick:
    """One item a community manager can put in the newsletter, as the picker shows it."""

    source: str
    ref: str
    title: str
    excerpt: str
    url: str


@dataclass(frozen=True)
class PickSource:
    """Items a community manager hand-picks for the newsletter (threads and posts, events)."""

    key: str
    label: object
    order: int
    template: str
    # The picker: what matches the query that the actor may put in a newsletter (public items only).
    search: Callable[[object, str], list[Pick]]
    # At send time, for the picked refs and a batch of members: member pk → {"items": [Pick, …]} with
    # only what that member may see (an item since hidden or removed is left out); `template` renders
    # them ({"picks": [Pick, …], "label": label}), their URLs already through the click redirect.
    build: Callable[[list[str], list], dict[int, dict]]


PICK_SOURCES: dict[str, PickSource] = {}


def pick_source_register(source: PickSource) -> None:
    PICK_SOURCES[source.key] = source


def pick_sources() -> list[PickSource]:
    return sorted(PICK_SOURCES.values(), key=lambda source: source.order)


# Figures of the month for the newsletter: reporting registers one once KPIs exist; until then the
# newsletter's form does not offer the block. Given the month's first day, (label, value) pairs.
FIGURES: list[Callable[[datetime], list[tuple[str, str]]]] = []


def figures_register(figures: Callable[[datetime], list[tuple[str, str]]]) -> None:
    FIGURES[:] = [figures]
