"""Flags and screening open cases: one per item (the partial unique constraint
`moderation_case_one_open_per_item`), reopened by new flags after a decision, ranked by priority."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_ambassador, is_community_manager
from moderation.models import (
    QUEUED,
    Case,
    CaseKind,
    CaseState,
    Flag,
    FlagOutcome,
    ModerationPolicy,
    NetiquetteRule,
    ScreeningMatch,
    Source,
)
from moderation.permissions import member_can_flag
from moderation.registry import GONE, HELD, REMOVED, VISIBLE, ItemInfo, registry
from moderation.screening import Reason
from moderation.selectors import policy_get
from moderation.services.audit import audit_record

COMMENT_MAX = 1000
# Priority a screening reason adds (a watched term adds its rule's severity twice).
SOURCE_SCORE: dict[str, int] = {
    Source.NEW_MEMBER: 1,
    Source.PREMODERATED: 1,
    Source.LINKS: 2,
    Source.RATE: 3,
    Source.RESUBMITTED: 2,
    Source.APPEAL: 10,
}


def _rank(score: float, opened_at: datetime, policy: ModerationPolicy) -> int:
    return round(score * policy.seconds_per_point) - int(opened_at.timestamp())


def _info(item_type: str, item_id: int) -> ItemInfo:
    try:
        adapter = registry.get(item_type)
    except LookupError:
        raise ValidationError(_("This kind of content cannot be moderated.")) from None
    info = adapter.info(item_id)
    if info is None:
        raise ValidationError(_("This content no longer exists."))
    return info


def _case_for(info: ItemInfo, *, now: datetime, kind: str = CaseKind.CONTENT) -> Case:
    """The item's queued case, locked: found, reopened (the latest resolved one) or created."""
    item = {"item_type": info.item_type, "item_id": info.item_id, "kind": kind}
    case = Case.objects.select_for_update().filter(**item, state__in=QUEUED).first()
    if case is not None:
        return case
    snapshot = {
        "author_id": info.author_id,
        "scope": info.scope[:80],
        "scope_label": info.scope_label[:120],
        "excerpt": info.excerpt[:300],
        "item_url": info.url[:300],
    }
    if kind == CaseKind.CONTENT:
        latest = Case.objects.select_for_update().filter(**item).order_by("-opened_at").first()
        if latest is not None:
            if latest.state in QUEUED:  # Reopened by a concurrent transaction while this one waited.
                return latest
            for name, value in snapshot.items():
                setattr(latest, name, value)
            latest.state = CaseState.OPEN
            latest.opened_at = now
            latest.score = 0
            latest.rule = None
            latest.sources = []
            latest.flag_count = 0
            latest.hidden_by_score = False
            latest.first_flag_at = latest.first_action_at = latest.resolved_at = None
            latest.claimed_by = latest.claimed_until = None
            latest.save()
            audit_record(actor=None, action="reopen", case=latest, automated=True)
            return latest
    try:
        with transaction.atomic():
            return Case.objects.create(**item, **snapshot, opened_at=now, rank=-int(now.timestamp()))
    except IntegrityError:
        # Another transaction opened the item's case first: join it.
        return Case.objects.select_for_update().get(**item, state__in=QUEUED)


def _bump(
    case: Case, *, score: float, source: str, rule: NetiquetteRule | None, policy: ModerationPolicy
) -> None:
    case.score = round(case.score + score, 2)
    case.rank = _rank(case.score, case.opened_at, policy)
    if source not in case.sources:
        case.sources = [*case.sources, source]
    if rule is not None and (case.rule is None or rule.severity > case.rule.severity):
        case.rule = rule


def _hide_past_threshold(case: Case, info: ItemInfo, policy: ModerationPolicy) -> None:
    """A score past the threshold hides the item at once, pending review (an automated measure)."""
    if case.score < policy.hide_score or case.hidden_by_score or info.visibility != VISIBLE:
        return
    before = registry.get(case.item_type).set_visibility(case.item_id, HELD)
    case.hidden_by_score = True
    audit_record(
        actor=None, action="auto_hide", case=case, before=before, after=HELD, automated=True, score=case.score
    )


