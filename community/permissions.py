"""Who may see and do what in the forum; services ask these, templates receive their answers as booleans."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db.models import Q

from accounts.permissions import Actor, is_ambassador, is_community_manager
from community.models import Post, PostState, Space, Thread, Visibility
from moderation.permissions import member_can_post


def visible_spaces_q(user: Actor, prefix: str = "") -> Q:
    """The spaces a person may read, as a filter usable from spaces, threads or posts (via prefix)."""
    field = f"{prefix}visibility"
    if is_community_manager(user):
        return Q()
    if user.is_authenticated:
        return Q(**{f"{field}__in": [Visibility.PUBLIC, Visibility.MEMBERS]})
    return Q(**{field: Visibility.PUBLIC})


def can_see_space(user: Actor, space: Space) -> bool:
    if space.visibility == Visibility.PUBLIC:
        return True
    if space.visibility == Visibility.MEMBERS:
        return user.is_authenticated
    return is_community_manager(user)


def can_see_thread(user: Actor, thread: Thread) -> bool:
    if not can_see_space(user, thread.space):
        return False
    if thread.state == PostState.VISIBLE or is_community_manager(user):
        return True
    # An author sees their own thread while it awaits review.
    return thread.state == PostState.PENDING and user.is_authenticated and thread.author_id == user.pk


def can_reply(user: Actor, thread: Thread) -> bool:
    return member_can_post(user) and can_see_thread(user, thread) and replies_open(user, thread)


def replies_open(user: Actor, thread: Thread) -> bool:
    """The thread's part of can_reply: published, not archived (for anyone), and not locked (the team
    replies to locked threads)."""
    return (
        thread.state == PostState.VISIBLE
        and thread.archived_at is None
        and (not thread.locked or is_community_manager(user))
    )


def can_start_thread(user: Actor, space: Space) -> bool:
    return member_can_post(user) and can_see_space(user, space)


def can_edit_post(user: Actor, post: Post) -> bool:
    return post_editor(user)(post)


def post_editor(user: Actor, *, can_post: bool | None = None) -> Callable[[Post], bool]:
    """can_edit_post for a page of posts: the member's part of the rule is asked once, not per post
    (`can_post`: member_can_post(user), when the caller has just asked it)."""
    if not user.is_authenticated:
        return lambda post: False
    team, user_id = is_community_manager(user), user.pk
    may_post = (lambda: can_post) if can_post is not None else functools.cache(lambda: member_can_post(user))

    def can_edit(post: Post) -> bool:
        # An archived thread is kept as it was: nobody edits or deletes in it (the team unarchives first).
        if post.state == PostState.DELETED or post.thread.archived_at is not None:
            return False
        if team:
            return True
        # A post removed by moderation stays as it was judged: its author can neither rewrite nor erase it.
        if post.state not in (PostState.VISIBLE, PostState.PENDING):
            return False
        return post.author_id == user_id and not post.thread.locked and may_post()

    return can_edit


def can_delete_post(user: Actor, post: Post) -> bool:
    return can_edit_post(user, post)


def can_manage_thread(user: Actor) -> bool:
    """Pin, lock, feature, archive: the community team's tools."""
    return is_community_manager(user)


def can_mark_solution(user: Actor, thread: Thread) -> bool:
    if not user.is_authenticated or thread.archived_at is not None:
        return False
    return is_community_manager(user) or (thread.author_id == user.pk and member_can_post(user))


def can_welcome(user: Actor) -> bool:
    return is_community_manager(user) or is_ambassador(user)


def can_flag_thread(user: Actor, thread: Thread) -> bool:
    """Offer the flag link on others' published threads (moderation's services decide the rest)."""
    return user.is_authenticated and thread.author_id != user.pk and thread.state == PostState.VISIBLE
