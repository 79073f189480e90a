"""Writes of the forum: threads, posts, edits, reactions, best answers and the team's thread tools.

Each post takes the next position of its thread under a row lock of the thread, in the same transaction
that bumps the denormalised counters, so pages stay fixed-size slices and counters never drift.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from community import permissions
from community.models import (
    MemberState,
    Post,
    PostRevision,
    PostState,
    Reaction,
    ReactionKind,
    Space,
    Thread,
)
from community.services import notifications, visibility
from community.services.archiving import refuse_if_archived, thread_touch_open
from community.services.writing import clean_body, clean_title, render_body
from community.text import mentioned_names
from moderation import services as moderation
from moderation.models import Source
from moderation.screening import Reason, ScreeningResult, screen_text
from moderation.selectors import policy_get


def screen_for_space(
    actor: User, space: Space, body: str, *, title: str = "", edit: bool = False, live: bool = False
) -> ScreeningResult:
    """Screen a text written in a space before it is written (moderation.screening): raises Blocked,
    or says what to hold. Posts, and what members write at the space's events, go through it.

    The community team is not screened. Counts are bounded: only "fewer than N" matters. `live`: a
    live chat's message, which a review before it shows would make useless: no newcomer hold nor
    pre-moderation (it is flagged and taken down afterwards instead).
    """
    if permissions.can_manage_thread(actor):
        return ScreeningResult(text=body)
    policy = policy_get()
    if title:
        title_result = screen_text(text=title, field_name="title")
    cap = max(space.newcomer_hold_posts, policy.newcomer_posts)
    total = Post.objects.filter(author=actor).values("pk")[:cap].count()
    since = timezone.now() - timedelta(seconds=policy.burst_seconds)
    recent = (
        0
        if edit
        else Post.objects.filter(author=actor, created_at__gte=since)
        .values("pk")[: policy.burst_posts + 1]
        .count()
        + 1
    )
    result = screen_text(
        text=body,
        author_post_total=total,
        newcomer_hold_posts=0 if edit or live else space.newcomer_hold_posts,
        premoderated=space.premoderated and not live,
        mention_count=len(mentioned_names(body)),
        recent_post_count=recent,
    )
    if title:
        result.title = title_result.text
        result.hold += title_result.hold
        result.flag += title_result.flag
    return result


def _existing_post(client_token: uuid.UUID | None) -> Post | None:
    if client_token is None:
        return None
    return Post.objects.select_related("thread").filter(client_token=client_token).first()


def _member_state_locked(user: User) -> MemberState:
    state, _created = MemberState.objects.get_or_create(user=user)
    return MemberState.objects.select_for_update().get(pk=state.pk)


def member_threads_touch(*, user_id: int) -> int:
    """A member's name, handle or avatar changed: touch every thread they posted in (the Celery task
    community.member_threads_touch). Returns how many were touched."""
    return visibility.threads_touch(visibility.member_thread_ids(user_id))


@transaction.atomic
def thread_create(
    *, actor: User, space: Space, title: str, body: str, client_token: uuid.UUID | None = None
) -> Thread:
    """Open a thread with its first post. A second submit of the same form returns the first thread."""
    if not permissions.can_start_thread(actor, space):
        raise PermissionDenied(_("You cannot start a thread in this space."))
    title, body = clean_title(title), clean_body(body)
    # The member's row lock queues a double submit behind the first, which has committed when it ends.
    member = _member_state_locked(actor)
    existing = _existing_post(client_token)
    if existing is not None:
        return existing.thread
    screening = screen_for_space(actor, space, body, title=title)
    body, title = screening.text, screening.title or title
    _refuse_repeat(actor, body, client_token)
    now = timezone.now()
    # Screening holds for pre-moderated spaces too (the team's own posts are not screened).
    state = PostState.PENDING if screening.held else PostState.VISIBLE
    thread = Thread.objects.create(
        space=space,
        title=title,
        author=actor,
        state=state,
        last_activity_at=now,
        last_poster=actor,
        last_position=1,
    )
    try:
        post = _insert_post(
            thread=thread, author=actor, body=body, position=1, state=state, client_token=client_token
        )
    except DuplicateSubmit:
        # Undo this thread row; the first submission's thread is the answer.
        first = Post.objects.select_related("thread").get(client_token=client_token).thread
        transaction.set_rollback(True)
        return first
    if space.is_introductions and member.introduction_id is None:
        member.introduction = thread
        member.save(update_fields=["introduction"])
    if state == PostState.VISIBLE:
        visibility.post_counts_add(thread=thread, post=post, author=actor)
    notifications.post_published(post=post)
    moderation.screening_record(item_type="thread", item_id=thread.pk, reasons=screening.reasons)
    thread.refresh_from_db()
    return thread


def _insert_post(
    *, thread: Thread, author: User, body: str, position: int, state: str, client_token, reply_to=None
) -> Post:
    first_of_member = not Post.objects.filter(author=author).exists()
    try:
        with transaction.atomic():
            return Post.objects.create(
                thread=thread,
                author=author,
                position=position,
                body_md=body,
                body_html=render_body(body),
                language=(author.language or "fr")[:2],
                state=state,
                reply_to=reply_to,
                is_first_of_member=first_of_member,
                client_token=client_token,
            )
    except IntegrityError as exc:
        if client_token is not None and Post.objects.filter(client_token=client_token).exists():
            raise DuplicateSubmit from exc
        raise


# An identical post by the same member within this time is refused (a repeated message, not a new one).
REPEAT_WINDOW = timedelta(minutes=5)


def _refuse_repeat(actor: User, body: str, client_token: uuid.UUID | None) -> None:
    """Under the member's row lock (their posts are serialised): the same text posted a moment ago,
    anywhere, is refused. A second submit of the same form (its token) is answered as the first."""
    recent = Post.objects.filter(
        author=actor, body_md=body, created_at__gte=timezone.now() - REPEAT_WINDOW
    ).exclude(state=PostState.DELETED)
    if client_token is not None:
        recent = recent.exclude(client_token=client_token)
    if recent.exists():
        raise ValidationError(
            _("You posted this same text a moment ago. Wait a few minutes, or say something new.")
        )


class DuplicateSubmit(Exception):
    """The same form was submitted twice; the first submission won."""


@transaction.atomic
def post_create(
    *,
    actor: User,
    thread: Thread,
    body: str,
    reply_to: Post | None = None,
    client_token: uuid.UUID | None = None,
) -> Post:
    """Reply in a thread. Locks the thread row to take the next position; notifies after commit."""
    body = clean_body(body)
    existing = _existing_post(client_token)
    if existing is not None:
        return existing
    # The thread's row only: its space's row is updated at the end, not held for the whole reply.
    thread = Thread.objects.select_for_update(of=("self",)).select_related("space").get(pk=thread.pk)
    if thread.state == PostState.DELETED:
        raise ValidationError(_("This thread was deleted; replies are closed."))
    refuse_if_archived(thread)
    if thread.locked and not permissions.can_manage_thread(actor):
        raise ValidationError(_("This thread is locked; replies are closed."))
    if not permissions.can_reply(actor, thread):
        raise PermissionDenied(_("You cannot reply in this thread."))
    if reply_to is not None and (reply_to.thread_id != thread.pk or reply_to.state != PostState.VISIBLE):
        raise ValidationError(_("You can only quote a post of the same thread."))
    _member_state_locked(actor)
    screening = screen_for_space(actor, thread.space, body)
    body = screening.text
    _refuse_repeat(actor, body, client_token)
    position = thread.last_position + 1
    state = PostState.PENDING if screening.held else PostState.VISIBLE
    try:
        post = _insert_post(
            thread=thread,
            author=actor,
            body=body,
            position=position,
            state=state,
            client_token=client_token,
            reply_to=reply_to,
        )
    except DuplicateSubmit:
        return Post.objects.get(client_token=client_token)
    Thread.objects.filter(pk=thread.pk).update(last_position=position, version=F("version") + 1)
    if state == PostState.VISIBLE:
        visibility.post_counts_add(thread=thread, post=post, author=actor)
        if thread.author_id != actor.pk:
            MemberState.objects.filter(pk=actor.pk, first_reply_at__isnull=True).update(
                first_reply_at=post.created_at
            )
        notifications.post_published(post=post)
    moderation.screening_record(item_type="post", item_id=post.pk, reasons=screening.reasons)
    return post


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str, title: str | None = None) -> Post:
    """Keep the old text as a revision, re-render, mark edited. The first post may retitle its thread."""
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    refuse_if_archived(post.thread)
    if not permissions.can_edit_post(actor, post):
        raise PermissionDenied(_("You cannot edit this post."))
    body = clean_body(body)
    new_title = clean_title(title) if (title is not None and post.position == 1) else None
    if body == post.body_md and (new_title is None or new_title == post.thread.title):
        return post
    screening = screen_for_space(actor, post.thread.space, body, title=new_title or "", edit=True)
    body, new_title = screening.text, screening.title or new_title
    reasons = list(screening.reasons)
    if post.state == PostState.PENDING and not permissions.can_manage_thread(actor):
        # A held post edited by its author (asked to revise, or still awaiting review) goes back to the queue.
        reasons.append(Reason(Source.RESUBMITTED, _("Edited by its author while awaiting review")))
    PostRevision.objects.create(post=post, body_md=post.body_md, edited_by=actor)
    post.body_md = body
    post.body_html = render_body(body)
    post.edit_count = F("edit_count") + 1
    post.edited_at = timezone.now()
    fields = ["body_md", "body_html", "edit_count", "edited_at"]
    # An edit is screened like a new post (in a pre-moderated space it is always held until approved).
    held = post.is_visible and screening.held
    if held and post.position > 1:
        post.state = PostState.PENDING
        fields.append("state")
    post.save(update_fields=fields)
    if held and post.position > 1:
        visibility.post_counts_remove(post)
    if new_title is not None and new_title != post.thread.title:
        Thread.objects.filter(pk=post.thread_id).update(title=new_title)
    if held and post.position == 1:
        # The first post is the thread: held together, its replies leave the counts as on deletion.
        visibility.thread_state_set(thread_id=post.thread_id, state=PostState.PENDING)
    item = ("thread", post.thread_id) if post.position == 1 else ("post", post.pk)
    moderation.screening_record(item_type=item[0], item_id=item[1], reasons=reasons)
    # The opening post shows in its space's feed as well (and its title in the space's lists).
    visibility.thread_touch(post.thread_id, listed=post.position == 1)
    post.refresh_from_db()
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> None:
    """Soft delete: the slot stays in the thread ("deleted"); deleting the first post deletes the thread."""
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    refuse_if_archived(post.thread)
    if not permissions.can_delete_post(actor, post):
        raise PermissionDenied(_("You cannot delete this post."))
    was_visible = post.state == PostState.VISIBLE
    post.state = PostState.DELETED
    post.save(update_fields=["state"])
    thread = post.thread
    visibility.thread_touch(thread.pk)
    if was_visible:
        visibility.post_counts_remove(post)
    if thread.solution_id == post.pk:
        Thread.objects.filter(pk=thread.pk).update(solution=None)
    if post.position == 1:
        Thread.objects.filter(pk=thread.pk).update(state=PostState.DELETED)
        if thread.state == PostState.VISIBLE:
            visibility.replies_counts_move(thread, -1)
        # The checklist must not point a newcomer at an introduction that is gone.
        MemberState.objects.filter(introduction=thread).update(introduction=None)


@transaction.atomic
def reaction_toggle(*, actor: User, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if given already. Returns whether it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Unknown reaction."))
    if not actor.is_authenticated or not permissions.can_see_thread(actor, post.thread):
        raise PermissionDenied(_("You cannot react to this post."))
    refuse_if_archived(post.thread)
    if post.author_id == actor.pk:
        raise ValidationError(_("You cannot react to your own post."))
    if post.state != PostState.VISIBLE:
        raise ValidationError(_("This post can no longer receive reactions."))
    counter = "like_count" if kind == ReactionKind.LIKE else "helpful_count"
    deleted, _detail = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(**{counter: Greatest(F(counter) - 1, 0)})
        thread_touch_open(post.thread_id)
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=actor, kind=kind)
    except IntegrityError:
        return True  # A concurrent click of the same member added it first.
    Post.objects.filter(pk=post.pk).update(**{counter: F(counter) + 1})
    thread_touch_open(post.thread_id)
    return True


@transaction.atomic
def thread_mark_solution(*, actor: User, thread: Thread, post: Post | None) -> Thread:
    """The thread's author or the team marks the reply that answered it (None clears it)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    refuse_if_archived(thread)
    if not permissions.can_mark_solution(actor, thread):
        raise PermissionDenied(_("Only the author of the thread or the team can choose the best answer."))
    if post is not None and (
        post.thread_id != thread.pk or post.position == 1 or post.state != PostState.VISIBLE
    ):
        raise ValidationError(_("Choose a visible reply of this thread."))
    previous = thread.solution_id
    thread.solution = post
    thread.save(update_fields=["solution"])
    visibility.thread_touch(thread.pk, listed=True)
    if post is not None and post.pk != previous and post.author_id and post.author_id != actor.pk:
        notifications.solution_marked(post=post)
    return thread


