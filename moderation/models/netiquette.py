"""Netiquette: numbered rules, published versions and members' acceptances."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 5, _("Critical")


class LegalGround(models.TextChoices):
    """What a decision under a rule rests on, as the DSA transparency report asks (art. 17(3)(d)-(e), 15)."""

    TERMS = "terms", _("Incompatible with the terms of use")
    ILLEGAL = "illegal", _("Illegal content")


class NetiquetteRule(models.Model):
    """One numbered rule of the netiquette, written in French and English."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    text_fr = models.TextField(_("text (French)"), max_length=2000)
    text_en = models.TextField(_("text (English)"), max_length=2000)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    strike_points = models.PositiveSmallIntegerField(
        _("strike points"),
        default=1,
        help_text=_("Points an upheld decision under this rule adds to the author's record (0: none)."),
    )
    legal_ground = models.CharField(
        _("legal ground"), max_length=10, choices=LegalGround.choices, default=LegalGround.TERMS
    )
    legal_reference = models.CharField(
        _("legal reference"),
        max_length=200,
        blank=True,
        help_text=_("For illegal content: the law relied on (e.g. an article of a code)."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("netiquette rule")
        verbose_name_plural = _("netiquette rules")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self.title_fr if (get_language() or "").startswith("fr") else self.title_en

    @property
    def text(self) -> str:
        return self.text_fr if (get_language() or "").startswith("fr") else self.text_en

    def snapshot(self) -> dict:
        """The rule as it reads now, kept with a decision: a later edit never rewrites a statement."""
        return {
            "number": self.number,
            "title_fr": self.title_fr,
            "title_en": self.title_en,
            "text_fr": self.text_fr,
            "text_en": self.text_en,
            "legal_ground": self.legal_ground,
            "legal_reference": self.legal_reference,
        }


class NetiquetteVersion(models.Model):
    """Publishing a version asks every member to accept the netiquette again."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("netiquette version")
        verbose_name_plural = _("netiquette versions")

    def __str__(self) -> str:
        return str(self.number)


class NetiquetteAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(NetiquetteVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("netiquette acceptance")
        verbose_name_plural = _("netiquette acceptances")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="moderation_acceptance_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.version_id}"
