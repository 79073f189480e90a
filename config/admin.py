"""The platform's records in the admin: the CSP violations browsers reported, read-only."""

from __future__ import annotations

from django.contrib import admin

from config.models import CspReport
from moderation.admin import ReadOnlyAdmin


@admin.register(CspReport)
class CspReportAdmin(ReadOnlyAdmin):
    """Counts per day and kind, as recorded (config.csp): nothing to add, change or delete by hand."""

    list_display = ["day", "directive", "blocked", "page", "disposition", "count"]
    list_filter = ["disposition", "directive"]
    search_fields = ["blocked", "page"]
    date_hierarchy = "day"
    ordering = ["-day", "-count"]
    show_full_result_count = False
