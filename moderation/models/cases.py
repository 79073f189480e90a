"""The moderation queue: cases, gathering the flags and screening reasons of one item each.

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
from moderation.registry import registry


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
    def item_label(self) -> str:
        """What the case is about, in the reader's language: the content type, or "appeal"."""
        return str(_("Appeal")) if self.kind == CaseKind.APPEAL else registry.label(self.item_type)

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
