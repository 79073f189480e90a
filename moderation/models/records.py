"""Watched terms for screening, and the audit log of every moderation action."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moderation.models.cases import Case
from moderation.models.netiquette import NetiquetteRule


class TermAction(models.TextChoices):
    BLOCK = "block", _("Block: refuse the post")
    HOLD = "hold", _("Hold for review")
    FLAG = "flag", _("Publish, then flag for review")
    REPLACE = "replace", _("Replace the term")


class WatchedTerm(models.Model):
    term = models.CharField(
        _("term"),
        max_length=60,
        help_text=_(
            "A word or phrase, matched whatever the case, accents or simple leetspeak (3 for e, 0 for o…). "
            "End it with * to match any ending. Regular expressions are not accepted."
        ),
    )
    normalized = models.CharField(max_length=60, unique=True, editable=False)
    action = models.CharField(_("action"), max_length=10, choices=TermAction.choices, default=TermAction.HOLD)
    replacement = models.CharField(_("replacement"), max_length=60, blank=True, default="***")
    rule = models.ForeignKey(
        NetiquetteRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["normalized"]
        verbose_name = _("watched term")
        verbose_name_plural = _("watched terms")

    def __str__(self) -> str:
        return self.term


AUDIT_ACTIONS = {
    "flag": _("Flagged"),
    "hold": _("Held by screening"),
    "screen": _("Matched by screening"),
    "auto_hide": _("Hidden past the threshold"),
    "reopen": _("Reopened"),
    "claim": _("Claimed"),
    "release": _("Released"),
    "approve": _("Approved"),
    "dismiss": _("Flags dismissed"),
    "remove": _("Removed"),
    "edit": _("Edited and approved"),
    "revise": _("Revision asked"),
    "warning": _("Warning"),
    "suspension": _("Suspension"),
    "ban": _("Ban"),
    "lift": _("Sanction lifted"),
    "appeal": _("Appealed"),
    "appeal_upheld": _("Appeal upheld"),
    "appeal_rejected": _("Appeal rejected"),
    "watched_term": _("Watched term saved"),
}


class AuditEntry(models.Model):
    """One moderation action, never edited (a database trigger refuses UPDATE and DELETE).

    References are kept without foreign-key constraints, so the record outlives deleted accounts and
    rules. Who acted is a reference only (actor_id), never a copy of their name or address: the log
    shows the account's current name, and "deleted member" once the account is gone, so a member's
    erasure (GDPR art. 17) leaves nothing of them in a log that cannot be edited.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=30)
    case = models.ForeignKey(
        Case, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    item_type = models.CharField(_("item type"), max_length=30, blank=True)
    item_id = models.BigIntegerField(_("item id"), null=True, blank=True)
    target_user_id = models.BigIntegerField(_("member"), null=True, blank=True)
    rule_number = models.PositiveSmallIntegerField(_("rule"), null=True, blank=True)
    visibility_before = models.CharField(_("visibility before"), max_length=20, blank=True)
    visibility_after = models.CharField(_("visibility after"), max_length=20, blank=True)
    automated = models.BooleanField(_("automated"), default=False)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["-at", "-id"], name="moderation_audit_recent"),
            models.Index(fields=["case"], name="moderation_audit_case"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def actor_label(self) -> str:
        """Who acted, as the log shows it: the account's current name, "deleted member" once it is
        gone, "automatic" for the platform's own actions. Read the entries with select_related("actor")
        (one query for all: the join finds no row for a deleted account)."""
        if self.actor_id is None:
            return gettext("automatic")
        try:
            actor = self.actor
        except ObjectDoesNotExist:
            actor = None
        return actor.public_name if actor is not None else gettext("deleted member")

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def visibility_before_label(self) -> str:
        from moderation.registry import visibility_label

        return visibility_label(self.visibility_before) if self.visibility_before else "—"

    @property
    def visibility_after_label(self) -> str:
        from moderation.registry import visibility_label

        return visibility_label(self.visibility_after)