@transaction.atomic
def thread_update_flags(
    *,
    actor: User,
    thread: Thread,
    pinned: bool | None = None,
    locked: bool | None = None,
    featured: bool | None = None,
) -> Thread:
    """Pin, lock or feature a thread (featured threads are launched by the team and shown on the home)."""
    if not permissions.can_manage_thread(actor):
        raise PermissionDenied(_("Only the community team can pin, lock or feature threads."))
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    fields = []
    if pinned is not None:
        thread.pinned = pinned
        fields.append("pinned")
    if locked is not None:
        thread.locked = locked
        fields.append("locked")
    if featured is not None:
        thread.featured_at = (thread.featured_at or timezone.now()) if featured else None
        fields.append("featured_at")
    if fields:
        thread.save(update_fields=fields)
        visibility.thread_touch(thread.pk, listed=True)
    return thread


WELCOME_MESSAGE = gettext_lazy(
    "Welcome to the community, @%(handle)s! Thank you for introducing yourself. "
    "Have a look around the spaces, ask your questions, and do not hesitate to reply to others: "
    "that is how we all learn. See you soon!"
)


@transaction.atomic
def thread_welcome(*, actor: User, thread: Thread) -> Post:
    """One-click welcome reply on a newcomer's introduction, in the newcomer's language, once only.

    The conditional update settles two team members clicking at once: only one welcome is posted.
    """
    if not permissions.can_welcome(actor) or not permissions.can_see_thread(actor, thread):
        raise PermissionDenied(_("Only the community team and ambassadors welcome newcomers."))
    if not thread.space.is_introductions or thread.author is None:
        raise ValidationError(_("Only introductions are welcomed this way."))
    if not Thread.objects.filter(pk=thread.pk, welcomed_at__isnull=True).update(welcomed_at=timezone.now()):
        raise ValidationError(_("Someone has already welcomed this member."))
    with translation.override(thread.author.language or settings.LANGUAGE_CODE):
        body = str(WELCOME_MESSAGE) % {"handle": thread.author.handle}
    return post_create(actor=actor, thread=thread, body=body)
