"""The moderation queue in the admin: the list by priority with filters and counts, "Next case", the
case page with everything needed to decide, bulk decisions. Every write goes through moderation.services."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.permissions import is_community_manager
from core.forms import form_errors_add
from moderation import services
from moderation.forms import AppealDecisionForm, BulkRemoveForm, DecisionForm
from moderation.models import QUEUED, Case, CaseState, DecisionAction, Source
from moderation.selectors.queue import case_page, queue_counts

LIST_CAP = 1000


class CappedPaginator(Paginator):
    """Counting 100,000 open cases for the pager costs more than the page: count up to LIST_CAP."""

    @cached_property
    def count(self) -> int:
        return self.object_list.values("pk")[:LIST_CAP].count()


def _with_count(label, count) -> str:
    return f"{label} ({count})" if count is not None else str(label)


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        counts = queue_counts()["state"]
        return [
            ("todo", _with_count(_("To do"), sum(counts.values()))),
            (CaseState.OPEN, _with_count(CaseState.OPEN.label, counts.get(CaseState.OPEN, 0))),
            (CaseState.CLAIMED, _with_count(CaseState.CLAIMED.label, counts.get(CaseState.CLAIMED, 0))),
            (CaseState.RESOLVED, CaseState.RESOLVED.label),
            ("all", _("All")),
        ]

    def choices(self, changelist):
        # "To do" is the default: the list opens on the queue, not on every case ever decided.
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "todo") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "todo"
        if value == "todo":
            return queryset.filter(state__in=QUEUED)
        if value in CaseState.values:
            return queryset.filter(state=value)
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = gettext_lazy("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        counts = queue_counts()["source"]
        return [(value, _with_count(label, counts.get(value, 0))) for value, label in Source.choices]

    def queryset(self, request, queryset):
        if self.value() in Source.values:
            return queryset.filter(sources__contains=[self.value()])
        return queryset


class RuleFilter(admin.SimpleListFilter):
    title = gettext_lazy("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        counts = queue_counts()
        french = (get_language() or "").startswith("fr")
        return [
            (str(pk), _with_count(f"{number}. {title_fr if french else title_en}", counts["rule"].get(pk, 0)))
            for pk, number, title_fr, title_en in counts["rules"]
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(rule_id=int(self.value()))
        return queryset


class SpaceFilter(admin.SimpleListFilter):
    title = gettext_lazy("space")
    parameter_name = "space"

    def lookups(self, request, model_admin):
        counts = queue_counts()["scope"]
        return [(scope, _with_count(scope or _("(none)"), n)) for scope, n in sorted(counts.items())]

    def queryset(self, request, queryset):
        if self.value() is not None:
            return queryset.filter(scope=self.value())
        return queryset


class ClaimedByMeFilter(admin.SimpleListFilter):
    title = gettext_lazy("claimed")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("Claimed by me"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(state=CaseState.CLAIMED, claimed_by=request.user)
        return queryset


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "item",
        "excerpt_short",
        "source_list",
        "rule",
        "scope_label",
        "flag_count",
        "state",
        "claimed_by",
        "opened_at",
    ]
    list_display_links = ["item"]
    list_select_related = ["rule", "claimed_by"]
    list_filter = [StateFilter, SourceFilter, RuleFilter, SpaceFilter, ClaimedByMeFilter, "kind"]
    list_per_page = 50
    show_full_result_count = False
    # The filters carry their counts already (a shared 30-second copy); facets would count per request.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    ordering = ["-rank", "-id"]
    actions = ["approve_selected", "dismiss_selected", "remove_selected"]
    change_list_template = "admin/moderation/case/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_community_manager(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_community_manager(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("item_url")

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = CappedPaginator(queryset, per_page, orphans, allow_empty_first_page)
        if set(request.GET) <= {"p", "o"} or (
            set(request.GET) <= {"p", "o", "state"} and request.GET["state"] == "todo"
        ):
            # The unfiltered queue: its size is in the counts beside the filters (at most 30 s old).
            paginator.count = min(sum(queue_counts()["state"].values()), LIST_CAP)
        return paginator

    @admin.display(description=gettext_lazy("priority"), ordering="-rank")
    def priority(self, case: Case) -> str:
        return f"{case.score:g}"

    @admin.display(description=gettext_lazy("content"))
    def item(self, case: Case) -> str:
        return f"#{case.pk} · {case.item_label}"

    @admin.display(description=gettext_lazy("excerpt"))
    def excerpt_short(self, case: Case) -> str:
        return case.excerpt[:90]

    @admin.display(description=gettext_lazy("source"))
    def source_list(self, case: Case) -> str:
        labels = dict(Source.choices)
        return ", ".join(str(labels.get(source, source)) for source in case.sources)

    # Bulk decisions ---------------------------------------------------------------------------------

    def _bulk(self, request, queryset, action: str, rule=None, explanation: str = ""):
        done, refused = services.cases_decide_bulk(
            actor=request.user, cases=list(queryset), action=action, rule=rule, explanation=explanation
        )
        self.message_user(request, _("%(n)s case(s) decided.") % {"n": done}, messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.WARNING)

    @admin.action(description=gettext_lazy("Approve the selected cases"))
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, DecisionAction.APPROVE)

    @admin.action(description=gettext_lazy("Dismiss the flags of the selected cases"))
    def dismiss_selected(self, request, queryset):
        self._bulk(request, queryset, DecisionAction.DISMISS)

    @admin.action(description=gettext_lazy("Remove the selected content, citing a rule…"))
    def remove_selected(self, request, queryset):
        form = BulkRemoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._bulk(
                request,
                queryset,
                DecisionAction.REMOVE,
                rule=form.cleaned_data["rule"],
                explanation=form.cleaned_data["explanation"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "cases": queryset,
            "title": _("Remove the selected content"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderation/case/bulk_remove.html", context)

    # Next case and the case page --------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path("next/", self.admin_site.admin_view(self.next_case_view), name="moderation_case_next"),
        ]
        return urls + super().get_urls()

    def next_case_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return redirect("admin:moderation_case_changelist")
        try:
            case = services.case_claim_next(actor=request.user)
        except PermissionDenied:
            raise
        if case is None:
            self.message_user(request, _("The queue is empty: well done!"), messages.SUCCESS)
            return redirect("admin:moderation_case_changelist")
        return redirect("admin:moderation_case_change", case.pk)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        if not is_community_manager(request.user):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.select_related("rule", "claimed_by", "author"), pk=object_id)
        appeal_form = decision_form = None
        if request.method == "POST":
            response = self._handle_post(request, case)
            if isinstance(response, HttpResponse):
                return response
            decision_form, appeal_form = response
        page = case_page(case)
        if page.is_appeal:
            appeal_form = appeal_form or AppealDecisionForm()
        elif case.is_queued:
            decision_form = decision_form or DecisionForm(
                initial={"body": page.view.body_source if page.view else ""}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Case #%(id)s") % {"id": case.pk},
            "page": page,
            "case": case,
            "decision_form": decision_form,
            "appeal_form": appeal_form,
            "proposal_json": json.dumps(page.proposal),
            "held_by_me": case.claimed_by_id == request.user.pk,
            "original": case,
        }
        return TemplateResponse(request, "admin/moderation/case/case.html", context)

    def _handle_post(self, request: HttpRequest, case: Case):
        """A claim, a release, a decision or an appeal's outcome; errors go back to the forms."""
        intent = request.POST.get("intent")
        here = HttpResponseRedirect(reverse("admin:moderation_case_change", args=[case.pk]))
        try:
            if intent == "claim":
                services.case_claim(actor=request.user, case=case)
                return here
            if intent == "release":
                services.case_release(actor=request.user, case=case)
                return redirect("admin:moderation_case_changelist")
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return here
        if intent == "appeal":
            form = AppealDecisionForm(request.POST)
            if form.is_valid():
                try:
                    services.appeal_decide(
                        actor=request.user,
                        appeal=case.appeal,
                        upheld=form.cleaned_data["outcome"] == "upheld",
                        explanation=form.cleaned_data["explanation"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    form_errors_add(form, exc)
                else:
                    self.message_user(
                        request, _("The appeal is decided; the author is told."), messages.SUCCESS
                    )
                    return self._after_decision(request)
            return None, form
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_decide(
                    actor=request.user,
                    case=case,
                    action=data["action"],
                    rule=data["rule"],
                    explanation=data["explanation"],
                    sanction=data["sanction"] or "none",
                    sanction_days=data["sanction_days"],
                    override_reason=data["override_reason"],
                    body=data["body"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form_errors_add(form, exc)
            else:
                self.message_user(
                    request, _("Decided. The author is told where a rule was cited."), messages.SUCCESS
                )
                return self._after_decision(request)
        return form, None

    def _after_decision(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("then") == "next":
            return self.next_case_view(request)
        return redirect("admin:moderation_case_changelist")


def case_link(case_id: int | None) -> str:
    if not case_id:
        return ""
    return format_html(
        '<a href="{}">#{}</a>', reverse("admin:moderation_case_change", args=[case_id]), case_id
    )
