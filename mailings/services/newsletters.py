"""The community manager's newsletter: an issue is written, tested, scheduled or sent now, and sent
through the one delivery engine (services.delivery) to its audience's members who opted in.

States move by conditional UPDATEs (… WHERE state = 'scheduled'), so a cancel racing the start of the
send is settled by PostgreSQL's row lock: the first to commit wins, the other changes no row. The
beat task's minute (`newsletters_start`) derives everything from the database: it starts issues that
are due, writes their delivery rows in batches (unique per member: a rerun after a crash continues and
doubles nothing) and marks sent the issues with no delivery left to send.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.links import absolute_url
from core.tasks import DISPATCH_ERRORS
from core.text import html_links, render_markdown
from mailings.audiences import AUDIENCES, mailable_q, members_excluded
from mailings.blocks import PICK_SOURCES
from mailings.models import (
    EDITABLE,
    TODO,
    Delivery,
    Newsletter,
    NewsletterClick,
    NewsletterLink,
    NewsletterState,
)
from mailings.permissions import require_newsletter_manager
from mailings.services.consent import latest_choice
from mailings.services.delivery import deliveries_write

logger = logging.getLogger(__name__)

LIST_KEY = "newsletter"
KIND = "newsletter"
TEST_KIND = "newsletter_test"
# Members per batch of delivery rows: one INSERT each, memory bounded whatever the audience.
QUEUE_BATCH = 1000
PICKS_MAX = 12
# Sent after notifications, which are worth more the sooner they arrive.
PRIORITY = 1


# Writing an issue --------------------------------------------------------------------------------------


def _picks_clean(picks: list[dict]) -> list[dict]:
    cleaned = []
    for pick in picks[:PICKS_MAX]:
        if pick.get("source") not in PICK_SOURCES or not str(pick.get("ref") or ""):
            raise ValidationError({"picks": _("This item cannot be put in the newsletter.")})
        url = str(pick.get("url") or "")
        if not (url.startswith("/") or url.startswith(("https://", "http://"))):
            raise ValidationError({"picks": _("This item cannot be put in the newsletter.")})
        cleaned.append(
            {key: str(pick.get(key) or "") for key in ("source", "ref", "title", "excerpt", "url")}
        )
    return cleaned


def _audience_check(issue: Newsletter) -> None:
    audience = AUDIENCES.get(issue.audience)
    if audience is None:
        raise ValidationError({"audience": _("Choose who receives the newsletter.")})
    choices = {value for value, _label in audience.choices()}
    if choices and issue.audience_value not in choices:
        raise ValidationError({"audience_value": _("Choose one of the proposed values.")})
    if not choices:
        issue.audience_value = ""


def _links_sync(issue: Newsletter) -> None:
    """The issue's links (its introduction's and its picks'), each stored once, in order: what the
    click redirect may lead to."""
    urls = [absolute_url(url) for url in html_links(issue.intro_html)]
    urls += [absolute_url(pick["url"]) for pick in issue.picks]
    wanted: dict[str, int] = {}
    for url in urls:
        if url.startswith(("https://", "http://")) and len(url) <= 2000:
            wanted.setdefault(url, len(wanted))
    issue.links.exclude(url__in=list(wanted)).delete()
    existing = {link.url: link for link in issue.links.all()}
    for url, position in wanted.items():
        link = existing.get(url)
        if link is None:
            NewsletterLink.objects.create(issue=issue, url=url, position=position)
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


@transaction.atomic
def newsletter_save(*, actor: User, issue: Newsletter, picks: list[dict]) -> Newsletter:
    """Create or change an issue still being written (a draft, or a cancelled one): the introduction
    is rendered once here, and the issue's links stored for the click redirect. Locks the issue row,
    so a send starting meanwhile waits and then finds the issue as saved."""
    require_newsletter_manager(actor)
    if issue.pk is not None:
        state = Newsletter.objects.select_for_update().filter(pk=issue.pk).values_list("state", flat=True)
        if state.first() not in EDITABLE:
            raise ValidationError(_("This issue is scheduled or sent: it can no longer be changed."))
    issue.subject = issue.subject.strip()
    issue.picks = _picks_clean(picks)
    _audience_check(issue)
    issue.intro_html = render_markdown(issue.intro_md)
    if issue.pk is None:
        issue.created_by = actor
        issue.state = NewsletterState.DRAFT
    issue.save()
    _links_sync(issue)
    return issue


def _moved(issue: Newsletter, from_states: Sequence[str], **changes) -> bool:
    """The conditional UPDATE every change of state goes through: true when this call made it."""
    moved = Newsletter.objects.filter(pk=issue.pk, state__in=from_states).update(
        **changes, updated_at=timezone.now()
    )
    if moved:
        for field, value in changes.items():
            setattr(issue, field, value)
    return bool(moved)


@transaction.atomic
def newsletter_schedule(*, actor: User, issue: Newsletter, when: datetime) -> None:
    """Send the issue at that moment (the beat's next minute after it)."""
    require_newsletter_manager(actor)
    if when <= timezone.now():
        raise ValidationError({"when": _("Choose a moment in the future.")})
    if not _moved(issue, EDITABLE, state=NewsletterState.SCHEDULED, scheduled_for=when):
        raise ValidationError(_("This issue is already scheduled or sent."))


@transaction.atomic
def newsletter_send_now(*, actor: User, issue: Newsletter) -> None:
    """Start sending at once: the issue is due now, and the start task is queued after commit (the
    beat's minute starts it when the broker is down)."""
    require_newsletter_manager(actor)
    moved = _moved(
        issue,
        [*EDITABLE, NewsletterState.SCHEDULED],
        state=NewsletterState.SCHEDULED,
        scheduled_for=timezone.now(),
    )
    if not moved:
        raise ValidationError(_("This issue is already being sent."))

    def dispatch() -> None:
        from mailings.tasks import newsletters_start  # The tasks module imports this one.

        try:
            newsletters_start.delay()
        except DISPATCH_ERRORS:
            logger.warning("Broker unreachable: the newsletter starts with the next minute's run")

    transaction.on_commit(dispatch, robust=True)


@transaction.atomic
def newsletter_cancel(*, actor: User, issue: Newsletter) -> None:
    """Cancel a scheduled send; refused once the send has started (WHERE state = 'scheduled')."""
    require_newsletter_manager(actor)
    if not _moved(issue, [NewsletterState.SCHEDULED], state=NewsletterState.CANCELLED):
        raise ValidationError(
            _("This issue is no longer scheduled: its send has started or it was cancelled.")
        )


@transaction.atomic
def newsletter_test_send(*, actor: User, issue: Newsletter) -> None:
    """The issue, as it stands, to the community manager alone, through the same engine (marked
    "[Test]"; their own consent is not asked)."""
    require_newsletter_manager(actor)
    ref = f"{issue.pk}:{timezone.now().timestamp():.6f}"
    deliveries_write([Delivery(kind=TEST_KIND, ref=ref, member=actor, payload={"issue": issue.pk})])


# Sending -----------------------------------------------------------------------------------------------


def newsletter_recipients(issue: Newsletter) -> QuerySet[User]:
    """The audience's members whose latest choice for the newsletter is "given" (one correlated
    subquery on the consent history's index) and whom bulk mail may reach."""
    audience = AUDIENCES.get(issue.audience)
    members = get_user_model().objects
    if audience is None:
        return members.none()
    return (
        members.filter(mailable_q(), audience.members_q(issue.audience_value))
        .annotate(newsletter_consent=latest_choice(LIST_KEY))
        .filter(newsletter_consent=True)
    )


def newsletter_queue(issue: Newsletter) -> int:
    """Write the issue's delivery rows, QUEUE_BATCH members at a time by keyset over member ids, each
    batch in its own transaction (the first e-mails leave while the rest is written); a row already
    there is kept, so a rerun after a crash continues where the last one stopped. Then the issue is
    "sending" with its recipients counted."""
    last = 0
    recipients = newsletter_recipients(issue).order_by("pk").values_list("pk", flat=True)
    while True:
        ids = list(recipients.filter(pk__gt=last)[:QUEUE_BATCH])
        if not ids:
            break
        last = ids[-1]
        allowed = set(ids) - members_excluded(ids)
        with transaction.atomic():
            deliveries_write(
                [
                    Delivery(
                        kind=KIND,
                        ref=str(issue.pk),
                        member_id=pk,
                        payload={"issue": issue.pk},
                        priority=PRIORITY,
                    )
                    for pk in ids
                    if pk in allowed
                ]
            )
    count = Delivery.objects.filter(kind=KIND, ref=str(issue.pk)).count()
    _moved(issue, [NewsletterState.QUEUEING], state=NewsletterState.SENDING, recipient_count=count)
    return count


def _newsletters_finish(now: datetime) -> int:
    """Issues being sent with no delivery left to send are sent (one UPDATE). Done by the beat's
    minute rather than by the status page, so that reading a page never writes; the page shows 100 %
    as soon as the last row is sent, and the state follows within a minute."""
    todo = Delivery.objects.filter(kind=KIND, ref=Cast(OuterRef("pk"), CharField()), state__in=TODO)
    return Newsletter.objects.filter(~Exists(todo), state=NewsletterState.SENDING).update(
        state=NewsletterState.SENT, finished_at=now, updated_at=now
    )


def newsletters_start(*, now: datetime | None = None) -> int:
    """The beat's minute: start the issues due (scheduled → queueing, by conditional UPDATE, with the
    clicks made on test e-mails forgotten), write the rows of every issue being prepared (also one a
    crash left half-written), and mark sent the finished ones. Returns how many issues were queued."""
    now = now or timezone.now()
    _newsletters_finish(now)
    due = Newsletter.objects.filter(state=NewsletterState.SCHEDULED, scheduled_for__lte=now)
    for issue in due.order_by("scheduled_for", "pk"):
        with transaction.atomic():
            if _moved(issue, [NewsletterState.SCHEDULED], state=NewsletterState.QUEUEING, started_at=now):
                NewsletterClick.objects.filter(link__issue=issue).delete()
                issue.links.update(click_count=0)
    queued = 0
    for issue in Newsletter.objects.filter(state=NewsletterState.QUEUEING).order_by("pk"):
        newsletter_queue(issue)
        queued += 1
    _newsletters_finish(now)
    return queued


# Clicks ------------------------------------------------------------------------------------------------


@transaction.atomic
def newsletter_click(*, link_id: int, member_id: int) -> NewsletterLink | None:
    """Count a click on an issue's link (every click, and each member once); None for a link that
    does not exist."""
    updated = NewsletterLink.objects.filter(pk=link_id).update(click_count=F("click_count") + 1)
    if not updated:
        return None
    if get_user_model().objects.filter(pk=member_id).exists():
        NewsletterClick.objects.bulk_create(
            [NewsletterClick(link_id=link_id, member_id=member_id)], ignore_conflicts=True
        )
    return NewsletterLink.objects.get(pk=link_id)


__all__ = [
    "KIND",
    "LIST_KEY",
    "TEST_KIND",
    "newsletter_cancel",
    "newsletter_click",
    "newsletter_queue",
    "newsletter_recipients",
    "newsletter_save",
    "newsletter_schedule",
    "newsletter_send_now",
    "newsletter_test_send",
    "newsletters_start",
]
