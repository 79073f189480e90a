"""Decisions on cases, and what follows them: strike points, sanctions and the ladder, appeals, notices,
and the settings community managers tune."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moderation.models.cases import Case
from moderation.models.netiquette import NetiquetteRule


class DecisionAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    DISMISS = "dismiss", _("Dismiss the flags")
    REMOVE = "remove", _("Remove")
    EDIT = "edit", _("Edit and approve")
    REVISE = "revise", _("Ask the author to revise")


# Decisions that uphold the flags: they cite a rule, add strike points and send a statement of reasons.
RESTRICTING = (DecisionAction.REMOVE, DecisionAction.EDIT, DecisionAction.REVISE)


class SanctionKind(models.TextChoices):
    NONE = "none", _("No sanction")
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    BAN = "ban", _("Ban")


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    action = models.CharField(_("decision"), max_length=10, choices=DecisionAction.choices)
    rule = models.ForeignKey(
        NetiquetteRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    rule_snapshot = models.JSONField(default=dict, blank=True)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    facts = models.TextField(_("facts relied on"), blank=True)
    detected_automatically = models.BooleanField(_("detected automatically"), default=False)
    points = models.PositiveSmallIntegerField(_("strike points"), default=0)
    proposed_sanction = models.CharField(
        max_length=10, choices=SanctionKind.choices, default=SanctionKind.NONE
    )
    proposed_days = models.PositiveSmallIntegerField(null=True, blank=True)
    sanction = models.CharField(
        _("sanction"), max_length=10, choices=SanctionKind.choices, default=SanctionKind.NONE
    )
    sanction_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    override_reason = models.CharField(_("reason for overriding the ladder"), max_length=500, blank=True)
    item_state_before = models.CharField(max_length=20, blank=True)
    item_state_after = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["-created_at"], name="moderation_decision_recent"),
            models.Index(fields=["author", "-created_at"], name="moderation_decision_author"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.case_id}"

    @property
    def rule_number(self) -> int | None:
        return self.rule_snapshot.get("number")


class Strike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="strikes")
    points = models.PositiveSmallIntegerField(_("points"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        verbose_name = _("strike")
        verbose_name_plural = _("strikes")
        indexes = [models.Index(fields=["user", "expires_at"], name="moderation_strike_active")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.points}"


class Sanction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("sanction"), max_length=10, choices=SanctionKind.choices)
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="sanctions"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [
            models.Index(fields=["user", "-starts_at"], name="moderation_sanction_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"


class LadderStep(models.Model):
    """Strike points reaching `points` propose this sanction on the decision form."""

    points = models.PositiveSmallIntegerField(_("points reached"), unique=True)
    sanction = models.CharField(
        _("sanction"),
        max_length=10,
        choices=[c for c in SanctionKind.choices if c[0] != SanctionKind.NONE],
    )
    days = models.PositiveSmallIntegerField(_("days of suspension"), null=True, blank=True)

    class Meta:
        ordering = ["points"]
        verbose_name = _("ladder step")
        verbose_name_plural = _("strikes ladder")
        constraints = [
            models.CheckConstraint(
                condition=~Q(sanction="suspension") | Q(days__gte=1),
                name="moderation_ladder_suspension_days",
            )
        ]

    def __str__(self) -> str:
        return f"{self.points} → {self.sanction}"


class ModerationPolicy(models.Model):
    """One row of settings the community managers tune in the admin."""

    strike_days = models.PositiveSmallIntegerField(_("strike points expire after (days)"), default=180)
    claim_minutes = models.PositiveSmallIntegerField(_("a claim expires after (minutes)"), default=15)
    hide_score = models.FloatField(
        _("hide at once from this priority"),
        default=12,
        help_text=_("Flags adding up to this priority hide the content until a community manager decides."),
    )
    seconds_per_point = models.PositiveIntegerField(
        _("waiting time worth one priority point (seconds)"), default=3600
    )
    newcomer_posts = models.PositiveSmallIntegerField(
        _("members with fewer posts than this are new"), default=5
    )
    newcomer_max_links = models.PositiveSmallIntegerField(_("links a new member may post at once"), default=2)
    newcomer_max_mentions = models.PositiveSmallIntegerField(
        _("mentions a new member may post at once"), default=5
    )
    burst_posts = models.PositiveSmallIntegerField(_("posts allowed in a burst"), default=6)
    burst_seconds = models.PositiveSmallIntegerField(_("burst window (seconds)"), default=60)
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal a decision"), default=180)
    ambassador_weight = models.FloatField(_("weight of an ambassador's flag"), default=2)
    manager_weight = models.FloatField(_("weight of a community manager's flag"), default=3)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(_("Moderation settings"))


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: decision reversed")
    REJECTED = "rejected", _("Rejected: decision confirmed")


class Appeal(models.Model):
    decision = models.OneToOneField(
        Decision, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("decision")
    )
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("appeal"), max_length=2000)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="appeal")
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"appeal of {self.decision_id}"


class NoticeKind(models.TextChoices):
    STATEMENT = "statement", _("Statement of reasons")
    APPEAL_OUTCOME = "appeal", _("Outcome of your appeal")


class Notice(models.Model):
    """What moderation tells an author, in the app and by e-mail (a mailings delivery written with it)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notices")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation notice")
        verbose_name_plural = _("moderation notices")
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="moderation_notice_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="moderation_notice_list"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
