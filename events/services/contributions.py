"""What members write at an event: AMA questions (with upvotes and the team's answers), live chat
messages and contest entries. Each is rendered on write and sanitised as posts are, screened by
moderation (a held one waits for review, a blocked one is refused with its rule), refused to members
who may not post, and rate-limited in the database (so the limit holds with Redis down).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.services.forum import screen_for_space
from community.services.writing import clean_body, render_body
from events import permissions
from events.models import (
    ContestDraw,
    Contribution,
    ContributionKind,
    ContributionState,
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Upvote,
)
from moderation import services as moderation
from moderation.permissions import member_can_post

# The chat's limit: at most this many messages per member in this window.
CHAT_BURST, CHAT_WINDOW = 5, timedelta(seconds=10)
# Questions and entries: at most this many per member and event.
QUESTIONS_PER_MEMBER = 10
CHAT_OPENS_BEFORE = timedelta(minutes=15)
ITEM_TYPES: dict[str, str] = {
    ContributionKind.QUESTION: "event_question",
    ContributionKind.CHAT: "event_chat",
    ContributionKind.ENTRY: "event_entry",
}


def chat_open(event: Event, now=None) -> bool:
    now = now or timezone.now()
    return event.state == "published" and event.starts_at - CHAT_OPENS_BEFORE <= now < event.ends_at


def entries_close(event: Event):
    return event.entries_close_at or event.ends_at


def _closed(event: Event, kind: str, now) -> str | None:
    """Why this kind of contribution is closed at the event now (None: open)."""
    if event.state != "published":
        return _("This event is not open to contributions.")
    if kind == ContributionKind.QUESTION:
        if event.kind != EventKind.INTERVIEW:
            return _("This event takes no questions.")
        return _("Questions are closed: the event is over.") if now >= event.ends_at else None
    if kind == ContributionKind.CHAT:
        if not event.is_online or event.kind == EventKind.CONTEST:
            return _("This event has no live chat.")
        if not chat_open(event, now):
            return _("The chat opens 15 minutes before the start and closes at the end.")
        return None
    if event.kind != EventKind.CONTEST:
        return _("This event is not a contest.")
    return _("Entries are closed.") if now >= entries_close(event) else None


def closed_reason(event: Event, kind: str) -> str | None:
    return _closed(event, kind, timezone.now())


@transaction.atomic
def contribution_write(*, actor: User, event: Event, kind: str, body: str) -> Contribution:
    """Ask a question, say something in the chat or enter a contest. Raises ValidationError with the
    reason when closed, limited or blocked; a held contribution waits for the team's review."""
    if not actor.is_authenticated or not permissions.can_see_event(actor, event):
        raise PermissionDenied(_("This event does not exist."))
    if not member_can_post(actor):
        raise PermissionDenied(_("Your account cannot write at events at the moment."))
    now = timezone.now()
    reason = _closed(event, kind, now)
    if reason:
        raise ValidationError(reason)
    mine = Contribution.objects.filter(event=event, author=actor, kind=kind)
    if kind == ContributionKind.CHAT and mine.filter(created_at__gte=now - CHAT_WINDOW).count() >= CHAT_BURST:
        raise ValidationError(_("Slow down a little: a few seconds between messages."))
    if kind == ContributionKind.QUESTION and mine.exclude(state="deleted").count() >= QUESTIONS_PER_MEMBER:
        raise ValidationError(_("You asked the most questions one member can at this event."))
    # Screened as a post in the event's space is (a chat message as a live one).
    screening = screen_for_space(actor, event.space, clean_body(body), live=kind == ContributionKind.CHAT)
    state = ContributionState.PENDING if screening.held else ContributionState.VISIBLE
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                event=event,
                kind=kind,
                author=actor,
                body_md=screening.text,
                body_html=render_body(screening.text),
                state=state,
            )
    except IntegrityError as exc:
        raise ValidationError(_("You already entered this contest.")) from exc
    moderation.screening_record(
        item_type=ITEM_TYPES[kind], item_id=contribution.pk, reasons=screening.reasons
    )
    if kind == ContributionKind.CHAT:
        # Attendance of an online event is a record: writing in its chat while going is being there.
        Registration.objects.filter(
            event=event, member=actor, status=RegistrationStatus.GOING, attended_at__isnull=True
        ).update(attended_at=now)
    return contribution


