"""E-mail to members: the addresses that must not be mailed (bounces and complaints)."""

from __future__ import annotations

from django.db import models
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
