"""Archiving threads: by a community manager's hand, and nightly for spaces that archive threads after N
days without activity (`Space.archive_after_days`).

An archived thread (`Thread.archived_at`) is read-only: no reply, edit, deletion, reaction or best
answer, for anyone (the team unarchives first). It leaves the lists of active threads (a space's, the
home page's) but stays at its address, in search and in the archive pages. Moderation keeps its hand
on it: a post can still be flagged, hidden or restored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from community import permissions
from community.models import PostState, Space, SpaceMonth, Thread
from community.services import visibility

ARCHIVED_MESSAGE = gettext_lazy("This thread is archived: it is kept for reference and closed to replies.")
ARCHIVE_BATCH = 500


def refuse_if_archived(thread: Thread) -> None:
    """The one refusal every write into a thread's content starts with (services.forum)."""
    if thread.archived_at is not None:
        raise ValidationError(ARCHIVED_MESSAGE, code="archived")


def thread_touch_open(thread_id: int) -> None:
    """thread_touch for a write that may come with a stale thread (a reaction): the update re-reads
    `archived_at` under the row's lock, so a write racing an archiving is refused (and rolled back by
    the caller's transaction) rather than landing in an archived thread."""
    if not Thread.objects.filter(pk=thread_id, archived_at__isnull=True).update(version=F("version") + 1):
        raise ValidationError(ARCHIVED_MESSAGE, code="archived")


@transaction.atomic
def thread_archive(*, actor: User, thread: Thread) -> Thread:
    """Archive a thread now (a second call keeps the first date). Locks the thread row, as a reply does,
    so a reply being written either lands before or is refused; bumps the thread's and its space's
    versions (its page shows the notice, its space's list drops it)."""
    if not permissions.can_manage_thread(actor):
        raise PermissionDenied(_("Only the community team can archive threads."))
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.archived_at is None:
        thread.archived_at = timezone.now()
        thread.save(update_fields=["archived_at"])
        visibility.thread_touch(thread.pk, listed=True)
    return thread


@transaction.atomic
def thread_unarchive(*, actor: User, thread: Thread) -> Thread:
    """Open an archived thread again: it is back in the lists of active threads. Reopening counts as
    activity (its last activity is now), or the nightly run would archive an old thread again at once:
    it has its space's N quiet days again, and shows among the latest discussions."""
    if not permissions.can_manage_thread(actor):
        raise PermissionDenied(_("Only the community team can archive threads."))
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.archived_at is not None:
        thread.archived_at, thread.last_activity_at = None, timezone.now()
        thread.save(update_fields=["archived_at", "last_activity_at"])
        visibility.thread_touch(thread.pk, listed=True)
    return thread


def threads_archive_inactive(*, batch_size: int = ARCHIVE_BATCH) -> int:
    """Archive the unpinned threads of every space with `archive_after_days` whose last activity is
    older than that (the nightly task community.archive_inactive_threads). Returns how many were
    archived.

    Each batch is its own short transaction that claims its rows with SKIP LOCKED: a thread being
    replied to right now is locked by the reply and left for the next night, and two runs at once
    share the work instead of waiting for each other. A claimed row is re-checked by PostgreSQL once
    locked, so a reply committed meanwhile keeps it open. Pinned threads are the team's standing ones
    (rules, FAQ): never archived by age; nor are threads awaiting review, the team's to decide first
    (deleted and removed ones are, which takes them out of the active lists' indexes). Idempotent:
    archived threads no longer match.
    """
    archived = 0
    now = timezone.now()
    spaces = Space.objects.filter(archive_after_days__isnull=False).values_list("pk", "archive_after_days")
    for space_id, days in spaces:
        stale = Thread.objects.filter(
            space_id=space_id,
            archived_at__isnull=True,
            pinned=False,
            last_activity_at__lt=now - timedelta(days=cast(int, days)),  # not None: filtered above
        ).exclude(state=PostState.PENDING)
        while True:
            with transaction.atomic():
                # In the space list's order, so its index serves every condition; archived rows leave
                # that index (it is partial), so each batch reads about what it claims.
                batch = stale.select_for_update(skip_locked=True).order_by("-pinned", "-last_activity_at")
                claimed = list(batch.values_list("pk", flat=True)[:batch_size])
                if not claimed:
                    break
                archived += Thread.objects.filter(pk__in=claimed).update(
                    archived_at=now, version=F("version") + 1
                )
                # After the threads' rows, as every writer: the space's list no longer shows them.
                visibility.space_touch(space_id)
    return archived


# The months of the community's time zone, as SpaceMonth.month_of() computes them (and migration 0007).
_RECOUNT_MONTHS = """
INSERT INTO community_spacemonth (space_id, month, thread_count)
SELECT space_id, date_trunc('month', created_at AT TIME ZONE %s)::date, count(*)
FROM community_thread WHERE state = %s GROUP BY 1, 2
"""


@transaction.atomic
def space_months_recount() -> int:
    """Count the archive's threads per space and month afresh, from the threads: after a bulk load that
    bypassed the services (the benchmark's seed), as `Space.thread_count` is recounted there. Returns
    how many months hold threads."""
    SpaceMonth.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(_RECOUNT_MONTHS, [timezone.get_default_timezone_name(), PostState.VISIBLE])
        return cursor.rowcount
