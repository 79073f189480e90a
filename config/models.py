"""The platform's own records: the Content-Security-Policy violations browsers report (config.csp)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CspReport(models.Model):
    """How many violations of the site's Content-Security-Policy browsers reported on a day, for one
    directive, blocked origin, page and disposition. Nothing personal is kept: no address, no browser,
    no query string, no page address beyond the site's URL pattern, the blocked resource reduced to
    its origin (or inline, eval…). Counted with an upsert, so reports of the same kind add to one row
    (and a day's rows are capped: config.csp)."""

    day = models.DateField(_("day"))
    directive = models.CharField(_("directive"), max_length=40)
    blocked = models.CharField(_("blocked"), max_length=200, blank=True)
    page = models.CharField(_("page"), max_length=200, blank=True)
    disposition = models.CharField(_("disposition"), max_length=10)
    count = models.PositiveIntegerField(_("reports"), default=0)

    class Meta:
        verbose_name = _("CSP violation report")
        verbose_name_plural = _("CSP violation reports")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "directive", "blocked", "page", "disposition"], name="platform_csp_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.directive} {self.blocked}"
