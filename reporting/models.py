from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyKPI(models.Model):
    """One row per day, rolled up by Celery: dashboards read these rows only, never the live tables."""

    day = models.DateField(_("day"), unique=True)
    members_total = models.PositiveIntegerField(_("members"), default=0)
    members_new = models.PositiveIntegerField(_("new members"), default=0)
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
