"""Strike points and sanctions. A ban deactivates the account, which ends its sessions at once: Django's
authentication backends refuse inactive users on every request, and allauth refuses them a new sign-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_community_manager
from accounts.services import member_active_set
from moderation.models import Decision, Sanction, SanctionKind, Strike
from moderation.selectors import policy_get
from moderation.selectors.standing import restriction_cache_key
from moderation.services.audit import audit_record


def _forget_restriction(user_id: int) -> None:
    """Now and again after commit: a read between the two may have cached the old answer."""
    cache.delete(restriction_cache_key(user_id))
    transaction.on_commit(lambda: cache.delete(restriction_cache_key(user_id)), robust=True)


def strike_add(*, decision: Decision, user_id: int, points: int, now: datetime) -> Strike:
    """Points of an upheld decision, expiring after the policy's period (in the decision's transaction)."""
    expires_at = now + timedelta(days=policy_get().strike_days)
    return Strike.objects.create(user_id=user_id, decision=decision, points=points, expires_at=expires_at)


def sanction_apply(
    *, actor: User, decision: Decision | None, user_id: int, kind: str, days: int | None, now: datetime
) -> Sanction:
    """Record a warning, a suspension of `days` days or a ban; a ban deactivates the account."""
    if kind not in (SanctionKind.WARNING, SanctionKind.SUSPENSION, SanctionKind.BAN):
        raise ValidationError(_("Choose a sanction."))
    if User.objects.filter(pk=user_id).values_list("is_superuser", flat=True).first():
        raise ValidationError(_("The platform owner cannot be sanctioned here."))
    ends_at = None
    if kind == SanctionKind.SUSPENSION:
        if days is None:
            raise ValidationError(_("Say for how many days (1 to 3650) the member is suspended."))
        ends_at = now + timedelta(days=days)
    sanction = Sanction.objects.create(
        user_id=user_id, kind=kind, decision=decision, starts_at=now, ends_at=ends_at
    )
    if kind == SanctionKind.BAN:
        member_active_set(user_id=user_id, active=False)
    _forget_restriction(user_id)
    audit_record(
        actor=actor,
        action=kind,
        case=decision.case if decision else None,
        target_user_id=user_id,
        rule_number=decision.rule_number if decision else None,
        days=days,
        ends_at=ends_at.isoformat() if ends_at else None,
    )
    return sanction


def sanction_lift(*, actor: User, sanction: Sanction, reason: str) -> Sanction:
    """End a suspension or ban early (an upheld appeal, or a community manager's reconsideration)."""
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only community managers can moderate."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the sanction is lifted."))
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if sanction.lifted_at is not None:
            return sanction
        sanction.lifted_at = timezone.now()
        sanction.lifted_reason = reason[:300]
        sanction.save(update_fields=["lifted_at", "lifted_reason"])
        if sanction.kind == SanctionKind.BAN:
            member_active_set(user_id=sanction.user_id, active=True)
        _forget_restriction(sanction.user_id)
        audit_record(
            actor=actor,
            action="lift",
            case=sanction.decision.case if sanction.decision is not None else None,
            target_user_id=sanction.user_id,
            sanction=sanction.kind,
            reason=reason[:200],
        )
    return sanction
