from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_community_manager
from moderation import services
from moderation.forms import NetiquettePublishForm
from moderation.models import NetiquetteAcceptance, NetiquetteRule, NetiquetteVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept as they were written: versions are published by a service, acceptances by members."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NetiquetteRule)
class NetiquetteRuleAdmin(admin.ModelAdmin):
    list_display = ["number", "title_fr", "title_en", "severity", "strike_points", "legal_ground", "active"]
    list_display_links = ["number", "title_fr"]
    list_editable = ["active"]
    list_filter = ["active", "severity"]
    search_fields = ["title_fr", "title_en", "text_fr", "text_en"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "severity",
                    "strike_points",
                    "legal_ground",
                    "legal_reference",
                    "active",
                ),
                "description": gettext_lazy(
                    "Editing a rule does not ask members to accept the netiquette again: when a change "
                    "matters, publish a new version from the netiquette versions page."
                ),
            },
        ),
        (gettext_lazy("French"), {"fields": ("title_fr", "text_fr")}),
        (gettext_lazy("English"), {"fields": ("title_en", "text_en")}),
    )


@admin.register(NetiquetteVersion)
class NetiquetteVersionAdmin(ReadOnlyAdmin):
    """Versions are only made by publishing (netiquette_publish); they are never edited afterwards."""

    list_display = ["number", "published_at", "published_by", "note", "acceptance_count"]
    list_select_related = ["published_by"]
    fields = ["number", "note", "published_at", "published_by"]
    readonly_fields = fields
    change_list_template = "admin/moderation/netiquetteversion/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(acceptance_total=Count("acceptances"))

    @admin.display(description=gettext_lazy("acceptances"), ordering="acceptance_total")
    def acceptance_count(self, obj: NetiquetteVersion) -> int:
        return obj.acceptance_total

    def get_urls(self):
        publish = path(
            "publish/",
            self.admin_site.admin_view(self.publish_view),
            name="moderation_netiquetteversion_publish",
        )
        return [publish, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_publish": is_community_manager(request.user)}
        return super().changelist_view(request, extra_context)

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        if not is_community_manager(request.user):
            raise PermissionDenied(_("Only community managers can publish the netiquette."))
        form = NetiquettePublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = services.netiquette_publish(actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    _("Version %(number)d is published: every member is asked to accept it again.")
                    % {"number": version.number},
                    messages.SUCCESS,
                )
                return redirect("admin:moderation_netiquetteversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Publish a new version (members accept again)"),
            "current": NetiquetteVersion.objects.order_by("-number").first(),
        }
        return TemplateResponse(request, "admin/moderation/netiquetteversion/publish.html", context)


@admin.register(NetiquetteAcceptance)
class NetiquetteAcceptanceAdmin(ReadOnlyAdmin):
    """Acceptances are the members' own record: readable, never written from the admin."""

    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    list_select_related = ["user", "version"]
    search_fields = ["user__email", "user__display_name"]
    show_full_result_count = False
    fields = ["user", "version", "accepted_at"]
    readonly_fields = fields
