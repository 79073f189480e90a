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
            models.Index(fields=["message_id"], condition=~Q(message_id=""), name="mailings_delivery_msgid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref} → {self.member_id}"
