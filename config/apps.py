from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class AgoraAdminConfig(AdminConfig):
    default_site = "config.admin_site.AgoraAdminSite"


class PlatformConfig(AppConfig):
    """Platform-wide pieces: health, translations tooling, the Celery heartbeat, the counts of CSP
    violation reports (the site's branding, first made here, now lives in core)."""

    name = "config"
    label = "platform"
    verbose_name = _("Site")
