"""What readers see of the forum: the one owner of posts' and threads' states, their counters and the
threads' versions.

Every change of visibility (a deletion, a hold, a removal, an approval) goes through here, so the
denormalised counters (posts per thread, space and member; threads per space and per space and month
started, for the archive) move by exactly one in the caller's transaction, and the thread's version is
bumped so its shared pages are rendered afresh (core/shared_pages.py).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Greatest

from accounts.models import User
from community.models import MemberState, Post, PostState, Space, SpaceMonth, Thread
from community.services import notifications


def thread_touch(thread_id: int, *, listed: bool = False) -> None:
    """What the thread's page shows changed: bump its version, in the caller's transaction, so that the
    next reader renders the page afresh. `listed`: its row in lists changed too (a title, a pin): its
    space's version goes up as well, after the thread's row, the order of every writer."""
    Thread.objects.filter(pk=thread_id).update(version=F("version") + 1)
    if listed:
        space_id = Thread.objects.filter(pk=thread_id).values("space_id")[:1]
        Space.objects.filter(pk=Subquery(space_id)).update(version=F("version") + 1)


def space_touch(space_id: int) -> None:
    """What the space's list of threads shows changed (its own fields, in the admin): bump its version."""
    Space.objects.filter(pk=space_id).update(version=F("version") + 1)


TOUCH_BATCH = 1000


def member_thread_ids(user_id: int, *, reacted: bool = False) -> list[int]:
    """The threads a member posted in (and, with `reacted`, reacted in): what shows their name."""
    ids = set(Post.objects.filter(author_id=user_id).values_list("thread_id", flat=True).distinct())
    if reacted:
        ids.update(Post.objects.filter(reactions__user_id=user_id).values_list("thread_id", flat=True))
    return sorted(ids)


def threads_touch(thread_ids: list[int]) -> int:
    """thread_touch for many threads, in batches of ascending ids (one lock order for all writers:
    a prolific member's threads can be thousands). Returns how many were touched."""
    touched = 0
    for start in range(0, len(thread_ids), TOUCH_BATCH):
        batch = thread_ids[start : start + TOUCH_BATCH]
        with transaction.atomic():
            touched += Thread.objects.filter(pk__in=batch).update(version=F("version") + 1)
            # Lists show authors' names too.
            Space.objects.filter(threads__pk__in=batch).update(version=F("version") + 1)
    return touched


def post_counts_add(*, thread: Thread, post: Post, author: User) -> None:
    """A post became visible: its thread, space and author count it (its thread too, if it is the first)."""
    now = post.created_at
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1,
        last_activity_at=Greatest(F("last_activity_at"), now),
        last_poster=author,
    )
    Space.objects.filter(pk=thread.space_id).update(
        post_count=F("post_count") + 1,
        last_activity_at=now,
        thread_count=F("thread_count") + int(post.position == 1),
        version=F("version") + 1,
    )
    if post.position == 1:
        _started_count_add(thread.space_id, thread.created_at, +1)
    MemberState.objects.filter(pk=author.pk).update(post_count=F("post_count") + 1)


def post_counts_remove(post: Post) -> None:
    """A post stopped being visible: the inverse of post_counts_add (counters never go below zero)."""
    Thread.objects.filter(pk=post.thread_id).update(post_count=Greatest(F("post_count") - 1, 0))
    Space.objects.filter(pk=post.thread.space_id).update(
        post_count=Greatest(F("post_count") - 1, 0),
        thread_count=Greatest(F("thread_count") - int(post.position == 1), 0),
        version=F("version") + 1,
    )
    if post.position == 1:
        _started_count_add(post.thread.space_id, post.thread.created_at, -1)
    if post.author_id:
        MemberState.objects.filter(pk=post.author_id).update(post_count=Greatest(F("post_count") - 1, 0))


