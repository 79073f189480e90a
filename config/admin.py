"""The platform's records in the admin: the CSP violations browsers reported, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.models import CspReport


@admin.register(CspReport)
class CspReportAdmin(admin.ModelAdmin):
    """Counts per day and kind, as recorded (config.csp): nothing to add, change or delete by hand."""

    list_display = ["day", "directive", "blocked", "page", "disposition", "count"]
    list_filter = ["disposition", "directive"]
    search_fields = ["blocked", "page"]
    date_hierarchy = "day"
    ordering = ["-day", "-count"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
