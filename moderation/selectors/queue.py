"""Reads of the queue: what a member flagged, the queue's counts, and the case page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import CharField, Count, Exists, Q
from django.http import Http404

from moderation.models import (
    QUEUED,
    Appeal,
    AuditEntry,
    Case,
    CaseState,
    Decision,
    Flag,
    NetiquetteRule,
    Sanction,
    ScreeningMatch,
    Source,
)
from moderation.registry import ItemInfo, ItemView, registry
from moderation.selectors.standing import active_points, ladder_proposal

COUNTS_KEY = "moderation:queue:counts:2"
# The counts beside the filters are read from a copy this many seconds old: counting 100,000 open cases
# for every page view would cost more than the page itself (docs/benchmarks.md).
COUNTS_TIMEOUT = 30


def flaggable_item(user, item_type: str, item_id: int) -> ItemInfo:
    """The item a member may flag, or 404 for a missing, unknown or hidden one alike."""
    try:
        adapter = registry.get(item_type)
    except LookupError:
        raise Http404 from None
    info = adapter.info(item_id) if adapter.visible_to(user, item_id) else None
    if info is None:
        raise Http404
    return info


def my_flag(user, item_type: str, item_id: int) -> Flag | None:
    return (
        Flag.objects.filter(flagger_id=user.pk, item_type=item_type, item_id=item_id)
        .select_related("rule")
        .first()
    )


def flagged_by(user, item_type: str, item_id) -> Exists:
    """Whether the member flagged the item, as an expression for another app's query (`item_id`: an
    OuterRef to the item's id), so a page asks it in its own query instead of a second one."""
    return Exists(Flag.objects.filter(flagger_id=user.pk, item_type=item_type, item_id=item_id))


def flagged_ids(user, item_type: str, ids: list[int]) -> set[int]:
    """Which of these items the member flagged (one query; none for visitors)."""
    if not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(
        Flag.objects.filter(flagger_id=user.pk, item_type=item_type, item_id__in=ids).values_list(
            "item_id", flat=True
        )
    )


def queue_counts() -> dict:
    """Counts per filter of the queue, from a copy at most COUNTS_TIMEOUT seconds old (4 queries if cold)."""
    counts = cache.get(COUNTS_KEY)
    if counts is None:
        queued = Case.objects.filter(state__in=QUEUED).order_by()
        by_state = dict(queued.values_list("state").annotate(n=Count("pk")))
        by_source = dict(
            queued.annotate(source=_unnest("sources")).values_list("source").annotate(n=Count("pk"))
        )
        by_rule = dict(queued.values_list("rule_id").annotate(n=Count("pk")))
        by_scope = dict(queued.values_list("scope").annotate(n=Count("pk")))
        rules = list(
            NetiquetteRule.objects.order_by("number").values_list("pk", "number", "title_fr", "title_en")
        )
        counts = {"state": by_state, "source": by_source, "rule": by_rule, "scope": by_scope, "rules": rules}
        cache.set(COUNTS_KEY, counts, timeout=COUNTS_TIMEOUT)
    return counts


def _unnest(column: str):
    from django.db.models import Func

    return Func(column, function="unnest", output_field=CharField())


def claimed_count(user) -> int:
    return Case.objects.filter(state=CaseState.CLAIMED, claimed_by_id=user.pk).count()


@dataclass
class AuthorHistory:
    member: object | None
    facts: list[tuple[str, str]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sanctions: list[Sanction] = field(default_factory=list)
    points: int = 0


@dataclass
class CasePage:
    case: Case
    info: ItemInfo | None
    view: ItemView | None
    flags: list[Flag]
    matches: list[ScreeningMatch]
    decisions: list[Decision]
    appeal: Appeal | None
    history: AuthorHistory
    audit: list[AuditEntry]
    proposal: dict

    @property
    def is_appeal(self) -> bool:
        return self.appeal is not None


def case_page(case: Case) -> CasePage:
    """Everything a community manager needs to decide on one screen."""
    adapter = registry.get(case.item_type)
    info = adapter.info(case.item_id)
    view = adapter.view(case.item_id) if info is not None and info.visibility != "gone" else None
    author_id = info.author_id if info else case.author_id
    history = AuthorHistory(member=None)
    if author_id:
        history.member = get_user_model().objects.filter(pk=author_id).first()
        for provider in registry.member_facts:
            history.facts += provider(author_id)
        history.cases = list(
            Case.objects.filter(author_id=author_id)
            .exclude(pk=case.pk)
            .select_related("last_decision")
            .order_by("-opened_at")[:10]
        )
        history.sanctions = list(Sanction.objects.filter(user_id=author_id).order_by("-starts_at")[:10])
        history.points = active_points(author_id)
    appeal = Appeal.objects.select_related("decision__moderator", "decision__rule").filter(case=case).first()
    # The ladder's proposal for each rule, so the form can show it as the rule is chosen.
    proposal = {}
    if author_id:
        from moderation.models import LadderStep, NetiquetteRule

        steps = list(LadderStep.objects.all())
        for rule in NetiquetteRule.objects.filter(active=True):
            kind, days = ladder_proposal(history.points + rule.strike_points, steps)
            proposal[rule.pk] = {"sanction": kind, "days": days, "points": rule.strike_points}
    return CasePage(
        case=case,
        info=info,
        view=view,
        flags=list(case.flags.select_related("flagger", "rule").order_by("created_at")),
        matches=list(case.matches.select_related("rule").order_by("created_at")),
        decisions=list(case.decisions.select_related("moderator", "rule").order_by("created_at")),
        appeal=appeal,
        history=history,
        audit=list(AuditEntry.objects.filter(case=case).select_related("actor").order_by("at", "id")[:50]),
        proposal=proposal,
    )


def source_label(source: str) -> str:
    return str(dict(Source.choices).get(source, source))


def open_q() -> Q:
    return Q(state__in=QUEUED)
