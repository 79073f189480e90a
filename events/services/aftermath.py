"""What comes at and after the end of an event: a contest's winners, the recap, the satisfaction survey.

A random draw is auditable: its seed comes from `secrets`, the eligible entries are frozen (sorted ids)
when it is drawn, and `draw_winners(seed, eligible, count)` gives the same winners to anyone who runs it
again; the draw is stored once (one per event, a unique row), so two clicks draw once.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.services.writing import render_body
from events import permissions
from events.models import (
    ContestDraw,
    Contribution,
    ContributionKind,
    ContributionState,
    Event,
    EventKind,
    Registration,
    SurveyResponse,
)
from events.services import notices
from events.services.contributions import entries_close
from events.services.registrations import locked_event

SURVEY_WINDOW = timedelta(days=14)
SURVEY_BATCH = 500


def _must_manage(actor: User) -> None:
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("Only the community team can do this."))


def draw_winners(seed: str, eligible: list[int], count: int) -> list[int]:
    """The winners among the eligible entries' ids (sorted), from the seed: reproducible by anyone with
    Python's `random.Random(seed).sample(sorted(eligible), count)`."""
    return random.Random(seed).sample(sorted(eligible), min(count, len(eligible)))  # noqa: S311 - auditable, not secret


def _eligible(event: Event) -> list[int]:
    """Entries visible at draw time whose authors' accounts are still open."""
    return sorted(
        Contribution.objects.filter(
            event=event, kind=ContributionKind.ENTRY, state=ContributionState.VISIBLE, author__is_active=True
        ).values_list("pk", flat=True)
    )


def _record(
    event: Event, actor: User, method: str, eligible: list[int], winners: list[int], seed: str
) -> ContestDraw:
    try:
        with transaction.atomic():
            draw = ContestDraw.objects.create(
                event=event, method=method, seed=seed, eligible=eligible, winners=winners, drawn_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError(_("The winners of this contest are already chosen.")) from exc
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)
    authors = Contribution.objects.filter(pk__in=winners).values_list("author_id", flat=True)
    notices.won(event, list(Registration.objects.filter(event=event, member_id__in=authors)), list(authors))
    return draw


def _contest(actor: User, event: Event) -> Event:
    _must_manage(actor)
    event = locked_event(event)
    if event.kind != EventKind.CONTEST:
        raise ValidationError(_("This event is not a contest."))
    if timezone.now() < entries_close(event):
        raise ValidationError(_("Entries are still open: draw once they close."))
    return event


@transaction.atomic
def contest_draw(*, actor: User, event: Event) -> ContestDraw:
    """Draw the winners at random among the eligible entries, once, and tell them."""
    event = _contest(actor, event)
    eligible = _eligible(event)
    if not eligible:
        raise ValidationError(_("There is no entry to draw from."))
    seed = secrets.token_hex(32)
    return _record(
        event,
        actor,
        ContestDraw.Method.RANDOM,
        eligible,
        draw_winners(seed, eligible, event.winners_count),
        seed,
    )


@transaction.atomic
def contest_jury(*, actor: User, event: Event, entry_ids: list[int]) -> ContestDraw:
    """Record the entries a jury chose (visible entries of this contest only), once, and tell them."""
    event = _contest(actor, event)
    eligible = _eligible(event)
    chosen = sorted(set(entry_ids))
    if not chosen or not set(chosen) <= set(eligible):
        raise ValidationError(_("Choose winners among the contest's visible entries."))
    if len(chosen) > event.winners_count:
        raise ValidationError(_("This contest has %(n)s winners at most.") % {"n": event.winners_count})
    return _record(event, actor, ContestDraw.Method.JURY, eligible, chosen, "")


@transaction.atomic
def recap_save(*, actor: User, event: Event, recap: str, recording_url: str, slides_url: str) -> Event:
    """The recap (Markdown, rendered and sanitised as posts), and links to the recording and slides."""
    _must_manage(actor)
    event = locked_event(event)
    for name, url in (("recording_url", recording_url), ("slides_url", slides_url)):
        if url and not url.startswith("https://"):
            raise ValidationError({name: _("The link must start with https://.")})
    event.recap_md = recap.strip()
    event.recap_html = render_body(event.recap_md) if event.recap_md else ""
    event.recording_url, event.slides_url = recording_url, slides_url
    event.version += 1
    event.save(update_fields=["recap_md", "recap_html", "recording_url", "slides_url", "version"])
    return event


def can_answer_survey(actor: User, event: Event) -> bool:
    """Attendees answer, once the event has started (attendance is what is asked about)."""
    return (
        actor.is_authenticated
        and timezone.now() >= event.starts_at
        and Registration.objects.filter(event=event, member=actor, attended_at__isnull=False).exists()
    )


@transaction.atomic
def survey_answer(*, actor: User, event: Event, rating: int, comment: str) -> SurveyResponse:
    """An attendee's rating (1 to 5) and comment; answering again replaces their answer."""
    if not can_answer_survey(actor, event):
        raise PermissionDenied(_("Only members who attended can answer this survey."))
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    response, _created = SurveyResponse.objects.update_or_create(
        event=event, member=actor, defaults={"rating": rating, "comment": comment.strip()[:2000]}
    )
    return response


def surveys_offer(*, batch_size: int = SURVEY_BATCH, now=None) -> int:
    """Offer the survey to the attendees of events over in the last two weeks, once each: rows are
    claimed by a conditional update (survey_sent_at still empty) in the transaction that tells them."""
    now, offered, started = now or timezone.now(), 0, time.monotonic()
    while time.monotonic() - started < 50:
        with transaction.atomic():
            claimed = list(
                # Only the registrations' rows: registering for those events is not held up.
                Registration.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    attended_at__isnull=False,
                    survey_sent_at__isnull=True,
                    event__ends_at__lte=now,
                    event__ends_at__gt=now - SURVEY_WINDOW,
                    event__state="published",
                )
                .only("pk", "member_id", "event_id")[:batch_size]
            )
            if not claimed:
                break
            Registration.objects.filter(pk__in=[r.pk for r in claimed]).update(survey_sent_at=now)
            events = Event.objects.in_bulk({r.event_id for r in claimed})
            for event_id, event in events.items():
                notices.survey(event, [r for r in claimed if r.event_id == event_id])
            offered += len(claimed)
        if len(claimed) < batch_size:
            break
    return offered
