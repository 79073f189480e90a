"""The audit log: one row per moderation action, written in the action's transaction, never edited;
who acted is kept as their account's id, never their name or address (AuditEntry)."""

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
    # A reference only: the log reads the actor's current name, and copies nothing personal.
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
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