@transaction.atomic
def contribution_delete(*, actor: User, contribution: Contribution) -> None:
    """The author (or the team) deletes a contribution: it leaves the pages, and an entry can be
    written again."""
    if not permissions.can_manage_events(actor):
        if contribution.author_id != actor.pk:
            raise PermissionDenied(_("You cannot delete this."))
        # What moderation removed stays removed; an entry stays once the winners are drawn.
        drawn = (
            contribution.kind == ContributionKind.ENTRY
            and ContestDraw.objects.filter(event_id=contribution.event_id).exists()
        )
        if contribution.state not in (ContributionState.VISIBLE, ContributionState.PENDING) or drawn:
            raise PermissionDenied(_("You cannot delete this."))
    Contribution.objects.filter(pk=contribution.pk).update(state=ContributionState.DELETED)


@transaction.atomic
def upvote_toggle(*, actor: User, question: Contribution) -> bool:
    """Upvote a question, or take the upvote back; returns whether the member now upvotes it. The count
    moves with the row that records it (unique per member), so a double click counts once."""
    if not actor.is_authenticated or not member_can_post(actor):
        raise PermissionDenied(_("Your account cannot vote at the moment."))
    if not permissions.can_see_event(actor, question.event):
        raise PermissionDenied(_("This event does not exist."))
    if question.kind != ContributionKind.QUESTION or question.state != ContributionState.VISIBLE:
        raise ValidationError(_("This question cannot be upvoted."))
    if question.author_id == actor.pk:
        raise ValidationError(_("You cannot upvote your own question."))
    # The question's row is locked first: a member's clicks are counted one at a time.
    Contribution.objects.select_for_update().filter(pk=question.pk).values_list("pk").get()
    deleted, _rows = Upvote.objects.filter(question=question, member=actor).delete()
    if deleted:
        Contribution.objects.filter(pk=question.pk).update(upvotes=F("upvotes") - 1)
        return False
    Upvote.objects.create(question=question, member=actor)
    Contribution.objects.filter(pk=question.pk).update(upvotes=F("upvotes") + 1)
    return True


@transaction.atomic
def question_answer(*, actor: User, question: Contribution, answer: str) -> Contribution:
    """The team marks a question answered, with the answer (Markdown: a sentence, or a link into the
    discussion thread)."""
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can answer questions."))
    question = Contribution.objects.select_for_update().get(pk=question.pk, kind=ContributionKind.QUESTION)
    answer = answer.strip()
    question.answer_md = answer
    question.answer_html = render_body(clean_body(answer)) if answer else ""
    question.answered_at = question.answered_at or timezone.now()
    question.save(update_fields=["answer_md", "answer_html", "answered_at"])
    return question


# Moderation's side (events.moderation_adapters) -------------------------------------------------------

TO_STATE = {
    "visible": ContributionState.VISIBLE,
    "held": ContributionState.PENDING,
    "removed": ContributionState.REMOVED,
}
FROM_STATE: dict[str, str] = {
    ContributionState.VISIBLE: "visible",
    ContributionState.PENDING: "held",
    ContributionState.REMOVED: "removed",
    ContributionState.DELETED: "gone",
}


@transaction.atomic
def contribution_moderate(*, contribution_id: int, visibility: str, rule_number: int | None = None) -> str:
    contribution = Contribution.objects.select_for_update().get(pk=contribution_id)
    before = contribution.state
    if before != ContributionState.DELETED:
        contribution.state = TO_STATE[visibility]
        contribution.rule_number = rule_number if visibility == "removed" else None
        contribution.save(update_fields=["state", "rule_number"])
    return FROM_STATE[before]


@transaction.atomic
def contribution_moderator_edit(*, contribution_id: int, body: str) -> None:
    body = clean_body(body)
    Contribution.objects.filter(pk=contribution_id).update(body_md=body, body_html=render_body(body))
