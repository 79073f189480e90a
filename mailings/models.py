"""E-mail to members: the addresses that must not be mailed, consent, and every message as a delivery row."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "bounced", _("Hard bounce: the address does not exist")
    SOFT_BOUNCES = "soft", _("Too many soft bounces")
    COMPLAINT = "complaint", _("Marked as spam by the recipient")


class AddressState(models.Model):
    """What the e-mail provider told about one address: soft bounces counted, and whether it is
    suppressed (a hard bounce, a complaint, too many soft bounces). A suppressed address gets no e-mail
    at all until the member changes it or the team lifts it."""

    address = models.EmailField(_("address"), unique=True)  # stored lower-cased
    soft_bounces = models.PositiveIntegerField(_("soft bounces"), default=0)
    suppressed = models.CharField(
        _("suppressed"), max_length=10, choices=SuppressionReason.choices, blank=True
    )
    last_event = models.CharField(_("last event"), max_length=40, blank=True)
    last_detail = models.TextField(_("detail"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("address state")
        verbose_name_plural = _("address states")
        indexes = [models.Index(fields=["suppressed"], name="mailings_suppressed")]

    def __str__(self) -> str:
        return self.address


class Consent(models.Model):
    """One consent given or withdrawn, as a history: a member's current choice for a list is their
    latest row. Kept with the wording's version and where it happened (the member's data export shows
    them)."""

    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="consents")
    list_key = models.CharField(_("list"), max_length=40)
    given = models.BooleanField(_("given"))
    wording_version = models.CharField(_("wording version"), max_length=20, blank=True)
    source = models.CharField(_("where"), max_length=40)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["member", "list_key", "-created_at"], name="mailings_consent_latest")]

    def __str__(self) -> str:
        return f"{self.member_id} {'+' if self.given else '-'} {self.list_key}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")


TODO = [DeliveryState.PENDING, DeliveryState.SENDING]


class Delivery(models.Model):
    """One e-mail to one member: a notification, a notice, a digest of a period, an issue of the
    newsletter. Unique per (kind, ref, member), written in the transaction of what causes it, claimed by
    workers with SKIP LOCKED and marked once sent, so a lost, doubled or crashed send neither loses nor
    doubles it (mailings.services.delivery)."""

    kind = models.CharField(_("kind"), max_length=40)
    # With kind and member, what makes the message once: the period of a digest, the issue, the post.
    ref = models.CharField(_("reference"), max_length=160)
    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    # Lower first: a notification goes before the rest of a newsletter being sent.
    priority = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # Not sent before (a scheduled issue, or the backoff after a temporary failure).
    not_before = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref", "member"], name="mailings_delivery_once"),
        ]
        indexes = [
            # What workers claim, in order: the partial index holds only what is left to do.
            models.Index(
                fields=["priority", "not_before", "id"],
                condition=Q(state__in=TODO),
                name="mailings_delivery_todo",
            ),
            models.Index(fields=["kind", "ref", "state"], name="mailings_delivery_progress"),
            models.Index(fields=["sent_at"], name="mailings_delivery_sent"),
            # The nightly pruning of rows past OUTBOX_RETENTION_DAYS (mailings.services.housekeeping).
            models.Index(fields=["created_at"], name="mailings_delivery_created"),
            models.Index(fields=["message_id"], condition=~Q(message_id=""), name="mailings_delivery_msgid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref} → {self.member_id}"


# The newsletter ----------------------------------------------------------------------------------------


class NewsletterState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUEING = "queueing", _("Preparing the send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


# What the community team may still change: the text, the audience, the date.
EDITABLE = [NewsletterState.DRAFT, NewsletterState.CANCELLED]


class Newsletter(models.Model):
    """One issue of the community manager's newsletter. Its state moves by conditional updates only
    (services.newsletters), so a cancel racing the start of the send is settled by the database: the
    first to change the row wins and the other finds it no longer in the state it expected."""

    subject = models.CharField(_("subject"), max_length=150)
    preheader = models.CharField(
        _("preheader"),
        max_length=150,
        blank=True,
        help_text=_("The line mail programs show after the subject."),
    )
    intro_md = models.TextField(_("introduction"), max_length=20_000, blank=True)
    intro_html = models.TextField(editable=False, blank=True)
    # Hand-picked items, as the picker showed them: [{source, ref, title, excerpt, url}, …]. What each
    # member receives is built again at send time by the item's source (a hidden item is left out).
    picks = models.JSONField(default=list, blank=True)
    include_events = models.BooleanField(_("upcoming events"), default=False)
    include_figures = models.BooleanField(_("figures of the month"), default=False)
    # A key of mailings.audiences.AUDIENCES and its value (a group's id, a language, a space's id).
    audience = models.CharField(_("audience"), max_length=20, default="everyone")
    audience_value = models.CharField(_("audience value"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=NewsletterState.choices, default=NewsletterState.DRAFT
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # What the issue's delivery rows said when housekeeping deleted them (OUTBOX_RETENTION_DAYS after
    # the send), so the issue's figures stay the same once its rows are gone.
    pruned_sent = models.PositiveIntegerField(default=0, editable=False)
    pruned_failed = models.PositiveIntegerField(default=0, editable=False)
    pruned_skipped = models.PositiveIntegerField(default=0, editable=False)
    pruned_bounced = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        indexes = [
            # The beat's minute: issues due to start, and issues being prepared or sent.
            models.Index(
                fields=["state", "scheduled_for"],
                condition=Q(state__in=["scheduled", "queueing", "sending"]),
                name="mailings_newsletter_active",
            ),
            # The archive: sent issues, newest first.
            models.Index(
                fields=["-finished_at"], condition=Q(state="sent"), name="mailings_newsletter_archive"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


class NewsletterLink(models.Model):
    """A link of an issue: e-mails point to the click redirect, which goes to this URL only (never to
    a URL given in the request: no open redirect) and counts the click."""

    issue = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)
    click_count = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["issue", "url"], name="mailings_newsletter_link_once")]

    def __str__(self) -> str:
        return self.url


class NewsletterClick(models.Model):
    """A member's first click on a link: counts the link's unique clicks."""

    link = models.ForeignKey(NewsletterLink, on_delete=models.CASCADE, related_name="clicks")
    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "member"], name="mailings_newsletter_click_once")
        ]

    def __str__(self) -> str:
        return f"{self.link_id} ← {self.member_id}"
