from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from community.archive import archive_section_register
        from community.sidebar import section_register
        from events import digest as events_digest
        from events.emails import event_email
        from events.moderation_adapters import register_adapters
        from events.sections import archive_events_section, next_events_section
        from events.services.notices import EMAIL_KIND
        from mailings.messages import MessageKind, kind_register, one_by_one

        kind_register(MessageKind(key=EMAIL_KIND, build=one_by_one(event_email)))
        section_register(next_events_section)
        archive_section_register(archive_events_section)
        register_adapters()
        # Upcoming events in members' digests and the newsletter (mailings).
        events_digest.register()
