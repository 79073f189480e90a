from django.contrib import admin

from core.branding import branding_update
from core.models import SiteBranding


@admin.register(SiteBranding)
class SiteBrandingAdmin(admin.ModelAdmin):
    list_display = ["name", "tagline", "brand_colour"]

    def has_add_permission(self, request) -> bool:
        return not SiteBranding.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        branding_update(
            name=obj.name, tagline=obj.tagline, welcome=obj.welcome, brand_colour=obj.brand_colour
        )
