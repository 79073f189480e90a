"""Screening on write: watched terms, new members' holds, pre-moderated spaces, links, mentions and rate.

Watched terms are plain words, never regular expressions: each is folded (case, accents, simple
leetspeak) and escaped, and a trailing * becomes a bounded run of letters. The text is folded the same
way one character for one character, so a match's span in the folded text is its span in the original
and a term can be replaced in place. The combined pattern is an alternation of literals with bounded
repeats: its cost grows linearly with the text, whatever the community managers type.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from moderation.models import NetiquetteRule, Source, TermAction, WatchedTerm

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
TERM_ALLOWED = re.compile(r"^[\w' -]{2,60}\*?$")
WILDCARD = r"\w{0,30}"
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MAX_TERMS = 2000
# Limits meant for people typing (new members' links and mentions, bursts), off for trusted bulk writers
# such as the demo seed.
_LIMITS_OFF: ContextVar[bool] = ContextVar("moderation_screening_limits_off", default=False)


@contextlib.contextmanager
def member_limits_off() -> Iterator[None]:
    """Within this block, screening skips the link, mention and rate limits (watched terms still apply)."""
    token = _LIMITS_OFF.set(True)
    try:
        yield
    finally:
        _LIMITS_OFF.reset(token)


def fold_char(char: str) -> str:
    """One character folded to one character: lower case, no accent, leetspeak digits as letters."""
    base = unicodedata.normalize("NFKD", char)[:1] or char
    return base.lower()[:1].translate(LEET) or char


def fold(text: str) -> str:
    return "".join(fold_char(char) for char in text)


def term_normalize(term: str) -> str:
    """The folded form of a watched term, or ValidationError when it is not a plain word or phrase."""
    term = " ".join((term or "").split())
    if not TERM_ALLOWED.match(term) or term.count("*") > 1:
        raise ValidationError(
            _(
                "A watched term is a plain word or phrase of 2 to 60 letters, digits, spaces, apostrophes "
                "or dashes, optionally ending with *. Regular expressions are not accepted: they could "
                "make screening hang."
            )
        )
    return fold(term.rstrip("*")) + ("*" if term.endswith("*") else "")


def _pattern(normalized: str) -> str:
    wildcard = normalized.endswith("*")
    core = re.escape(normalized.rstrip("*"))
    return rf"(?<!\w){core}{WILDCARD if wildcard else ''}(?!\w)"


@dataclass(frozen=True)
class Term:
    pk: int
    normalized: str
    action: str
    replacement: str
    rule_id: int
    rule_number: int


@functools.lru_cache(maxsize=8)
def _compiled(terms: tuple[Term, ...]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(f"(?P<t{i}>{_pattern(t.normalized)})" for i, t in enumerate(terms)))


def active_terms() -> tuple[Term, ...]:
    rows = (
        WatchedTerm.objects.filter(active=True)
        .order_by("-action", "normalized")
        .values_list("pk", "normalized", "action", "replacement", "rule_id", "rule__number")[:MAX_TERMS]
    )
    return tuple(Term(*row) for row in rows)


@dataclass(frozen=True)
class TermMatch:
    term: Term
    start: int
    end: int
    text: str


def find_terms(text: str, terms: tuple[Term, ...]) -> list[TermMatch]:
    pattern = _compiled(terms)
    if pattern is None or not text:
        return []
    found = []
    for match in pattern.finditer(fold(text)):
        index = int(match.lastgroup[1:])
        found.append(TermMatch(terms[index], match.start(), match.end(), text[match.start() : match.end()]))
    return found


@dataclass(frozen=True)
class Reason:
    source: str
    detail: str
    rule_id: int | None = None
    held: bool = True


@dataclass
class ScreeningResult:
    text: str
    title: str = ""
    hold: list[Reason] = field(default_factory=list)
    flag: list[Reason] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.hold)

    @property
    def reasons(self) -> list[Reason]:
        return [*self.hold, *self.flag]


class Blocked(ValidationError):
    """A watched term with the block action: the author is told which rule, nothing is written."""


def screen_text(
    *,
    text: str,
    author_post_total: int | None = None,
    newcomer_hold_posts: int = 0,
    premoderated: bool = False,
    mention_count: int = 0,
    recent_post_count: int = 0,
    field_name: str = "body",
) -> ScreeningResult:
    """Screen one text before it is written. Raises Blocked; returns the (maybe replaced) text and reasons.

    `author_post_total` is how many posts the author has (None for a text that is not a post, such as a
    title or a bio: only watched terms apply); `recent_post_count` is how many posts the author wrote
    within the policy's burst window, this one included. Counting is the caller's: moderation never
    reads content.
    """
    from moderation.selectors import policy_get

    policy = policy_get()
    result = ScreeningResult(text=text)
    matches = find_terms(text, active_terms())
    blocking = next((m for m in matches if m.term.action == TermAction.BLOCK), None)
    if blocking is not None:
        rule = NetiquetteRule.objects.filter(pk=blocking.term.rule_id).first()
        message = _("This text cannot be published: “%(term)s” goes against rule %(number)s (%(title)s).") % {
            "term": blocking.text,
            "number": blocking.term.rule_number,
            "title": rule.title if rule else "",
        }
        raise Blocked({field_name: message})
    replaced = [m for m in matches if m.term.action == TermAction.REPLACE]
    for match in sorted(replaced, key=lambda m: m.start, reverse=True):
        result.text = result.text[: match.start] + match.term.replacement + result.text[match.end :]
    for match in matches:
        if match.term.action == TermAction.HOLD:
            result.hold.append(Reason(Source.WATCHED_TERM, match.text, match.term.rule_id))
        elif match.term.action == TermAction.FLAG:
            result.flag.append(Reason(Source.WATCHED_TERM, match.text, match.term.rule_id, held=False))
    if premoderated:
        result.hold.append(Reason(Source.PREMODERATED, _("Pre-moderated space")))
    if author_post_total is None:
        return result
    if newcomer_hold_posts and author_post_total < newcomer_hold_posts:
        result.hold.append(
            Reason(
                Source.NEW_MEMBER,
                _("Post %(n)s of the first %(limit)s of a new member")
                % {"n": author_post_total + 1, "limit": newcomer_hold_posts},
            )
        )
    limits = not _LIMITS_OFF.get()
    if limits and author_post_total < policy.newcomer_posts:
        links = len(LINK.findall(text))
        if links > policy.newcomer_max_links:
            result.hold.append(
                Reason(
                    Source.LINKS,
                    _("%(n)s links from a new member (at most %(limit)s)")
                    % {"n": links, "limit": policy.newcomer_max_links},
                )
            )
        if mention_count > policy.newcomer_max_mentions:
            result.hold.append(
                Reason(
                    Source.LINKS,
                    _("%(n)s mentions from a new member (at most %(limit)s)")
                    % {"n": mention_count, "limit": policy.newcomer_max_mentions},
                )
            )
    if limits and recent_post_count > policy.burst_posts:
        result.hold.append(
            Reason(
                Source.RATE,
                _("%(n)s posts within %(seconds)s seconds")
                % {"n": recent_post_count, "seconds": policy.burst_seconds},
            )
        )
    return result
