"""Reads of the newsletter shaped for its pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.permissions import Actor
from mailings.audiences import AUDIENCES
from mailings.models import (
    TODO,
    Consent,
    Delivery,
    DeliveryState,
    Newsletter,
    NewsletterLink,
    NewsletterState,
)
from mailings.permissions import can_manage_newsletter
from mailings.services.newsletters import KIND, LIST_KEY

ARCHIVE_PAGE = 50


def newsletter_list() -> QuerySet[Newsletter]:
    return Newsletter.objects.select_related("created_by").order_by("-created_at")[:200]


def access_newsletter(pk: int) -> Newsletter:
    """An issue for its team pages (the caller has checked the role)."""
    try:
        return Newsletter.objects.get(pk=pk)
    except Newsletter.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class Status:
    recipients: int
    waiting: int
    sent: int
    failed: int
    skipped: int
    bounced: int
    unsubscribed: int
    links: list[NewsletterLink]

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.recipients else min(100, self.done * 100 // self.recipients)


def newsletter_status(issue: Newsletter) -> Status:
    """What became of an issue's e-mails (three queries): the rows by state and bounce (with those
    housekeeping pruned, counted on the issue), the members who left the newsletter from this issue's
    link, and its links with total and unique clicks."""
    rows = Delivery.objects.filter(kind=KIND, ref=str(issue.pk)).aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(state__in=TODO)),
        sent=Count("pk", filter=Q(state=DeliveryState.SENT)),
        failed=Count("pk", filter=Q(state=DeliveryState.FAILED)),
        skipped=Count("pk", filter=Q(state=DeliveryState.SKIPPED)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
    )
    left = Consent.objects.filter(list_key=LIST_KEY, given=False, source=f"one-click:issue-{issue.pk}")
    links = issue.links.annotate(unique_clicks=Count("clicks")).order_by("position", "pk")
    pruned = issue.pruned_sent + issue.pruned_failed + issue.pruned_skipped
    return Status(
        recipients=max(issue.recipient_count, rows["total"] + pruned),
        waiting=rows["waiting"],
        sent=rows["sent"] + issue.pruned_sent,
        failed=rows["failed"] + issue.pruned_failed,
        skipped=rows["skipped"] + issue.pruned_skipped,
        bounced=rows["bounced"] + issue.pruned_bounced,
        unsubscribed=left.values("member_id").distinct().count(),
        links=list(links),
    )


def _public_audiences() -> list[str]:
    return [key for key, audience in AUDIENCES.items() if audience.public]


def archive_issues(user: Actor) -> QuerySet[Newsletter]:
    """Sent issues, newest first: those for every member or a language for everyone (their content is
    public by construction), all of them for the community team."""
    issues = Newsletter.objects.filter(state=NewsletterState.SENT)
    if not can_manage_newsletter(user):
        issues = issues.filter(audience__in=_public_audiences())
    return issues.order_by("-finished_at", "-pk")[:ARCHIVE_PAGE]


def access_archive_issue(user: Actor, pk: int) -> Newsletter:
    """A sent issue the reader may read; 404 for missing and forbidden alike."""
    issues = Newsletter.objects.filter(pk=pk, state=NewsletterState.SENT)
    if not can_manage_newsletter(user):
        issues = issues.filter(audience__in=_public_audiences())
    issue = issues.first()
    if issue is None:
        raise Http404
    return issue
