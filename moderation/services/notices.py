"""What moderation tells authors: a notice row in the decision's transaction, and its e-mail as a
mailings Delivery row written beside it (sent after commit, exactly once, by mailings; built at send time
by moderation.emails)."""

from __future__ import annotations

from typing import cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from mailings.models import Delivery
from mailings.services import deliveries_write
from moderation.models import Appeal, Decision, Notice, NoticeKind
from moderation.selectors.notices import unread_notices_key

EMAIL_KIND = "moderation_notice"


def _recount_unread(user_id: int) -> None:
    """Store the member's unread count now and again after commit (the header reads it, never counts)."""

    def store() -> None:
        count = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
        cache.set(unread_notices_key(user_id), count, timeout=None)

    store()
    transaction.on_commit(store, robust=True)


def notice_create(
    *, decision: Decision, kind: str = NoticeKind.STATEMENT, appeal: Appeal | None = None
) -> Notice:
    """Write the author's notice (once per decision and kind) and send its e-mail after commit."""
    # Callers notify only decisions that have an author (case_decide checks; an appeal is the author's).
    recipient_id = cast(int, decision.author_id)
    notice, created = Notice.objects.get_or_create(
        decision=decision, kind=kind, defaults={"recipient_id": recipient_id, "appeal": appeal}
    )
    if created:
        _recount_unread(notice.recipient_id)
        # Sent even to a banned (inactive) account: the statement of reasons is owed all the same.
        deliveries_write(
            [
                Delivery(
                    kind=EMAIL_KIND, ref=str(notice.pk), member_id=recipient_id, payload={"notice": notice.pk}
                )
            ]
        )
    return notice


def notice_mark_read(*, actor, notice: Notice) -> None:
    if notice.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if notice.read_at is None:
        with transaction.atomic():
            Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
            _recount_unread(notice.recipient_id)
