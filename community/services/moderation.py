"""What moderation's decisions do to the forum, called by the adapters of community/moderation_adapters.py
(moderation never imports community): visibility in moderation's words, and the team's edits.

The states and their counters belong to community.services.visibility.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from accounts.models import User
from accounts.services import profile_update
from community.models import MemberState, Post, PostRevision, PostState
from community.services.visibility import post_state_set, thread_state_set, thread_touch
from community.services.writing import clean_body, render_body

# Moderation's words for visibility, and the forum's states.
TO_STATE = {"visible": PostState.VISIBLE, "held": PostState.PENDING, "removed": PostState.REMOVED}
FROM_STATE: dict[str, str] = {
    PostState.VISIBLE: "visible",
    PostState.PENDING: "held",
    PostState.REMOVED: "removed",
    PostState.DELETED: "gone",
}


def post_moderate(*, post_id: int, visibility: str, rule_number: int | None = None) -> str:
    """Set a post's visibility for moderation; returns the visibility it had."""
    before = post_state_set(post_id=post_id, state=TO_STATE[visibility], rule_number=rule_number)
    return FROM_STATE[before]


def thread_moderate(*, thread_id: int, visibility: str, rule_number: int | None = None) -> str:
    """Set a thread's visibility (title and first post together); returns the visibility it had."""
    before = thread_state_set(thread_id=thread_id, state=TO_STATE[visibility], rule_number=rule_number)
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
    post = Post.objects.select_for_update().get(pk=post_id)
    body = clean_body(body)
    PostRevision.objects.create(post=post, body_md=post.body_md, edited_by=actor)
    Post.objects.filter(pk=post.pk).update(
        body_md=body, body_html=render_body(body), edit_count=F("edit_count") + 1
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
