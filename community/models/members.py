"""A member's community-side state (preferences, onboarding, counters) and their invitations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models.forum import PostState, Thread


class DigestFrequency(models.TextChoices):
    NEVER = "never", _("Never")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class MemberState(models.Model):
    """A member's community-side state: preferences, onboarding progress and counters."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="community_state"
    )
    email_on_mention = models.BooleanField(_("e-mail me when someone mentions me"), default=True)
    email_on_reply = models.BooleanField(_("e-mail me replies in threads I follow"), default=True)
    digest = models.CharField(
        _("digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    post_count = models.PositiveIntegerField(default=0)
    introduction = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_reply_at = models.DateTimeField(null=True, blank=True)
    onboarding_dismissed = models.BooleanField(default=False)
    # The bio is shown only while visible: screening may hold it, moderation may remove it.
    bio_state = models.CharField(
        max_length=10, choices=PostState.choices, default=PostState.VISIBLE, db_default=PostState.VISIBLE
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("member state")
        verbose_name_plural = _("member states")

    def __str__(self) -> str:
        return str(self.user_id)


class Invitation(models.Model):
    code = models.CharField(max_length=32, unique=True, editable=False)
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    note = models.CharField(
        _("note"), max_length=120, blank=True, help_text=_("Who is it for? Only you see it.")
    )
    max_uses = models.PositiveIntegerField(_("maximum sign-ups"), default=10)
    use_count = models.PositiveIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(use_count__lte=models.F("max_uses")), name="community_invitation_cap"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("community:invitation", args=[self.code])


class PurgedSignupDay(models.Model):
    """How many accounts that joined on a day (the community's) were deleted by housekeeping because
    their address was never confirmed: a count and nothing else, so that the reports' cohorts of
    sign-ups keep their size once those accounts are gone (reporting.services.rollups)."""

    day = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"
