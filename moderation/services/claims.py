"""Claims: "Next case" takes the highest-ranked case nobody holds with SELECT … FOR UPDATE SKIP LOCKED,
so concurrent community managers each get a different one; a claim expires after the policy's minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_community_manager
from moderation.models import (
    QUEUED,
    Case,
    CaseKind,
    CaseState,
    ModerationPolicy,
)
from moderation.selectors import policy_get
from moderation.services.audit import audit_record


def require_moderator(actor: User) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only community managers can moderate."))


def _claimable(actor: User, now: datetime):
    """Queued cases nobody holds (or whose claim expired); appeals not of the actor's own decisions
    while another community manager can take them."""
    cases = Case.objects.filter(state__in=QUEUED).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if other_moderators_exist(actor):
        cases = cases.exclude(kind=CaseKind.APPEAL, appeal__decision__moderator=actor)
    return cases


def other_moderators_exist(actor: User) -> bool:
    from accounts.permissions import team_q

    return User.objects.filter(team_q(), is_active=True).exclude(pk=actor.pk).exists()


def case_claim_next(*, actor: User) -> Case | None:
    """Give the actor the highest-priority queued case nobody holds, or None when the queue is empty.

    SELECT … FOR UPDATE SKIP LOCKED on the queue index: concurrent callers each get a different case.
    The actor's previous claim is released.
    """
    require_moderator(actor)
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        Case.objects.filter(state=CaseState.CLAIMED, claimed_by=actor).update(
            state=CaseState.OPEN, claimed_by=None, claimed_until=None
        )
        case = (
            _claimable(actor, now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("-rank", "-id")
            .first()
        )
        if case is None:
            return None
        _claim(case, actor, now, policy)
    return case


def _claim(case: Case, actor: User, now: datetime, policy: ModerationPolicy) -> None:
    case.state = CaseState.CLAIMED
    case.claimed_by = actor
    case.claimed_until = now + timedelta(minutes=policy.claim_minutes)
    case.first_action_at = case.first_action_at or now
    case.save(update_fields=["state", "claimed_by", "claimed_until", "first_action_at"])
    audit_record(actor=actor, action="claim", case=case)


def case_claim(*, actor: User, case: Case) -> Case:
    """Claim one case from its page; refused while another community manager holds it."""
    require_moderator(actor)
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state == CaseState.RESOLVED:
            raise ValidationError(_("This case has already been decided."))
        if held_by_other(case, actor, now):
            holder = cast(User, case.claimed_by)  # held_by_other: claimed_by_id is set
            raise ValidationError(_("%(name)s is working on this case.") % {"name": holder.public_name})
        _claim(case, actor, now, policy)
    return case


def case_release(*, actor: User, case: Case) -> None:
    require_moderator(actor)
    with transaction.atomic():
        released = Case.objects.filter(pk=case.pk, state=CaseState.CLAIMED, claimed_by=actor).update(
            state=CaseState.OPEN, claimed_by=None, claimed_until=None
        )
        if released:
            audit_record(actor=actor, action="release", case=case)


def held_by_other(case: Case, actor: User, now: datetime) -> bool:
    return (
        case.state == CaseState.CLAIMED
        and case.claimed_by_id not in (None, actor.pk)
        and case.claimed_until is not None
        and case.claimed_until > now
    )
