"""What the forum tells members: followed threads and notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from community.models.forum import Post, Thread


class Subscription(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="community_subscription_once")]
        indexes = [models.Index(fields=["thread"], name="community_subscription_thread")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.thread_id}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Reply in a thread you follow")
    MENTION = "mention", _("Mention")
    SOLUTION = "solution", _("Best answer")
    WELCOME = "welcome", _("Welcome")
    # News of an event the member registered for (written by events; `subject` is its title).
    EVENT_PROMOTED = "ev_promoted", _("A seat for you at an event")
    EVENT_CHANGED = "ev_changed", _("An event was rescheduled")
    EVENT_CANCELLED = "ev_cancelled", _("An event was cancelled")
    EVENT_REMINDER = "ev_reminder", _("An event is about to start")
    EVENT_WON = "ev_won", _("A contest won")
    EVENT_SURVEY = "ev_survey", _("How was an event?")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Notifications about other things than posts (events): what they are about, and where they lead.
    subject = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # A post notifies each recipient once per kind, however often the work is retried.
            models.UniqueConstraint(
                fields=["recipient", "kind", "post"],
                condition=Q(post__isnull=False),
                name="community_notify_once",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="community_notification_list"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="community_notification_unread"
            ),
            # The nightly pruning of notifications read long ago (community.services.notifications).
            models.Index(
                fields=["read_at"], condition=Q(read_at__isnull=False), name="community_notification_read"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
