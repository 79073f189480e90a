"""What moderation's decisions do to the forum: visibility of posts, threads and bios, with the counters.

Called by the adapters of community/moderation.py (moderation never imports community). Each change of
visibility keeps the denormalised counters in step in the caller's transaction, as post_delete does, and
a post that becomes visible for the first time notifies as if just published.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery

from accounts.models import User
from accounts.services import profile_update
from community.models import MemberState, Post, PostState, Space, Thread
from community.services import notifications
from community.services.forum import (
    _count_visible_post,
    _render,
    _uncount_post,
    _uncount_replies,
    thread_touch,
)

# Moderation's words for visibility, and the forum's states.
TO_STATE = {"visible": PostState.VISIBLE, "held": PostState.PENDING, "removed": PostState.REMOVED}
FROM_STATE = {
    PostState.VISIBLE: "visible",
    PostState.PENDING: "held",
    PostState.REMOVED: "removed",
    PostState.DELETED: "gone",
}


def _recount_replies(thread: Thread) -> None:
    """The inverse of _uncount_replies: a thread back in view brings its visible replies' counts back."""
    replies = Post.objects.filter(thread=thread, state=PostState.VISIBLE, position__gt=1)
    count = replies.count()
    Space.objects.filter(pk=thread.space_id).update(post_count=F("post_count") + count)
    per_author = (
        replies.filter(author_id=OuterRef("pk"))
        .order_by()
        .values("author_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    MemberState.objects.filter(pk__in=replies.values("author_id")).update(
        post_count=F("post_count") + Subquery(per_author)
    )


@transaction.atomic
def post_moderate(*, post_id: int, visibility: str, rule_number: int | None = None) -> str:
    """Set a post's visibility for moderation; returns the visibility it had. Locks the post row."""
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post_id)
    before = post.state
    if before == PostState.DELETED:
        return FROM_STATE[before]
    state = TO_STATE[visibility]
    post.state = state
    post.removed_rule = rule_number if state == PostState.REMOVED else None
    post.save(update_fields=["state", "removed_rule"])
    thread_touch(post.thread_id)
    if before == PostState.VISIBLE and state != PostState.VISIBLE:
        _uncount_post(post)
        if post.thread.solution_id == post.pk:
            Thread.objects.filter(pk=post.thread_id).update(solution=None)
    elif before != PostState.VISIBLE and state == PostState.VISIBLE and post.author_id:
        author = User(pk=post.author_id)
        _count_visible_post(thread=post.thread, post=post, author=author)
        notifications.post_approved(post=post)
    return FROM_STATE[before]


@transaction.atomic
def thread_moderate(*, thread_id: int, visibility: str, rule_number: int | None = None) -> str:
    """Set a thread's visibility (title and first post together); returns the visibility it had."""
    # The first post before the thread, as every write to a post then its thread (an edit, a reaction)
    # locks them: the opposite order could deadlock with the author editing it.
    first = Post.objects.select_for_update().filter(thread_id=thread_id, position=1).first()
    thread = Thread.objects.select_for_update(of=("self",)).select_related("space").get(pk=thread_id)
    before = thread.state
    if before == PostState.DELETED:
        return FROM_STATE[before]
    state = TO_STATE[visibility]
    Thread.objects.filter(pk=thread.pk).update(
        state=state, removed_rule=rule_number if state == PostState.REMOVED else None
    )
    if first is not None and first.state != PostState.DELETED:
        first_before = first.state
        first.state = state
        first.removed_rule = rule_number if state == PostState.REMOVED else None
        first.save(update_fields=["state", "removed_rule"])
        thread_touch(thread.pk)
        if before == PostState.VISIBLE and state != PostState.VISIBLE:
            if first_before == PostState.VISIBLE:
                _uncount_post(first)
            _uncount_replies(thread)
        elif before != PostState.VISIBLE and state == PostState.VISIBLE:
            if first.author_id:
                _count_visible_post(thread=thread, post=first, author=User(pk=first.author_id))
            _recount_replies(thread)
            thread.state = state
            first.thread = thread
            notifications.post_approved(post=first)
    return FROM_STATE[before]


@transaction.atomic
def bio_moderate(*, user_id: int, visibility: str) -> str:
    state, _created = MemberState.objects.select_for_update().get_or_create(user_id=user_id)
    before = state.bio_state
    state.bio_state = TO_STATE[visibility]
    state.save(update_fields=["bio_state"])
    return FROM_STATE.get(before, "visible")


@transaction.atomic
def post_moderator_edit(*, actor: User, post_id: int, body: str) -> None:
    """Edit and approve: the moderator's text replaces the post's, the old one kept as a revision."""
    from community.models import PostRevision
    from community.services.forum import _clean_body

    post = Post.objects.select_for_update().get(pk=post_id)
    body = _clean_body(body)
    PostRevision.objects.create(post=post, body_md=post.body_md, edited_by=actor)
    Post.objects.filter(pk=post.pk).update(
        body_md=body, body_html=_render(body), edit_count=F("edit_count") + 1
    )
    thread_touch(post.thread_id)


@transaction.atomic
def bio_moderator_edit(*, actor: User, user_id: int, body: str) -> None:
    member = User.objects.get(pk=user_id)
    profile_update(
        actor=actor,
        user=member,
        display_name=member.display_name,
        bio=body,
        language=member.language,
        time_zone=member.time_zone,
    )
