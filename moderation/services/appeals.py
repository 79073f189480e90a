"""Appeals: an author contests a decision once; another community manager decides, where there is one."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from moderation.models import (
    RESTRICTING,
    Appeal,
    AppealOutcome,
    Case,
    CaseKind,
    CaseState,
    Decision,
    FlagOutcome,
    NoticeKind,
    Sanction,
    SanctionKind,
    Source,
    Strike,
)
from moderation.registry import GONE, VISIBLE, registry
from moderation.selectors import policy_get
from moderation.services.audit import audit_record
from moderation.services.claims import other_moderators_exist, require_moderator
from moderation.services.notices import notice_create
from moderation.services.sanctions import sanction_lift

APPEAL_MAX = 2000


def appeal_create(*, actor: User | None, decision: Decision, text: str, by_link: bool = False) -> Appeal:
    """The author contests a decision, once. The appeal becomes a case of its own in the queue.

    `actor` is the signed-in author, or None when a banned author appeals through the signed link of
    their statement of reasons (`by_link`).
    """
    author_id = decision.author_id
    if author_id is None or (not by_link and (actor is None or actor.pk != author_id)):
        raise PermissionDenied(_("Only the author can appeal this decision."))
    if decision.action not in RESTRICTING and decision.sanction == SanctionKind.NONE:
        raise ValidationError(_("This decision restricted nothing: there is nothing to appeal."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Tell us why the decision should change.")})
    if len(text) > APPEAL_MAX:
        raise ValidationError({"text": _("Keep the appeal under %(max)s characters.") % {"max": APPEAL_MAX}})
    if decision.created_at < timezone.now() - timedelta(days=policy_get().appeal_days):
        raise ValidationError(_("The time to appeal this decision has passed."))
    original = decision.case
    now = timezone.now()
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(decision=decision, appellant_id=author_id, text=text)
            case = Case.objects.create(
                kind=CaseKind.APPEAL,
                item_type=original.item_type,
                item_id=original.item_id,
                author_id=author_id,
                scope=original.scope,
                scope_label=original.scope_label,
                excerpt=original.excerpt,
                item_url=original.item_url,
                rule=decision.rule,
                sources=[Source.APPEAL],
                score=10,
                rank=round(10 * policy_get().seconds_per_point) - int(now.timestamp()),
                opened_at=now,
            )
            appeal.case = case
            appeal.save(update_fields=["case"])
            audit_record(
                actor=actor,
                action="appeal",
                case=case,
                rule_number=decision.rule_number,
                decision=decision.pk,
                by_link=by_link or None,
            )
    except IntegrityError:
        raise ValidationError(_("You have already appealed this decision.")) from None
    return appeal


def appeal_decide(*, actor: User, appeal: Appeal, upheld: bool, explanation: str) -> Appeal:
    """Uphold (reverse the decision: the content is back, strikes and sanctions lifted) or reject.

    Decided by another community manager than the one who took the decision, where there is one. Locks
    the appeal's case; a second decision is refused. The author is told the outcome.
    """
    require_moderator(actor)
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": _("Explain the outcome in a few words: the author reads it.")})
    decision = appeal.decision
    if decision.moderator_id == actor.pk and other_moderators_exist(actor):
        raise PermissionDenied(_("Another community manager decides the appeal of your own decision."))
    now = timezone.now()
    with transaction.atomic():
        # appeal_create gives every appeal its case, in the transaction that creates the appeal.
        appealed = cast(Case, appeal.case)
        registry.get(appealed.item_type).lock(appealed.item_id)
        case = Case.objects.select_for_update().get(pk=appealed.pk)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.outcome != AppealOutcome.PENDING or case.state == CaseState.RESOLVED:
            raise ValidationError(_("This appeal has already been decided."))
        before = after = ""
        if upheld:
            adapter = registry.get(case.item_type)
            info = adapter.info(case.item_id)
            before = info.visibility if info else GONE
            after = before
            if before not in (GONE, VISIBLE):
                adapter.set_visibility(case.item_id, VISIBLE)
                after = VISIBLE
            Strike.objects.filter(decision=decision, lifted_at__isnull=True).update(lifted_at=now)
            for sanction in Sanction.objects.filter(decision=decision, lifted_at__isnull=True):
                sanction_lift(actor=actor, sanction=sanction, reason=_("Appeal upheld"))
            decision.flags.filter(outcome=FlagOutcome.UPHELD).update(outcome=FlagOutcome.REJECTED)
        appeal.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.REJECTED
        appeal.decided_by = actor
        appeal.decided_at = now
        appeal.explanation = explanation
        appeal.save(update_fields=["outcome", "decided_by", "decided_at", "explanation"])
        case.state = CaseState.RESOLVED
        case.resolved_at = now
        case.first_action_at = case.first_action_at or now
        case.claimed_by = case.claimed_until = None
        case.save(update_fields=["state", "resolved_at", "first_action_at", "claimed_by", "claimed_until"])
        audit_record(
            actor=actor,
            action="appeal_upheld" if upheld else "appeal_rejected",
            case=case,
            rule_number=decision.rule_number,
            before=before,
            after=after,
            decision=decision.pk,
            explanation=explanation[:500],
        )
        notice_create(decision=decision, kind=NoticeKind.APPEAL_OUTCOME, appeal=appeal)
    return appeal
