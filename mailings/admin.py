"""What providers said about addresses: the team sees suppressed ones and lifts a suppression."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from mailings.models import AddressState
from mailings.services import suppression_lift


@admin.register(AddressState)
class AddressStateAdmin(admin.ModelAdmin):
    list_display = ["address", "suppressed", "soft_bounces", "last_event", "updated_at"]
    list_filter = ["suppressed", "last_event"]
    search_fields = ["address"]
    readonly_fields = ["address", "suppressed", "soft_bounces", "last_event", "last_detail", "updated_at"]
    actions = ["lift"]

    def has_add_permission(self, request) -> bool:
        return False  # written by the providers' webhooks

    @admin.action(description=_("Lift the suppression (mail these addresses again)"))
    def lift(self, request, queryset) -> None:
        for state in queryset:
            suppression_lift(address=state.address)
        messages.success(request, _("The addresses will be mailed again."))
