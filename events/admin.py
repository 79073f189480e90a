"""Events in the community managers' workplace: every save and action goes through events.services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from events.forms import EventForm
from events.models import Event, Registration
from events.services import planning as services


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = ["member", "status", "waitlist_position", "answers", "attended_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        # Members register on the site, where capacity and the waiting list are decided.
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    list_display = ["title", "kind", "format", "state", "starts_at", "space", "capacity", "seats_taken"]
    list_filter = ["state", "kind", "format", "space"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    list_select_related = ["space"]
    readonly_fields = ["state", "seats_taken", "sequence", "created_by", "created_at", "cancelled_at"]
    # A search among 100k members, not a list of them all.
    autocomplete_fields = ["invitees"]
    inlines = [RegistrationInline]
    actions = ["publish", "cancel"]

    def save_model(self, request, obj, form, change) -> None:
        services.event_save(actor=request.user, event=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Registrants would lose their seats without being told: cancel the event instead.
        return False

    def _each(self, request, queryset, action, done) -> None:
        try:
            for event in queryset:
                action(actor=request.user, event=event)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return
        self.message_user(request, done, messages.SUCCESS)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset) -> None:
        self._each(request, queryset, services.event_publish, _("The events are published."))

    @admin.action(description=_("Cancel the selected events"))
    def cancel(self, request, queryset) -> None:
        self._each(request, queryset, services.event_cancel, _("The events are cancelled."))
