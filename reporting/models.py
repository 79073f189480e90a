from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class DailyKPI(models.Model):
    """One row per day, rolled up by Celery: dashboards read these rows only, never the live tables."""

    day = models.DateField(_("day"), unique=True)
    members_total = models.PositiveIntegerField(_("members"), default=0)
    members_new = models.PositiveIntegerField(_("new members"), default=0)
    # Members who came that day, and in the 7 and 30 days ending that day (reporting.MemberDay).
    active = models.PositiveIntegerField(_("active members"), default=0)
    active_week = models.PositiveIntegerField(_("active in 7 days"), default=0)
    active_month = models.PositiveIntegerField(_("active in 30 days"), default=0)
    # Ambassadors and the community team when the day was rolled up (roles have no history).
    ambassadors = models.PositiveIntegerField(_("ambassadors"), default=0)
    team = models.PositiveIntegerField(_("community team"), default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("daily indicators")
        verbose_name_plural = _("daily indicators")
        ordering = ["day"]
        permissions = [("view_dashboard", _("Can view the KPI dashboards"))]

    def __str__(self) -> str:
        return self.day.isoformat()


# What happened each day, moved from Redis by the activity flush (core/activity.py) -------------------


class MemberDay(models.Model):
    """A member came to the site that day (one row per member and day, whatever the pages)."""

    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "member"], name="reporting_member_day_once")]
        indexes = [models.Index(fields=["member", "day"], name="reporting_member_days")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"


class TrafficDay(models.Model):
    """The day's page views and visitors (estimated from salted hashes: no address is kept)."""

    day = models.DateField(_("day"), unique=True)
    views = models.PositiveIntegerField(_("page views"), default=0)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)

    def __str__(self) -> str:
        return self.day.isoformat()


class SpaceDay(models.Model):
    """Page views of a space's threads on a day."""

    day = models.DateField(_("day"))
    space = models.ForeignKey("community.Space", on_delete=models.CASCADE, related_name="+")
    views = models.PositiveIntegerField(_("page views"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "space"], name="reporting_space_day_once")]

    def __str__(self) -> str:
        return f"{self.space_id} {self.day}"


class SearchDay(models.Model):
    """How often a term was searched on a day, and how often it found nothing."""

    day = models.DateField(_("day"))
    term = models.CharField(_("search"), max_length=200)
    searches = models.PositiveIntegerField(default=0)
    empty = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "term"], name="reporting_search_day_once")]

    def __str__(self) -> str:
        return f"{self.term} {self.day}"


# Satisfaction surveys: the community team sets the question and how often; a sample of active members
# is asked by e-mail each round, and answers once.


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Satisfaction, from 1 to 5")
    NPS = "nps", _("Recommendation, from 0 to 10")


