from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class AgoraAdminConfig(AdminConfig):
    default_site = "config.admin_site.AgoraAdminSite"


class PlatformConfig(AppConfig):
    """Platform-wide pieces: site branding, health, translations tooling, the Celery heartbeat."""

    name = "config"
    label = "platform"
    verbose_name = _("Site")

    def ready(self) -> None:
        from config import branding  # noqa: F401 - connects cache invalidation
