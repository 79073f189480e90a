"""reporting's e-mails, built at send time by mailings: the satisfaction survey (nothing for a round
that closed, or to a member who already answered) and the KPI report to the marketing group."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.links import absolute_url
from mailings.render import bulk_email
from mailings.services.consent import latest_choice
from reporting.models import SurveyAnswer, SurveyRound
from reporting.services.kpi_mail import LIST_KEY as KPI_LIST
from reporting.services.kpi_mail import KpiPeriod, headlines
from reporting.services.surveys import LIST_KEY


def survey_build(rows: list) -> dict[int, EmailMessage | None]:
    rounds = SurveyRound.objects.select_related("survey").in_bulk({int(row.ref) for row in rows})
    members = User.objects.in_bulk({row.member_id for row in rows})
    waiting = set(
        SurveyAnswer.objects.filter(
            round_id__in=rounds, member_id__in=members, score__isnull=True
        ).values_list("round_id", "member_id")
    )
    now = timezone.now()
    built: dict[int, EmailMessage | None] = {}
    for row in rows:
        round_, member = rounds.get(int(row.ref)), members.get(row.member_id)
        if (
            round_ is None
            or member is None
            or round_.closes_at <= now
            or (round_.pk, member.pk) not in waiting
        ):
            built[row.pk] = None
            continue
        answer = absolute_url(reverse("reporting:survey-answer", args=[round_.pk]))
        context = {
            "survey": round_.survey,
            "round": round_,
            "answer_url": answer,
            "scores": [(score, f"{answer}?score={score}") for score in round_.survey.scale],
        }
        built[row.pk] = bulk_email(member, "reporting/email/survey", context, list_key=LIST_KEY)
    return built


def kpi_report_build(rows: list) -> dict[int, EmailMessage | None]:
    """The figures are read once per period in the batch; the e-mail is rendered in each member's
    language. A member who left the list since the row was written gets nothing."""
    withdrawn = set(
        User.objects.filter(pk__in={row.member_id for row in rows})
        .annotate(choice=latest_choice(KPI_LIST))
        .filter(choice=False)
        .values_list("pk", flat=True)
    )
    members = User.objects.in_bulk({row.member_id for row in rows})
    periods = {ref: KpiPeriod.from_ref(ref) for ref in {row.ref for row in rows}}
    figures = {ref: headlines(period) for ref, period in periods.items()}
    built: dict[int, EmailMessage | None] = {}
    for row in rows:
        member = members.get(row.member_id)
        if member is None or member.pk in withdrawn:
            built[row.pk] = None
            continue
        period = periods[row.ref]
        query = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
        context = {
            "period": period,
            "figures": figures[row.ref],
            "dashboard_url": absolute_url(f"{reverse('reporting:dashboard')}?{query}"),
        }
        built[row.pk] = bulk_email(member, "reporting/email/kpi_report", context, list_key=KPI_LIST)
    return built
