import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import can_view_reporting
from reporting.filters import KPIRangeFilter
from reporting.models import DailyKPI
from reporting.selectors import kpi_days, kpi_summary


def _authorise(request: HttpRequest) -> None:
    if not can_view_reporting(request.user):
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _authorise(request)
    filterset = KPIRangeFilter(request.GET, queryset=DailyKPI.objects.all())
    days = kpi_days(filterset.qs)
    chart = {
        "labels": [d.day.isoformat() for d in days],
        "total": [d.members_total for d in days],
        "new": [d.members_new for d in days],
        "label_total": _("Members"),
        "label_new": _("New members"),
    }
    context = {"filter": filterset, "days": days, "summary": kpi_summary(days), "chart": chart}
    return render(request, "reporting/dashboard.html", context)


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    _authorise(request)
    filterset = KPIRangeFilter(request.GET, queryset=DailyKPI.objects.all())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="agora-kpis.csv"'
    writer = csv.writer(response)
    writer.writerow([_("day"), _("members"), _("new members")])
    for day in kpi_days(filterset.qs):
        writer.writerow([day.day.isoformat(), day.members_total, day.members_new])
    return response