class Survey(models.Model):
    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices, default=SurveyKind.CSAT)
    question_en = models.CharField(_("question (English)"), max_length=200)
    question_fr = models.CharField(_("question (French)"), max_length=200)
    every_days = models.PositiveSmallIntegerField(
        _("ask every (days)"), default=90, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )
    sample_size = models.PositiveIntegerField(
        _("members asked each time"), default=300, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    open_days = models.PositiveSmallIntegerField(
        _("answers accepted for (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    active = models.BooleanField(_("active"), default=True)
    # When the next round is due; moved forward by the round that starts (a conditional update).
    next_round_at = models.DateTimeField(_("next round"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return self.question_en

    @property
    def question(self) -> str:
        return self.question_fr if get_language() == "fr" else self.question_en

    @property
    def scale(self) -> range:
        return range(1, 6) if self.kind == SurveyKind.CSAT else range(0, 11)


class SurveyRound(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    opened_at = models.DateTimeField(_("opened"))
    closes_at = models.DateTimeField(_("closes"))
    asked = models.PositiveIntegerField(_("members asked"), default=0)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.opened_at:%Y-%m-%d}"


class SurveyAnswer(models.Model):
    """A member asked in a round; score and comment once they answer (one answer per member and round)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="reporting_survey_answer_once"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="reporting_survey_score_range"),
        ]
        indexes = [
            models.Index(fields=["member", "round"], name="reporting_survey_asked"),
            models.Index(
                fields=["answered_at"],
                name="reporting_survey_answered",
                condition=models.Q(score__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.member_id}"


class SatisfactionDay(models.Model):
    """The day's survey answers (CSAT and NPS), event ratings, and flags against posts published."""

    day = models.DateField(_("day"), unique=True)
    csat_answers = models.PositiveIntegerField(default=0)
    csat_mean = models.FloatField(null=True)
    csat_satisfied = models.PositiveIntegerField(default=0)
    nps_answers = models.PositiveIntegerField(default=0)
    nps = models.FloatField(null=True)
    event_ratings = models.PositiveIntegerField(default=0)
    event_mean = models.FloatField(null=True)
    posts = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0)
    flags_per_1000 = models.FloatField(null=True)

    def __str__(self) -> str:
        return self.day.isoformat()


class HealthDay(models.Model):
    """The community health index of a day and its six factors, each 0–100 (50: as usual), and the raw
    interaction figure the content rollups do not keep (reporting.themes.health says how)."""

    day = models.DateField(_("day"), unique=True)
    index = models.FloatField(_("health index"), null=True)
    growth = models.FloatField(_("growth"), null=True)
    content = models.FloatField(_("content"), null=True)
    traffic = models.FloatField(_("traffic"), null=True)
    responsiveness = models.FloatField(_("responsiveness"), null=True)
    interaction = models.FloatField(_("interaction"), null=True)
    liveliness = models.FloatField(_("liveliness"), null=True)
    participants_per_thread = models.FloatField(null=True)

    def __str__(self) -> str:
        return self.day.isoformat()


# The themes' rollups: one row per day and space, and one for all spaces (space empty) ------------


def _per_space(name: str) -> list:
    return [
        models.UniqueConstraint(fields=["day", "space"], name=f"reporting_{name}_once", nulls_distinct=False)
    ]


class ContentDay(models.Model):
    """Posts and threads published that day (still visible when rolled up), in a space or in all."""

    day = models.DateField(_("day"))
    space = models.ForeignKey("community.Space", on_delete=models.CASCADE, null=True, related_name="+")
    threads = models.PositiveIntegerField(_("new threads"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)
    replies = models.PositiveIntegerField(_("replies"), default=0)
    new_contributors = models.PositiveIntegerField(_("new contributors"), default=0)
    posts_team = models.PositiveIntegerField(_("posts by the team"), default=0)
    posts_newcomers = models.PositiveIntegerField(_("posts by new members"), default=0)
    posts_returning = models.PositiveIntegerField(_("posts by returning members"), default=0)
    reactions = models.PositiveIntegerField(_("reactions"), default=0)
    helpful = models.PositiveIntegerField(_("helpful reactions"), default=0)

    class Meta:
        constraints = _per_space("content_day")

    def __str__(self) -> str:
        return f"{self.day} {self.space_id or 'all'}"


class ResponseDay(models.Model):
    """The threads started that day and how they were answered (as known when rolled up)."""

    day = models.DateField(_("day"))
    space = models.ForeignKey("community.Space", on_delete=models.CASCADE, null=True, related_name="+")
    threads = models.PositiveIntegerField(_("threads started"), default=0)
    answered = models.PositiveIntegerField(_("answered"), default=0)
    # Minutes to the first reply by someone other than the author; "member": the team's left out.
    first_median = models.FloatField(_("median minutes to a first reply"), null=True)
    first_p90 = models.FloatField(_("90th percentile, minutes"), null=True)
    member_median = models.FloatField(_("median minutes to a first reply by a member"), null=True)
    unanswered_24h = models.PositiveIntegerField(_("no reply after 24 h"), default=0)
    unanswered_48h = models.PositiveIntegerField(_("no reply after 48 h"), default=0)
    solved = models.PositiveIntegerField(_("with a best answer"), default=0)

    class Meta:
        constraints = _per_space("response_day")

    def __str__(self) -> str:
        return f"{self.day} {self.space_id or 'all'}"


class EmailDay(models.Model):
    """E-mails of a kind handled that day (sent, failed, bounced) and unsubscribes."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=40)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    bounced = models.PositiveIntegerField(_("bounced"), default=0)
    unsubscribed = models.PositiveIntegerField(_("unsubscribed"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="reporting_email_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


# Moderation: the day's figures, flags and decisions by rule, and each moderator's day -------------


class ModerationDay(models.Model):
    """The moderation queue's day: flags, decisions, time to decide, backlog, appeals and sanctions."""

    day = models.DateField(_("day"), unique=True)
    flags = models.PositiveIntegerField(_("flags"), default=0)
    decisions = models.PositiveIntegerField(_("decisions"), default=0)
    approved = models.PositiveIntegerField(_("approved"), default=0)
    dismissed = models.PositiveIntegerField(_("flags dismissed"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    edited = models.PositiveIntegerField(_("edited and approved"), default=0)
    revised = models.PositiveIntegerField(_("revision asked"), default=0)
    # Minutes from a case's first flag (or its opening) to its decision, for the decisions of the day.
    timed = models.PositiveIntegerField(_("decisions timed"), default=0)
    decide_median = models.FloatField(_("median minutes to decide"), null=True)
    decide_p90 = models.FloatField(_("90th percentile, minutes"), null=True)
    backlog = models.PositiveIntegerField(_("backlog at the end of the day"), default=0)
    backlog_oldest_hours = models.FloatField(_("age of the oldest case waiting, hours"), null=True)
    appeals_filed = models.PositiveIntegerField(_("appeals filed"), default=0)
    appeals_decided = models.PositiveIntegerField(_("appeals decided"), default=0)
    appeals_overturned = models.PositiveIntegerField(_("decisions reversed on appeal"), default=0)
    strikes = models.PositiveIntegerField(_("strikes"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    suspensions = models.PositiveIntegerField(_("suspensions"), default=0)
    bans = models.PositiveIntegerField(_("bans"), default=0)

    def __str__(self) -> str:
        return self.day.isoformat()


class ModerationRuleDay(models.Model):
    """Flags citing a netiquette rule on a day (action empty), and decisions by rule and action (a
    decision citing no rule has no rule number)."""

    day = models.DateField(_("day"))
    rule_number = models.PositiveSmallIntegerField(_("rule"), null=True)
    action = models.CharField(_("decision"), max_length=10, blank=True)
    flags = models.PositiveIntegerField(_("flags"), default=0)
    decisions = models.PositiveIntegerField(_("decisions"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "rule_number", "action"],
                name="reporting_moderation_rule_day_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.rule_number} {self.action}"


class ModeratorDay(models.Model):
    """A moderator's day: decisions taken, their median minutes to decide, and appeals against their
    decisions upheld that day (the decision reversed)."""

    day = models.DateField(_("day"))
    moderator = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    decisions = models.PositiveIntegerField(_("decisions"), default=0)
    minutes_median = models.FloatField(_("median minutes to decide"), null=True)
    overturned = models.PositiveIntegerField(_("reversed on appeal"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "moderator"], name="reporting_moderator_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.moderator_id}"


# Events: one row per event held, keyed by the day it started, and the day's total (event empty) ---


class EventDay(models.Model):
    """An event held (published or archived), on the day it started; the row without an event holds
    the day's totals (and exists for every day rolled up, events or not)."""

    day = models.DateField(_("day"))
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=150, blank=True)
    events = models.PositiveIntegerField(_("events held"), default=0)
    going = models.PositiveIntegerField(_("registrations"), default=0)
    attended = models.PositiveIntegerField(_("attended"), default=0)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0)
    waitlisted = models.PositiveIntegerField(_("waitlist demand"), default=0)
    answers = models.PositiveIntegerField(_("survey answers"), default=0)
    rating = models.FloatField(_("mean rating"), null=True)
    # Posts in the 30 days after the event, once they have passed: by its attendees, and by the members
    # active in the 30 days before it who did not attend (each group's size is kept to make means).
    followed_attendees = models.PositiveIntegerField(default=0)
    attendee_posts = models.PositiveIntegerField(default=0)
    followed_others = models.PositiveIntegerField(default=0)
    other_posts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "event"], name="reporting_event_day_once", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.event_id or 'all'}"


# Recruitment: sign-ups by source each day, and the referrers who brought them ---------------------


class RecruitmentDay(models.Model):
    """Invitation links created on a day, and the members who joined by where they came from."""

    day = models.DateField(_("day"), unique=True)
    links = models.PositiveIntegerField(_("invitation links created"), default=0)
    signups = models.PositiveIntegerField(_("sign-ups"), default=0)
    invited = models.PositiveIntegerField(_("sign-ups through an invitation"), default=0)
    from_team = models.PositiveIntegerField(_("invited by the team"), default=0)
    referral = models.PositiveIntegerField(_("referred by a member"), default=0)
    direct = models.PositiveIntegerField(_("direct"), default=0)

    def __str__(self) -> str:
        return self.day.isoformat()


class ReferrerDay(models.Model):
    """The members outside the team whose invitation brought sign-ups on a day."""

    day = models.DateField(_("day"))
    referrer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    signups = models.PositiveIntegerField(_("sign-ups"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "referrer"], name="reporting_referrer_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.referrer_id}"


# Cohorts: the members who joined in a week (its Monday, in the community's time zone) ---------------


class OnboardingWeek(models.Model):
    """How far the members who joined in a week went in their first days (reporting.themes.onboarding)."""

    week = models.DateField(_("sign-up week"), unique=True)
    signed_up = models.PositiveIntegerField(_("signed up"), default=0)
    confirmed = models.PositiveIntegerField(_("e-mail confirmed"), default=0)
    netiquette = models.PositiveIntegerField(_("netiquette accepted"), default=0)
    introduced = models.PositiveIntegerField(_("introduced themselves"), default=0)
    welcomed = models.PositiveIntegerField(_("welcomed"), default=0)
    second_post = models.PositiveIntegerField(_("second post"), default=0)
    # Members whose 30th day has come, and those of them who came back from then on (empty while none).
    reached_30d = models.PositiveIntegerField(_("members 30 days on"), default=0)
    active_30d = models.PositiveIntegerField(_("still active after 30 days"), null=True)
    # Median hours between consecutive steps, for the members who took both.
    hours_netiquette = models.FloatField(_("median hours from signing up to the netiquette"), null=True)
    hours_introduction = models.FloatField(
        _("median hours from the netiquette to the introduction"), null=True
    )
    hours_welcome = models.FloatField(_("median hours from the introduction to the welcome"), null=True)
    hours_second_post = models.FloatField(_("median hours from the welcome to the second post"), null=True)

    class Meta:
        ordering = ["week"]

    def __str__(self) -> str:
        return self.week.isoformat()


class RetentionWeek(models.Model):
    """Of the members who joined in a week, those who came in its n-th week since (0: that week)."""

    cohort_week = models.DateField(_("sign-up week"))
    week_number = models.PositiveSmallIntegerField(_("weeks since signing up"))
    cohort_size = models.PositiveIntegerField(_("members who joined"), default=0)
    active = models.PositiveIntegerField(_("active members"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort_week", "week_number"], name="reporting_retention_once"),
            models.CheckConstraint(
                condition=models.Q(active__lte=models.F("cohort_size")), name="reporting_retention_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort_week} +{self.week_number}"


class ContributorDay(models.Model):
    """A member's contributions on a day: visible posts, helpful reactions received, best answers
    (written only for members with one of them that day)."""

    day = models.DateField(_("day"))
    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    posts = models.PositiveIntegerField(_("posts"), default=0)
    helpful = models.PositiveIntegerField(_("helpful reactions received"), default=0)
    solutions = models.PositiveIntegerField(_("best answers"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "member"], name="reporting_contributor_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"


class ContributionDay(models.Model):
    """The day's contributions in all, summed from its ContributorDay rows when they are written, so
    that the chart of a long period reads one row a day instead of every member's."""

    day = models.DateField(_("day"), unique=True)
    contributors = models.PositiveIntegerField(_("contributors"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)
    helpful = models.PositiveIntegerField(_("helpful reactions received"), default=0)
    solutions = models.PositiveIntegerField(_("best answers"), default=0)

    def __str__(self) -> str:
        return self.day.isoformat()
