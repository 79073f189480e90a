from django.db import models
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
