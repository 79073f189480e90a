"""The audit log: one row per moderation action, written in the action's transaction, never edited."""

from __future__ import annotations

from moderation.models import AuditEntry, Case


def audit_record(
    *,
    actor,
    action: str,
    case: Case | None = None,
    item_type: str = "",
    item_id: int | None = None,
    target_user_id: int | None = None,
    rule_number: int | None = None,
    before: str = "",
    after: str = "",
    automated: bool = False,
    **detail,
) -> AuditEntry:
    if case is not None:
        item_type = item_type or case.item_type
        item_id = item_id if item_id is not None else case.item_id
        target_user_id = target_user_id if target_user_id is not None else case.author_id
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        actor_id=actor_id,
        actor_name=(f"{actor.public_name} <{actor.email}>" if actor_id else "")[:200],
        action=action,
        case=case,
        item_type=item_type,
        item_id=item_id,
        target_user_id=target_user_id,
        rule_number=rule_number,
        visibility_before=before,
        visibility_after=after,
        automated=automated,
        detail={key: value for key, value in detail.items() if value not in (None, "")},
    )