def _started_count_add(space_id: int, started: datetime, delta: int) -> None:
    """A thread joined (+1) or left (-1) its space's published threads: the count of the month it was
    started follows, after the space's row (the order of every writer). The month's first thread
    creates the row; get_or_create settles two of them at once (the second finds the first's row)."""
    month = SpaceMonth.month_of(started)
    rows = SpaceMonth.objects.filter(space_id=space_id, month=month)
    if rows.update(thread_count=Greatest(F("thread_count") + delta, 0)) or delta < 0:
        return
    _row, created = SpaceMonth.objects.get_or_create(
        space_id=space_id, month=month, defaults={"thread_count": delta}
    )
    if not created:
        rows.update(thread_count=F("thread_count") + delta)


def replies_counts_move(thread: Thread, sign: int) -> None:
    """A thread left view (-1) or came back (+1): its visible replies leave or rejoin the space's and
    their authors' counts (the thread's own count keeps them: it is not shown while hidden)."""
    replies = Post.objects.filter(thread=thread, state=PostState.VISIBLE, position__gt=1)
    count = replies.count()
    Space.objects.filter(pk=thread.space_id).update(
        post_count=Greatest(F("post_count") + sign * count, 0), version=F("version") + 1
    )
    per_author = (
        replies.filter(author_id=OuterRef("pk"))
        .order_by()
        .values("author_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    MemberState.objects.filter(pk__in=replies.values("author_id")).update(
        post_count=Greatest(F("post_count") + sign * Subquery(per_author), 0)
    )


@transaction.atomic
def post_state_set(*, post_id: int, state: str, rule_number: int | None = None) -> str:
    """Set a reply's state (moderation's decisions); returns the state it had. Locks the post row.

    A deleted post stays deleted. A post that becomes visible for the first time notifies as if just
    published.
    """
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post_id)
    before = post.state
    if before == PostState.DELETED:
        return before
    post.state = state
    post.removed_rule = rule_number if state == PostState.REMOVED else None
    post.save(update_fields=["state", "removed_rule"])
    thread_touch(post.thread_id)
    if before == PostState.VISIBLE and state != PostState.VISIBLE:
        post_counts_remove(post)
        if post.thread.solution_id == post.pk:
            Thread.objects.filter(pk=post.thread_id).update(solution=None)
    elif before != PostState.VISIBLE and state == PostState.VISIBLE and post.author_id:
        post_counts_add(thread=post.thread, post=post, author=User(pk=post.author_id))
        notifications.post_approved(post=post)
    return before


@transaction.atomic
def thread_state_set(*, thread_id: int, state: str, rule_number: int | None = None) -> str:
    """Set a thread's state, its title and first post together; returns the state it had.

    The first post is locked before the thread, as every write to a post then its thread (an edit, a
    reaction) locks them: the opposite order could deadlock with the author editing it.
    """
    first = Post.objects.select_for_update().filter(thread_id=thread_id, position=1).first()
    thread = Thread.objects.select_for_update(of=("self",)).select_related("space").get(pk=thread_id)
    before = thread.state
    if before == PostState.DELETED:
        return before
    Thread.objects.filter(pk=thread.pk).update(
        state=state,
        removed_rule=rule_number if state == PostState.REMOVED else None,
        version=F("version") + 1,
    )
    if first is None or first.state == PostState.DELETED:
        return before
    first_before = first.state
    first.state = state
    first.removed_rule = rule_number if state == PostState.REMOVED else None
    first.save(update_fields=["state", "removed_rule"])
    if before == PostState.VISIBLE and state != PostState.VISIBLE:
        if first_before == PostState.VISIBLE:
            post_counts_remove(first)
        replies_counts_move(thread, -1)
    elif before != PostState.VISIBLE and state == PostState.VISIBLE:
        if first.author_id:
            post_counts_add(thread=thread, post=first, author=User(pk=first.author_id))
        replies_counts_move(thread, +1)
        thread.state = state
        first.thread = thread
        notifications.post_approved(post=first)
    return before
