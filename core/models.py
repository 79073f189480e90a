from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour such as #1d4ed8."))


class SiteBranding(models.Model):
    """The community's name and colours, edited by community managers in the admin (one row)."""

    name = models.CharField(_("site name"), max_length=60, default="Agora")
    tagline = models.CharField(_("tagline"), max_length=140, blank=True)
    welcome = models.TextField(
        _("welcome text"), max_length=1000, blank=True, help_text=_("Shown on the home page; plain text.")
    )
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#4f46e5", validators=[hex_colour]
    )

    class Meta:
        verbose_name = _("site branding")
        verbose_name_plural = _("site branding")
        # Made by the `platform` app (config) before it moved here: the table keeps its name.
        db_table = "platform_sitebranding"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="platform_branding_single_row")]

    def __str__(self) -> str:
        return self.name
