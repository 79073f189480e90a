"""Events: online and offline gatherings of the community, and who registered for them.

Times are stored in UTC with the event's own IANA time zone, so each reader sees their local time and
the event's zone is named. Capacity is settled in PostgreSQL: registering locks the event's row and
moves its seats-taken counter in the same transaction, which a check constraint keeps within the
capacity; a freed seat promotes the first of the waitlist in that same transaction
(events.services).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# What members write at events is moderated as posts are, with the forum's states.
from community.models import PostState as ContributionState

TITLE_MAX = 150
# The longest an event lasts: the list of upcoming events reads starts from this long ago only.
LONGEST = timedelta(days=92)


class EventKind(models.TextChoices):
    CHAT = "chat", _("Live chat")
    INTERVIEW = "interview", _("Interview / AMA")
    CONTEST = "contest", _("Contest")
    WEBINAR = "webinar", _("Webinar")
    MEETUP = "meetup", _("Meetup")
    CONFERENCE = "conference", _("Conference")
    BARCAMP = "barcamp", _("Barcamp")
    VIP = "vip", _("VIP gathering")


ONLINE_KINDS = frozenset({EventKind.CHAT, EventKind.INTERVIEW, EventKind.CONTEST, EventKind.WEBINAR})


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("In person")


class EventState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event state", "Draft")
    PUBLISHED = "published", pgettext_lazy("event state", "Published")
    CANCELLED = "cancelled", pgettext_lazy("event state", "Cancelled")
    ARCHIVED = "archived", pgettext_lazy("event state", "Archived")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone, even signed out")
    MEMBERS = "members", _("Signed-in members")
    GROUP = "group", _("A group of members")
    INVITED = "invited", _("Invited members only")


class Event(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    format = models.CharField(_("format"), max_length=8, choices=EventFormat.choices)
    state = models.CharField(_("state"), max_length=10, choices=EventState.choices, default=EventState.DRAFT)
    description_md = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    venue_name = models.CharField(_("venue"), max_length=120, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    join_url = models.URLField(
        _("join link"),
        blank=True,
        help_text=_("For online events: shown to registered members only, shortly before the start."),
    )
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.MEMBERS
    )
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="event_invitations",
        verbose_name=_("invited members"),
    )
    space = models.ForeignKey(
        "community.Space", on_delete=models.PROTECT, related_name="events", verbose_name=_("space")
    )
    thread = models.ForeignKey(
        "community.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    questions = models.JSONField(
        _("registration questions"), default=list, blank=True, help_text=_("Asked when a member registers.")
    )
    reminder_minutes = models.JSONField(
        _("reminders (minutes before the start)"),
        default=list,
        blank=True,
        help_text=_("For example [1440, 60]."),
    )
    # Bumped by every change a calendar must show again (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every change the event's page shows (its shared copy's key, core.shared_pages).
    version = models.PositiveIntegerField(default=0, editable=False)
    # Moderation can remove a description (events.moderation_adapters), as it removes a post.
    description_state = models.CharField(max_length=10, default="visible", editable=False)
    # Contests: entries close at this time (empty: at the event's end); how many winners are drawn.
    entries_close_at = models.DateTimeField(_("entries close"), null=True, blank=True)
    winners_count = models.PositiveSmallIntegerField(_("number of winners"), default=1)
    # After the event.
    recap_md = models.TextField(_("recap"), blank=True)
    recap_html = models.TextField(blank=True, editable=False)
    recording_url = models.URLField(_("recording"), blank=True)
    slides_url = models.URLField(_("slides"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="events_ends_after_start"),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + LONGEST), name="events_at_most_92_days"
            ),
            # The last seat is given once, whatever the concurrency (services lock the row as well).
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="events_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="events_registration_window",
            ),
        ]
        indexes = [
            # The lists by start (upcoming forwards, past backwards), from a bounded start (LONGEST).
            models.Index(fields=["starts_at", "id"], name="events_by_start"),
            models.Index(fields=["space", "starts_at"], name="events_space"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", args=[self.pk])

    @property
    def is_online(self) -> bool:
        return self.format == EventFormat.ONLINE

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


class RegistrationStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLISTED = "waitlisted", _("On the waiting list")
    INTERESTED = "interested", _("Interested")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    # Order on the waiting list: the first freed seat goes to the smallest.
    waitlist_position = models.PositiveIntegerField(null=True, blank=True, editable=False)
    answers = models.JSONField(default=dict, blank=True)
    # The member's choice: their name among "who is going" on the event's page.
    listed = models.BooleanField(_("show my name among those going"), default=True)
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True)
    # When the satisfaction survey was offered (claimed by the beat task, so it is offered once).
    survey_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a freed seat last took the member off the waiting list (the events report's demand).
    promoted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="events_registration_once"),
            models.UniqueConstraint(
                fields=["event", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="events_waitlist_position_once",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="events_waitlist_position_iff_waitlisted",
            ),
        ]
        indexes = [
            models.Index(
                fields=["event", "waitlist_position"],
                condition=Q(status="waitlisted"),
                name="events_waitlist",
            ),
            models.Index(fields=["member", "status"], name="events_member_registrations"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.event_id} ({self.status})"


class EventReminder(models.Model):
    """A reminder due to one registration at a time before the start: the beat task claims due rows
    with SKIP LOCKED and marks them sent in the transaction that writes the notification and e-mail,
    so a restarted beat or a killed worker sends each once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reminders")
    minutes_before = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "registration", "minutes_before"], name="events_reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="events_reminders_due")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} − {self.minutes_before} min"


