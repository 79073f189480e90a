"""Deleting rows past their keeping time, in batches (the housekeeping jobs of each app use this).

Each batch is its own transaction: it locks the rows it takes with SKIP LOCKED, deletes them and
commits. So locks are short and memory is bounded by the batch, a rerun finds nothing more to delete,
and two runs at once take disjoint rows and never wait on each other.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet


def batch_size_default() -> int:
    return settings.HOUSEKEEPING_BATCH_SIZE


def delete_in_batches(
    queryset: QuerySet,
    *,
    batch_size: int | None = None,
    before_delete: Callable[[list], None] | None = None,
) -> int:
    """Delete every row of the queryset, batch_size rows per transaction; returns how many went.

    `before_delete(pks)` runs in each batch's transaction before its rows go, with the batch's rows
    locked (to keep a count of what they held, for example).
    """
    size = batch_size or batch_size_default()
    deleted = 0
    while True:
        with transaction.atomic():
            pks = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .order_by()
                .values_list("pk", flat=True)[:size]
            )
            if not pks:
                return deleted
            if before_delete is not None:
                before_delete(pks)
            queryset.model._base_manager.filter(pk__in=pks).delete()
            deleted += len(pks)
