from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from mailings.audiences import exclusion_register
        from mailings.messages import MessageKind, kind_register, one_by_one
        from moderation import receivers  # noqa: F401 - connects the sign-in hook
        from moderation.emails import notice_email
        from moderation.selectors.standing import members_restricted
        from moderation.services.notices import EMAIL_KIND

        kind_register(MessageKind(key=EMAIL_KIND, build=one_by_one(notice_email)))
        # Suspended and banned members get no digest or newsletter (their notices still go out).
        exclusion_register(members_restricted)
