"""The reports: thin views over reporting.reports (rollups only), a chart, the same figures as a table,
the previous period beside each figure, and the CSV of what is shown."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import can_view_reporting
from core.csv_export import csv_response
from reporting.filters import ReportFilter
from reporting.reports import REPORTS, Report, change, period_figure, report_days


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
    charted = [column for column in report.columns if column.chart]
    chart = {
        "labels": [day["day"].isoformat() for day in days],
        "datasets": [{"label": str(c.label), "data": [day.get(c.key) for day in days]} for c in charted],
    }
    table = [[day["day"], *[day.get(column.key) for column in report.columns]] for day in days]
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
    }
    return render(request, "reporting/report.html", context)


@login_required
def report_csv(request: HttpRequest, key: str = "members") -> HttpResponse:
    report = _report(request, key)
    _filterset, days, _previous = _read(request, report)
    header = [str(report.row_label or _("day")), *[str(column.label) for column in report.columns]]
    rows = [[day["day"].isoformat(), *[day.get(column.key) for column in report.columns]] for day in days]
    return csv_response(f"agora-{report.key}.csv", header, rows)
