"""Decisions on cases: the item's visibility, the flags' outcome, strike points, the sanction, the
statement of reasons and the audit entry, in one transaction that locks the item and then its case.
A case already resolved, or held by another community manager, is refused: no case is decided twice."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from moderation.models import (
    RESTRICTING,
    Case,
    CaseKind,
    CaseState,
    Decision,
    DecisionAction,
    FlagOutcome,
    NetiquetteRule,
    SanctionKind,
    Source,
)
from moderation.registry import GONE, HELD, REMOVED, VISIBLE, registry
from moderation.selectors import active_points, ladder_proposal
from moderation.services.audit import audit_record
from moderation.services.claims import held_by_other, require_moderator
from moderation.services.notices import notice_create
from moderation.services.sanctions import sanction_apply, strike_add

EXPLANATION_MAX = 2000
# What each decision makes of the item, keyed by the submitted action (a DecisionAction value).
ITEM_STATE_AFTER: dict[str, str] = {
    DecisionAction.APPROVE: VISIBLE,
    DecisionAction.DISMISS: VISIBLE,
    DecisionAction.EDIT: VISIBLE,
    DecisionAction.REMOVE: REMOVED,
    DecisionAction.REVISE: HELD,
}


def _facts(case: Case) -> str:
    """What the decision relied on, in words the statement of reasons repeats."""
    parts = []
    if case.flag_count:
        parts.append(_("%(n)s report(s) by members citing the netiquette.") % {"n": case.flag_count})
    matches = list(case.matches.values_list("source", "detail"))
    if matches:
        labels = dict(Source.choices)
        parts.append(
            _("Automatic screening: %(list)s.")
            % {"list": "; ".join(f"{labels.get(source, source)} ({detail})" for source, detail in matches)}
        )
    return " ".join(parts)


def case_decide(
    *,
    actor: User,
    case: Case,
    action: str,
    rule: NetiquetteRule | None = None,
    explanation: str = "",
    sanction: str | None = SanctionKind.NONE,
    sanction_days: int | None = None,
    override_reason: str = "",
    body: str | None = None,
) -> Decision:
    """Decide a queued case: set the item's visibility, settle its flags, add strike points and the
    sanction, tell the author (statement of reasons) and record it all in the audit log.

    Locks the case row: a case already resolved, or held by another community manager, is refused.
    `sanction=None` applies what the ladder proposes (bulk decisions).
    """
    require_moderator(actor)
    if action not in DecisionAction.values:
        raise ValidationError({"action": _("Choose a decision.")})
    explanation = (explanation or "").strip()
    override_reason = (override_reason or "").strip()
    restricting = action in RESTRICTING
    if restricting and rule is None:
        raise ValidationError({"rule": _("Cite the netiquette rule this decision rests on.")})
    if restricting and not explanation:
        raise ValidationError({"explanation": _("Explain the decision in a few words: the author reads it.")})
    if len(explanation) > EXPLANATION_MAX:
        raise ValidationError(
            {"explanation": _("Keep the explanation under %(max)s characters.") % {"max": EXPLANATION_MAX}}
        )
    follow_ladder = sanction is None
    sanction = SanctionKind.NONE if follow_ladder else sanction
    if sanction not in SanctionKind.values:
        raise ValidationError({"sanction": _("Choose a sanction.")})
    if sanction != SanctionKind.NONE and not restricting:
        raise ValidationError({"sanction": _("Only a decision citing a rule can sanction the author.")})
    if sanction == SanctionKind.SUSPENSION and not (sanction_days and 1 <= sanction_days <= 3650):
        raise ValidationError(
            {"sanction_days": _("Say for how many days (1 to 3650) the member is suspended.")}
        )
    if sanction != SanctionKind.SUSPENSION:
        sanction_days = None
    if action == DecisionAction.EDIT and not (body or "").strip():
        raise ValidationError({"body": _("Write the corrected text to approve.")})
    now = timezone.now()
    with transaction.atomic():
        registry.get(case.item_type).lock(case.item_id)
        case = Case.objects.select_for_update(of=("self",)).select_related("rule").get(pk=case.pk)
        if case.state == CaseState.RESOLVED:
            raise ValidationError(_("This case has already been decided."))
        if case.kind != CaseKind.CONTENT:
            raise ValidationError(_("Decide an appeal with the appeal form."))
        if held_by_other(case, actor, now):
            holder = cast(User, case.claimed_by)  # held_by_other: claimed_by_id is set
            raise ValidationError(_("%(name)s is working on this case.") % {"name": holder.public_name})
        adapter = registry.get(case.item_type)
        info = adapter.info(case.item_id)
        author_id = info.author_id if info else case.author_id
        points = rule.strike_points if restricting and rule is not None else 0
        proposed, proposed_days = (
            ladder_proposal(active_points(author_id, now) + points)
            if author_id and restricting
            else (SanctionKind.NONE, None)
        )
        if follow_ladder:
            sanction, sanction_days = proposed, proposed_days
        if (sanction, sanction_days) != (proposed, proposed_days) and not override_reason:
            raise ValidationError(
                {"override_reason": _("Say why you depart from the sanction the ladder proposes.")}
            )
        if sanction != SanctionKind.NONE and author_id is None:
            raise ValidationError({"sanction": _("This content has no author left to sanction.")})
        before = info.visibility if info else GONE
        after = before
        if before != GONE:
            if action == DecisionAction.EDIT:
                adapter.edit(case.item_id, actor=actor, body=body or "")
            target = ITEM_STATE_AFTER[action]
            adapter.set_visibility(case.item_id, target, rule_number=rule.number if rule else None)
            after = target
        decision = Decision.objects.create(
            case=case,
            moderator=actor,
            author_id=author_id,
            action=action,
            rule=rule,
            rule_snapshot=rule.snapshot() if rule else {},
            explanation=explanation,
            facts=_facts(case),
            detected_automatically=bool(set(case.sources) - {Source.FLAG}) and not case.flag_count,
            points=points,
            proposed_sanction=proposed,
            proposed_days=proposed_days,
            sanction=sanction,
            sanction_days=sanction_days,
            override_reason=override_reason if (sanction, sanction_days) != (proposed, proposed_days) else "",
            item_state_before=before,
            item_state_after=after,
        )
        outcome = FlagOutcome.UPHELD if restricting else FlagOutcome.REJECTED
        case.flags.filter(outcome=FlagOutcome.PENDING).update(
            outcome=outcome, decided_at=now, decision=decision
        )
        case.state = CaseState.RESOLVED
        case.resolved_at = now
        case.first_action_at = case.first_action_at or now
        case.claimed_by = case.claimed_until = None
        case.last_decision = decision
        case.save()
        audit_record(
            actor=actor,
            action=action,
            case=case,
            rule_number=rule.number if rule else None,
            before=before,
            after=after,
            decision=decision.pk,
            explanation=explanation[:500],
        )
        if points and author_id:
            strike_add(decision=decision, user_id=author_id, points=points, now=now)
        if sanction != SanctionKind.NONE and author_id is not None:
            sanction_apply(
                actor=actor, decision=decision, user_id=author_id, kind=sanction, days=sanction_days, now=now
            )
        if restricting and author_id:
            notice_create(decision=decision)
    return decision


def cases_decide_bulk(
    *, actor: User, cases: list[Case], action: str, rule: NetiquetteRule | None = None, explanation: str = ""
) -> tuple[int, list[str]]:
    """Decide several cases alike, each in its own transaction; returns how many and the refusals.

    A restricting bulk decision adds strike points and applies the sanction the ladder proposes for each
    author; departing from the ladder takes a decision of its own.
    """
    require_moderator(actor)
    done, refused = 0, []
    for case in cases:
        try:
            case_decide(
                actor=actor,
                case=case,
                action=action,
                rule=rule,
                explanation=explanation,
                sanction=None,
            )
        except ValidationError as exc:
            refused.append(f"#{case.pk}: {' '.join(exc.messages)}")
        else:
            done += 1
    return done, refused


def item_snapshot_forget(*, item_type: str, item_id: int) -> int:
    """An item gone for good with its author's account (a deleted member's profile): its cases keep
    their record (flags, decisions, the figures) but no longer the excerpt and link copied from it,
    which held the member's handle and bio. Called in the deletion's transaction; returns the cases."""
    return Case.objects.filter(item_type=item_type, item_id=item_id).update(excerpt="", item_url="")