class CalendarFeed(models.Model):
    """A member's secret calendar address: the token is compared in constant time, and renewing it
    revokes the old address."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"feed of {self.member_id}"


class ContributionKind(models.TextChoices):
    QUESTION = "question", _("Question")
    CHAT = "chat", _("Chat message")
    ENTRY = "entry", _("Contest entry")


class Contribution(models.Model):
    """What members write at an event: an AMA question, a live chat message, a contest entry. Markdown
    rendered and sanitised on write as posts are, screened and moderated as posts are."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=10, choices=ContributionKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body_md = models.TextField()
    body_html = models.TextField()
    state = models.CharField(
        max_length=10, choices=ContributionState.choices, default=ContributionState.VISIBLE
    )
    rule_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # Questions: upvotes (denormalised), and the team's answer.
    upvotes = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_md = models.TextField(blank=True)
    answer_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            # One entry per member and contest (a deleted one may be written again).
            models.UniqueConstraint(
                fields=["event", "author"],
                condition=Q(kind="entry") & ~Q(state="deleted"),
                name="events_one_entry",
            ),
        ]
        indexes = [
            # The chat's polling ("messages after id N") and every list of one kind of an event.
            models.Index(fields=["event", "kind", "id"], name="events_contributions"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} at {self.event_id}"

    def get_absolute_url(self) -> str:
        pages = {"question": "events:questions", "chat": "events:chat", "entry": "events:contest"}
        return f"{reverse(pages[self.kind], args=[self.event_id])}#c{self.pk}"


class Upvote(models.Model):
    question = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "member"], name="events_upvote_once")]

    def __str__(self) -> str:
        return f"{self.member_id} ↑ {self.question_id}"


class ContestDraw(models.Model):
    """A contest's result, kept so anyone can check it: for a random draw, the seed (from `secrets`) and
    the eligible entries frozen at draw time, from which the winners are drawn again identically
    (events.services.contests.draw_winners); for a jury, the entries it chose."""

    class Method(models.TextChoices):
        RANDOM = "random", _("Random draw")
        JURY = "jury", _("Jury")

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="draw")
    method = models.CharField(max_length=8, choices=Method.choices)
    seed = models.CharField(max_length=64, blank=True)
    eligible = models.JSONField(default=list)
    winners = models.JSONField(default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"draw of {self.event_id}"


class SurveyResponse(models.Model):
    """An attendee's satisfaction with an event: 1 to 5, and a comment."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="survey_responses")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="events_survey_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="events_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.rating}/5 for {self.event_id}"
