"""The reports: thin views over reporting.reports (rollups only), a chart, the same figures as a table,
the previous period beside each figure, and the CSV of what is shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.permissions import can_view_reporting, is_community_manager
from core import activity
from core.csv_export import csv_response
from core.forms import form_errors_add
from reporting import selectors
from reporting.filters import ReportFilter
from reporting.forms import AnswerForm, SurveyForm
from reporting.models import Survey
from reporting.reports import REPORTS, Report, change, grained, period_figure, report_days
from reporting.services import surveys
from reporting.services.activity import MEMBER_DAYS_KEPT


def _report(request: HttpRequest, key: str) -> Report:
    if not can_view_reporting(request.user):
        raise PermissionDenied
    report = REPORTS.get(key)
    if report is None:
        raise Http404
    return report


def _read(request: HttpRequest, report: Report):
    filterset = ReportFilter(request.GET, by_space=report.by_space)
    if not filterset.is_valid():
        return filterset, [], []
    start, end, space = filterset.period()
    current, previous = report_days(report, start, end, space)
    return filterset, current, previous


def _number(value: float | None) -> str:
    """A table cell as `floatformat:"-1g"` writes it (grouped, one decimal unless whole), formatted here
    once rather than by a filter in each of a long period's cells."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, 1), 1, force_grouping=True)


@login_required
def report_page(request: HttpRequest, key: str = "members") -> HttpResponse:
    report = _report(request, key)
    filterset, days, previous = _read(request, report)
    figures = []
    totals, totals_before = {}, {}
    for column in report.columns:
        now, before = period_figure(column, days), period_figure(column, previous)
        totals[column.key], totals_before[column.key] = now, before
        figures.append({"label": column.label, "value": now, "before": before, "change": change(now, before)})
    for _key, label, derive in report.derived:
        now, before = derive(totals), derive(totals_before)
        figures.append({"label": label, "value": now, "before": before, "change": change(now, before)})
    rows, grain = grained(report, days)
    charted = [column for column in report.columns if column.chart]
    chart = {
        "grain": grain,
        "labels": [row["day"].isoformat() for row in rows],
        "datasets": [{"label": str(c.label), "data": [row.get(c.key) for row in rows]} for c in charted],
    }
    table = [[row["day"], *[_number(row.get(column.key)) for column in report.columns]] for row in rows]
    start, end, space = filterset.period() if filterset.is_valid() else (None, None, None)
    context = {
        "report": report,
        "reports": REPORTS.values(),
        "filter": filterset,
        "figures": figures,
        "chart": chart,
        "table": table,
        "tables": report.tables(start, end, space) if report.tables and days else [],
        "days": days,
        "grain": grain,
        "today": selectors.today_figures(),
        "links": [(label, reverse(name)) for label, name, allowed in report.links if allowed(request.user)],
    }
    return render(request, "reporting/report.html", context)


@login_required
def report_csv(request: HttpRequest, key: str = "members") -> HttpResponse:
    report = _report(request, key)
    _filterset, days, _previous = _read(request, report)
    header = [str(report.row_label or _("day")), *[str(column.label) for column in report.columns]]
    rows = [[day["day"].isoformat(), *[day.get(column.key) for column in report.columns]] for day in days]
    return csv_response(f"agora-{report.key}.csv", header, rows)


# Satisfaction surveys: the community team's page, and the member's answer --------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys.require_survey_manager(request.user)
    return render(request, "reporting/survey_list.html", {"surveys": selectors.survey_list()})


def _survey_edit(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_save(actor=request.user, survey=form.instance)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("The survey is saved."))
            return redirect("reporting:surveys")
    context = {"form": form, "survey": survey if survey.pk else None}
    return render(request, "reporting/survey_form.html", context, status=400 if form.errors else 200)


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    surveys.require_survey_manager(request.user)
    return _survey_edit(request, Survey())


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    surveys.require_survey_manager(request.user)
    return _survey_edit(request, selectors.access_survey(pk))


@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the survey's e-mail opens (a score in the link is ticked, not recorded: a GET writes
    nothing, so a mail scanner following links cannot answer for the member)."""
    round_ = selectors.access_round(pk)
    initial = {"score": request.GET.get("score")}
    form = AnswerForm(request.POST or None, initial=initial, survey=round_.survey)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(
                actor=request.user,
                round_=round_,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
            return redirect("home")
    context = {"form": form, "round": round_, "survey": round_.survey}
    return render(request, "reporting/survey_answer.html", context, status=400 if form.errors else 200)


@login_required
def threads_waiting(request: HttpRequest) -> HttpResponse:
    """The community team's list of threads still waiting for an answer after 24 (or 48) hours."""
    if not is_community_manager(request.user):
        raise PermissionDenied
    hours = 48 if request.GET.get("hours") == "48" else 24
    context = {
        "threads": selectors.threads_waiting(hours=hours),
        "hours": hours,
        "shown": selectors.WAITING_SHOWN,
    }
    return render(request, "reporting/threads_waiting.html", context)


def privacy(request: HttpRequest) -> HttpResponse:
    """What the site records of visits, searches and surveys, and for how long (public)."""
    context = {
        "member_days_kept": MEMBER_DAYS_KEPT.days,
        "visitor_hours": activity.KEEP_SECONDS // 3600,
        # What housekeeping deletes each night, after the periods the deployment configured.
        "session_days": max(1, settings.SESSION_COOKIE_AGE // 86400),
        "outbox_days": settings.OUTBOX_RETENTION_DAYS,
        "notification_days": settings.NOTIFICATIONS_READ_RETENTION_DAYS,
        "unverified_days": settings.UNVERIFIED_SIGNUP_DAYS,
    }
    return render(request, "reporting/privacy.html", context)
