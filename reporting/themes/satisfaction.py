"""Satisfaction and dissatisfaction: the surveys' answers (CSAT 1–5 and NPS 0–10), the events' ratings
(1–5, asked after each event), and the flags members raise per 1,000 posts published."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_community_manager
from events.models import Event, SurveyResponse
from events.permissions import members_events_q
from moderation.models import Flag
from reporting.models import ContentDay, SatisfactionDay, SurveyAnswer, SurveyKind
from reporting.reports import Column, Report, Table, by_day, ratio, report_register
from reporting.services.rollups import days, in_range, theme_register
from reporting.services.surveys import nps

COMMENTS_SHOWN = 20
FIELDS = [field.name for field in SatisfactionDay._meta.fields if field.name not in ("id", "day")]


def satisfaction_rollup(first_day: date, last_day: date) -> int:
    """Per day: answers to satisfaction surveys (their mean, and those of 4 or 5: satisfied), answers to
    recommendation surveys (the Net Promoter Score: % of 9–10 minus % of 0–6), events' ratings and their
    mean, flags raised and posts published (the content rollup's visible posts), flags per 1,000 posts."""
    tz = timezone.get_default_timezone()
    found: dict[date, dict] = defaultdict(dict)
    answers = (
        SurveyAnswer.objects.filter(in_range("answered_at", first_day, last_day), score__isnull=False)
        .annotate(day=TruncDate("answered_at", tzinfo=tz))
        .values("day")
        .annotate(
            csat_answers=Count("pk", filter=Q(round__survey__kind=SurveyKind.CSAT)),
            csat_mean=Avg("score", filter=Q(round__survey__kind=SurveyKind.CSAT)),
            csat_satisfied=Count("pk", filter=Q(round__survey__kind=SurveyKind.CSAT, score__gte=4)),
            nps_answers=Count("pk", filter=Q(round__survey__kind=SurveyKind.NPS)),
            promoters=Count("pk", filter=Q(round__survey__kind=SurveyKind.NPS, score__gte=9)),
            detractors=Count("pk", filter=Q(round__survey__kind=SurveyKind.NPS, score__lte=6)),
        )
    )
    for answer in answers:
        row: dict = dict(answer)
        row["nps"] = nps(row.pop("promoters"), row.pop("detractors"), row["nps_answers"])
        found[row.pop("day")].update(row)
    ratings = (
        SurveyResponse.objects.filter(in_range("created_at", first_day, last_day))
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(event_ratings=Count("pk"), event_mean=Avg("rating"))
    )
    flags = (
        Flag.objects.filter(in_range("created_at", first_day, last_day))
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(flags=Count("pk"))
    )
    posts = ContentDay.objects.filter(day__gte=first_day, day__lte=last_day, space=None).values(
        "day", "posts"
    )
    for queryset in (ratings, flags, posts):
        for values in queryset:
            figures: dict = dict(values)
            found[figures.pop("day")].update(figures)
    rows = []
    for day in days(first_day, last_day):
        figures = found.get(day, {})
        figures["flags_per_1000"] = (
            figures.get("flags", 0) / figures["posts"] * 1000 if figures.get("posts") else None
        )
        rows.append(SatisfactionDay(day=day, **figures))
    SatisfactionDay.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["day"], update_fields=FIELDS
    )
    return len(rows)


theme_register("satisfaction", satisfaction_rollup)


def _comments(start: date, end: date, space: int | None) -> list[Table]:
    """The period's latest comments, unsigned: what members said beside their score (of events, only
    those every member may see). The comments themselves are read, not a rollup: they are the figure."""
    answers = (
        SurveyAnswer.objects.filter(in_range("answered_at", start, end), score__isnull=False)
        .exclude(comment="")
        .order_by("-answered_at")
        .values_list("answered_at", "round__survey__kind", "score", "comment")[:COMMENTS_SHOWN]
    )
    events = (
        SurveyResponse.objects.filter(
            in_range("created_at", start, end), event__in=Event.objects.filter(members_events_q())
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("created_at", "event__title", "rating", "comment")[:COMMENTS_SHOWN]
    )
    kinds = dict(SurveyKind.choices)
    return [
        Table(
            _("What members said in the surveys"),
            [_("Answered"), _("Survey"), _("Score"), _("Comment")],
            [(when, kinds.get(kind, kind), score, comment) for when, kind, score, comment in answers],
        ),
        Table(
            _("What attendees said of the events"),
            [_("Answered"), _("Event"), _("Rating (1–5)"), _("Comment")],
            list(events),
        ),
    ]


report_register(
    Report(
        key="satisfaction",
        title=_("Satisfaction"),
        definition=_(
            "Answers to the satisfaction surveys the community team sends to a random sample of active "
            "members, on the day they were given: the mean score (1 to 5) and the share of 4 and 5 "
            "(satisfied); for recommendation surveys (0 to 10), the Net Promoter Score: the share of 9 and "
            "10 minus the share of 0 to 6, from −100 to 100. Events: attendees' ratings (1 to 5). "
            "Dissatisfaction: the flags members raised, per 1,000 posts published that day. For the "
            "period, means and scores are the days' weighted by their answers (or posts): exact."
        ),
        columns=[
            Column("csat_answers", _("Satisfaction answers"), chart=False),
            Column("csat_mean", _("Mean satisfaction (1–5)"), total="weighted", weight="csat_answers"),
            Column("csat_satisfied", _("Satisfied (4–5)"), chart=False),
            Column("nps_answers", _("Recommendation answers"), chart=False),
            Column("nps", _("Net Promoter Score"), total="weighted", weight="nps_answers"),
            Column("event_ratings", _("Event ratings"), chart=False),
            Column("event_mean", _("Mean event rating (1–5)"), total="weighted", weight="event_ratings"),
            Column("flags", _("Flags"), chart=False),
            Column("posts", _("Posts"), chart=False),
            Column("flags_per_1000", _("Flags per 1,000 posts"), total="weighted", weight="posts"),
        ],
        read=by_day(SatisfactionDay, FIELDS),
        tables=_comments,
        derived=[("satisfied_share", _("Share satisfied (%)"), ratio("csat_satisfied", "csat_answers", 100))],
        links=[(_("Satisfaction surveys"), "reporting:surveys", is_community_manager)],
    )
)
