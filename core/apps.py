from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom of the project: what every app shares and that belongs to no domain."""

    name = "core"
    verbose_name = _("Site")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core.observability import forget_request_id

        # The request id lives until the response is closed: Django logs a 4xx/5xx after the middleware.
        request_finished.connect(forget_request_id, dispatch_uid="core.forget_request_id")
