"""The moderation queue: cases gathering flags and screening reasons, decisions, sanctions, appeals, audit.

Moderation never knows what an item is: a case names it by the registry's item type ("post", "thread",
"profile") and its id, and keeps a snapshot of what the queue list shows (excerpt, link, space), so the
list costs one query whatever the content.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from moderation.models.netiquette import NetiquetteRule


class CaseKind(models.TextChoices):
    CONTENT = "content", _("Content")
    APPEAL = "appeal", _("Appeal")


class CaseState(models.TextChoices):
    OPEN = "open", pgettext_lazy("case state", "Open")
    CLAIMED = "claimed", pgettext_lazy("case state", "Claimed")
    RESOLVED = "resolved", pgettext_lazy("case state", "Resolved")


QUEUED = (CaseState.OPEN, CaseState.CLAIMED)


class Source(models.TextChoices):
    FLAG = "flag", _("Member flag")
    WATCHED_TERM = "term", _("Watched term")
    NEW_MEMBER = "newcomer", _("New member")
    PREMODERATED = "premoderated", _("Pre-moderated space")
    LINKS = "links", _("Links or mentions")
    RATE = "rate", _("Posting rate")
    RESUBMITTED = "resubmitted", _("Revised by its author")
    APPEAL = "appeal", _("Appeal")


class Case(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices, default=CaseKind.CONTENT)
    item_type = models.CharField(_("item type"), max_length=30)
    item_id = models.BigIntegerField(_("item id"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    scope = models.CharField(_("space"), max_length=80, blank=True)
    scope_label = models.CharField(_("space name"), max_length=120, blank=True)
    excerpt = models.CharField(_("excerpt"), max_length=300, blank=True)
    item_url = models.CharField(max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    score = models.FloatField(_("priority"), default=0)
    # score × seconds-per-point − opened time: ordering by it orders by score plus waiting time, and is
    # indexable (the age term is the same "now" for every row).
    rank = models.BigIntegerField(default=0, editable=False)
    sources = ArrayField(models.CharField(max_length=20, choices=Source.choices), default=list, blank=True)
    rule = models.ForeignKey(
        NetiquetteRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    flag_count = models.PositiveIntegerField(_("flags"), default=0)
    hidden_by_score = models.BooleanField(_("hidden pending review"), default=False)
    opened_at = models.DateTimeField(_("opened"))
    first_flag_at = models.DateTimeField(null=True, blank=True)
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_decision = models.ForeignKey(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("moderation queue")
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id", "kind"],
                condition=~Q(state="resolved"),
                name="moderation_case_one_open_per_item",
            ),
        ]
        indexes = [
            # The queue and "next case": highest rank first among open and claimed cases.
            models.Index(
                F("rank").desc(), F("id").desc(), name="moderation_case_queue", condition=Q(state__in=QUEUED)
            ),
            models.Index(
                "rule", F("rank").desc(), name="moderation_case_queue_rule", condition=Q(state__in=QUEUED)
            ),
            models.Index(
                "scope", F("rank").desc(), name="moderation_case_queue_space", condition=Q(state__in=QUEUED)
            ),
            models.Index(fields=["claimed_by"], name="moderation_case_claimed", condition=Q(state="claimed")),
            models.Index(fields=["item_type", "item_id"], name="moderation_case_item"),
            models.Index(fields=["author", "-opened_at"], name="moderation_case_author"),
            models.Index(fields=["-resolved_at"], name="moderation_case_resolved"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.item_type} {self.item_id}"

    @property
    def is_queued(self) -> bool:
        return self.state in QUEUED


class FlagOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Not upheld")


class Flag(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    item_type = models.CharField(max_length=30)
    item_id = models.BigIntegerField()
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("flagged by")
    )
    rule = models.ForeignKey(
        NetiquetteRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    weight = models.FloatField(_("weight"), default=1)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=FlagOutcome.choices, default=FlagOutcome.PENDING
    )
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["flagger", "item_type", "item_id"], name="moderation_flag_once_per_member"
            ),
        ]
        indexes = [
            models.Index(fields=["flagger", "outcome"], name="moderation_flag_history"),
            models.Index(fields=["case", "created_at"], name="moderation_flag_case"),
        ]

    def __str__(self) -> str:
        return f"{self.flagger_id} → {self.item_type} {self.item_id}"


class ScreeningMatch(models.Model):
    """Why screening sent an item to the queue: the watched term, the new member's hold, the rate…"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="matches")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    rule = models.ForeignKey(
        NetiquetteRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    held = models.BooleanField(_("held before publication"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("screening match")
        verbose_name_plural = _("screening matches")
        indexes = [models.Index(fields=["case", "created_at"], name="moderation_match_case")]

    def __str__(self) -> str:
        return f"{self.source}: {self.detail}"


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
    """What moderation tells an author, in the app and by e-mail (sent after commit, swept if missed)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notices")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation notice")
        verbose_name_plural = _("moderation notices")
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="moderation_notice_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="moderation_notice_list"),
            models.Index(
                fields=["created_at"], condition=Q(emailed_at__isnull=True), name="moderation_notice_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


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

    References are kept without foreign-key constraints and with names copied, so the record outlives
    deleted accounts and rules.
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
    actor_name = models.CharField(_("who"), max_length=200, blank=True)
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