def _flag_weight(actor: User, policy: ModerationPolicy) -> float:
    """A flagger's weight: their role's, scaled by how often their past flags were upheld (Laplace)."""
    if is_community_manager(actor):
        base = policy.manager_weight
    elif is_ambassador(actor):
        base = policy.ambassador_weight
    else:
        base = 1.0
    history = Flag.objects.filter(flagger=actor).aggregate(
        upheld=Count("pk", filter=Q(outcome=FlagOutcome.UPHELD)),
        rejected=Count("pk", filter=Q(outcome=FlagOutcome.REJECTED)),
    )
    accuracy = (history["upheld"] + 1) / (history["upheld"] + history["rejected"] + 2)
    return round(base * 2 * accuracy, 2)


def flag_create(
    *, actor: User, item_type: str, item_id: int, rule: NetiquetteRule, comment: str = ""
) -> Flag:
    """Flag an item citing a rule: once per member and item. Opens or joins the item's case, raises its
    priority by the rule's severity times the flagger's weight, and hides the item past the threshold.

    Locks the item's case row; the unique (flagger, item) constraint settles a double submit.
    """
    if not member_can_flag(actor):
        raise PermissionDenied(_("You cannot flag content at the moment."))
    if rule is None or not rule.active:
        raise ValidationError({"rule": _("Choose the netiquette rule this content breaks.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}}
        )
    info = _info(item_type, item_id)
    if not registry.get(item_type).visible_to(actor, item_id):
        raise ValidationError(_("This content no longer exists."))
    if info.visibility in (REMOVED, GONE):
        raise ValidationError(_("This content has already been removed."))
    if info.author_id == actor.pk:
        raise ValidationError(_("You cannot flag your own content."))
    if Flag.objects.filter(flagger=actor, item_type=item_type, item_id=item_id).exists():
        raise ValidationError(_("You have already flagged this."))
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        registry.get(item_type).lock(item_id)
        case = _case_for(info, now=now)
        weight = _flag_weight(actor, policy)
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    case=case,
                    item_type=item_type,
                    item_id=item_id,
                    flagger=actor,
                    rule=rule,
                    comment=comment,
                    weight=weight,
                )
        except IntegrityError:
            raise ValidationError(_("You have already flagged this.")) from None
        case.flag_count += 1
        case.first_flag_at = case.first_flag_at or now
        _bump(case, score=rule.severity * weight, source=Source.FLAG, rule=rule, policy=policy)
        _hide_past_threshold(case, info, policy)
        case.save()
        audit_record(
            actor=actor,
            action="flag",
            case=case,
            rule_number=rule.number,
            weight=weight,
            comment=comment[:200],
        )
    return flag


def screening_record(*, item_type: str, item_id: int, reasons: list[Reason]) -> Case | None:
    """Open (or join) the case of an item that screening held or flagged, inside the caller's transaction.

    Called by content apps right after they wrote the item; a held item was written awaiting review.
    """
    if not reasons:
        return None
    info = _info(item_type, item_id)
    policy = policy_get()
    rules = NetiquetteRule.objects.in_bulk([r.rule_id for r in reasons if r.rule_id])
    with transaction.atomic():
        case = _case_for(info, now=timezone.now())
        for reason in reasons:
            rule = rules.get(reason.rule_id)
            ScreeningMatch.objects.create(
                case=case, source=reason.source, rule=rule, detail=reason.detail[:300], held=reason.held
            )
            score = rule.severity * 2 if rule else SOURCE_SCORE.get(reason.source, 1)
            _bump(case, score=score, source=reason.source, rule=rule, policy=policy)
            audit_record(
                actor=None,
                action="hold" if reason.held else "screen",
                case=case,
                rule_number=rule.number if rule else None,
                after=HELD if reason.held else info.visibility,
                automated=True,
                source=reason.source,
                detail=reason.detail[:200],
            )
        case.save()
    return case
