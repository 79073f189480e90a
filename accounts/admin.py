from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from accounts.profiles import PUBLIC_FIELDS, public_profile_changed
from accounts.roles import AMBASSADORS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "date_joined", "last_login", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "language"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "bio", "language", "time_zone")}),
        (_("Roles"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["make_ambassadors", "remove_ambassadors"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and PUBLIC_FIELDS.intersection(form.changed_data):
            public_profile_changed(obj.pk)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a member here would skip what the member's own deletion keeps right (reaction counts,
        # posts kept as from a "Deleted member"): deactivate the account instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Roles that open the admin or the dashboards are given by superusers only.
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "is_staff", "is_superuser", "groups", "user_permissions"]

    def _change_role(self, request, queryset, change, done_message) -> None:
        try:
            for user in queryset:
                change(actor=request.user, user=user, role=AMBASSADORS)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, done_message, messages.SUCCESS)

    @admin.action(description=_("Make the selected members ambassadors"))
    def make_ambassadors(self, request, queryset) -> None:
        self._change_role(request, queryset, services.role_grant, _("The members are now ambassadors."))

    @admin.action(description=_("Remove the ambassador role from the selected members"))
    def remove_ambassadors(self, request, queryset) -> None:
        self._change_role(
            request, queryset, services.role_revoke, _("The members are no longer ambassadors.")
        )
