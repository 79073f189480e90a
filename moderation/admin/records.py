"""Moderation's records in the admin: the audit log and its CSV, decisions and the transparency report,
watched terms, the strikes ladder and the settings. Records are read-only; settings are edited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy

from core.csv_export import csv_response
from moderation import services
from moderation.admin.netiquette import ReadOnlyAdmin
from moderation.admin.queue import CappedPaginator, case_link
from moderation.models import (
    Appeal,
    AuditEntry,
    Decision,
    Flag,
    LadderStep,
    ModerationPolicy,
    Sanction,
    WatchedTerm,
)
from moderation.screening import term_normalize

EXPORT_BATCH = 2000


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Every moderation action, as written; exported to CSV with the filters applied."""

    list_display = [
        "at",
        "action",
        "actor_ref",
        "case_ref",
        "item_type",
        "item_id",
        "rule_number",
        "visibility",
    ]
    list_filter = ["action", "automated", "item_type"]
    # Who acted is found by their account's current name or handle, or its id (a deleted member's).
    search_fields = ["actor__display_name", "actor__handle", "=actor__id", "=item_id", "=case__id"]
    # The actor's current name in the same query (no join row: a deleted member).
    list_select_related = ["actor"]
    show_full_result_count = False
    paginator = CappedPaginator
    change_list_template = "admin/moderation/auditentry/change_list.html"
    fields = [
        "at", "actor_ref", "action", "case_ref", "item_type", "item_id", "target_user_id", "rule_number",
        "visibility_before", "visibility_after", "automated", "detail",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=gettext_lazy("who"))
    def actor_ref(self, entry: AuditEntry) -> str:
        return entry.actor_label

    @admin.display(description=gettext_lazy("case"))
    def case_ref(self, entry: AuditEntry) -> str:
        return case_link(entry.case_id)

    @admin.display(description=gettext_lazy("action"), ordering="action")
    def action_name(self, entry: AuditEntry) -> str:
        return entry.action_label

    @admin.display(description=gettext_lazy("visibility"))
    def visibility(self, entry: AuditEntry) -> str:
        if not entry.visibility_after:
            return ""
        return f"{entry.visibility_before_label} → {entry.visibility_after_label}"

    def get_urls(self):
        export = path(
            "export.csv", self.admin_site.admin_view(self.export_view), name="moderation_auditentry_export"
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        entries = (
            self.get_changelist_instance(request)
            .get_queryset(request)
            .select_related("actor")
            .order_by("at", "id")
        )
        header = [
            "at", "actor_id", "actor", "action", "case", "item_type", "item_id", "member_id", "rule",
            "visibility_before", "visibility_after", "automated", "detail",
        ]  # fmt: skip
        rows = (
            [
                e.at.isoformat(),
                e.actor_id or "",
                # The account's current name (a person's text: csv_response guards every such cell).
                e.actor_label if e.actor_id else "",
                e.action,
                e.case_id or "",
                e.item_type,
                e.item_id or "",
                e.target_user_id or "",
                e.rule_number or "",
                e.visibility_before,
                e.visibility_after,
                int(e.automated),
                json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
            ]  # fmt: skip
            for e in entries.iterator(chunk_size=EXPORT_BATCH)
        )
        return csv_response("moderation-audit.csv", header, rows)


def _period(request: HttpRequest) -> tuple[datetime, datetime]:
    until = parse_date(request.GET.get("until") or "") or timezone.localdate()
    since = parse_date(request.GET.get("since") or "") or until - timedelta(days=365)
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action",
        "rule",
        "sanction",
        "moderator",
        "case_ref",
        "detected_automatically",
    ]
    list_filter = ["action", "sanction", "rule", "detected_automatically"]
    list_select_related = ["rule", "moderator"]
    show_full_result_count = False
    paginator = CappedPaginator
    change_list_template = "admin/moderation/decision/change_list.html"
    exclude = ["rule_snapshot"]

    @admin.display(description=gettext_lazy("case"))
    def case_ref(self, decision: Decision) -> str:
        return case_link(decision.case_id)

    def get_urls(self):
        report = path(
            "transparency.csv",
            self.admin_site.admin_view(self.transparency_view),
            name="moderation_decision_transparency",
        )
        return [report, *super().get_urls()]

    def transparency_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """DSA transparency report: decisions per legal ground, rule, decision, sanction and detection,
        with their appeals, over a period (?since=YYYY-MM-DD&until=YYYY-MM-DD, a year by default)."""
        start, end = _period(request)
        grouped = (
            Decision.objects.filter(created_at__gte=start, created_at__lt=end)
            .values(
                "rule_snapshot__legal_ground",
                "rule_snapshot__number",
                "action",
                "sanction",
                "detected_automatically",
            )
            .annotate(
                decisions=Count("pk"),
                appeals=Count("appeal"),
                appeals_upheld=Count("appeal", filter=Q(appeal__outcome="upheld")),
            )
            .order_by("rule_snapshot__legal_ground", "rule_snapshot__number", "action", "sanction")
        )
        header = [
            "period_start", "period_end", "legal_ground", "rule", "decision", "sanction",
            "detected_automatically", "decisions", "appeals", "appeals_upheld",
        ]  # fmt: skip
        rows = (
            [
                start.date().isoformat(),
                (end - timedelta(days=1)).date().isoformat(),
                row["rule_snapshot__legal_ground"] or "",
                row["rule_snapshot__number"] or "",
                row["action"],
                row["sanction"],
                int(row["detected_automatically"]),
                row["decisions"],
                row["appeals"],
                row["appeals_upheld"],
            ]  # fmt: skip
            for row in grouped
        )
        return csv_response("transparency-report.csv", header, rows)


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "flagger", "rule", "item_type", "item_id", "weight", "outcome", "case_ref"]
    list_filter = ["outcome", "rule"]
    list_select_related = ["flagger", "rule"]
    show_full_result_count = False
    paginator = CappedPaginator

    @admin.display(description=gettext_lazy("case"))
    def case_ref(self, flag: Flag) -> str:
        return case_link(flag.case_id)


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "starts_at", "ends_at", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "appellant", "decision", "outcome", "decided_by", "case_ref"]
    list_filter = ["outcome"]
    list_select_related = ["appellant", "decision", "decided_by"]

    @admin.display(description=gettext_lazy("case"))
    def case_ref(self, appeal: Appeal) -> str:
        return case_link(appeal.case_id)


class WatchedTermForm(forms.ModelForm):
    class Meta:
        model = WatchedTerm
        fields = ["term", "action", "replacement", "rule", "active"]

    def clean_term(self) -> str:
        term = self.cleaned_data["term"]
        term_normalize(term)  # a clear message for anything but plain words
        return term


@admin.register(WatchedTerm)
class WatchedTermAdmin(admin.ModelAdmin):
    form = WatchedTermForm
    list_display = ["term", "action", "replacement", "rule", "active"]
    list_filter = ["action", "active", "rule"]
    list_editable = ["active"]
    search_fields = ["term"]

    def save_model(self, request, obj, form, change):
        try:
            services.watched_term_save(actor=request.user, term=obj)
        except ValidationError as exc:
            # The form checked the term; a race on the unique folded term lands here.
            raise ValidationError(exc.messages) from exc


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    list_display = ["points", "sanction", "days"]


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row, made on first use (policy_get): edited, never added or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        from django.core.cache import cache

        from moderation.selectors.standing import POLICY_KEY

        super().save_model(request, obj, form, change)
        cache.delete(POLICY_KEY)
