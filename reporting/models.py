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
