"""Reads of reporting's pages beside the reports: the surveys with their rounds' results, and today's
figures so far."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from community.models import Post, PostState, Thread
from core import activity
from reporting.models import Survey, SurveyRound
from reporting.services.rollups import start_of
from reporting.services.surveys import nps

ANSWERED = Q(answers__score__isnull=False)


def survey_list() -> list[Survey]:
    """Surveys with their rounds, each with its answers, response rate, and its score: the mean and the
    share satisfied (4–5) for satisfaction, the Net Promoter Score for recommendation. Two queries."""
    rounds = SurveyRound.objects.annotate(
        answered=Count("answers", filter=ANSWERED),
        mean=Avg("answers__score", filter=ANSWERED),
        satisfied=Count("answers", filter=Q(answers__score__gte=4)),
        promoters=Count("answers", filter=Q(answers__score__gte=9)),
        detractors=Count("answers", filter=Q(answers__score__lte=6)),
    ).order_by("-opened_at")
    surveys = list(Survey.objects.prefetch_related(Prefetch("rounds", queryset=rounds)))
    for survey in surveys:
        for round_ in survey.rounds.all():
            round_.rate = round_.answered / round_.asked * 100 if round_.asked else None
            round_.satisfied_share = round_.satisfied / round_.answered * 100 if round_.answered else None
            round_.nps = nps(round_.promoters, round_.detractors, round_.answered)
    return surveys


def access_survey(pk: int) -> Survey:
    survey = Survey.objects.filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def access_round(pk: int) -> SurveyRound:
    round_ = SurveyRound.objects.select_related("survey").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def today_figures() -> dict[str, int | None]:
    """ "So far today": the activity counted in Redis, new members and posts since midnight (community
    time), read with two counts on indexed columns."""
    midnight = start_of(activity.today())
    figures: dict[str, int | None] = dict.fromkeys(("views", "visitors", "members"))
    figures.update(activity.so_far_today() or {})
    figures["joined"] = User.objects.filter(date_joined__gte=midnight).count()
    figures["posts"] = Post.objects.filter(created_at__gte=midnight, state=PostState.VISIBLE).count()
    return figures


WAITING_SHOWN = 100


def threads_waiting(*, hours: int, days: int = 30) -> list[Thread]:
    """Visible threads started in the last `days` days, more than `hours` ago, with no visible reply from
    anyone but their author (as the answers report counts them): the oldest first, for the team to
    answer. Live rows: this is a work list, not a figure."""
    now = timezone.now()
    replied = Post.objects.filter(thread=OuterRef("pk"), position__gt=1, state=PostState.VISIBLE).exclude(
        author_id=OuterRef("author_id")
    )
    return list(
        Thread.objects.filter(
            state=PostState.VISIBLE,
            created_at__lte=now - timedelta(hours=hours),
            created_at__gte=now - timedelta(days=days),
        )
        .exclude(Exists(replied))
        .select_related("space", "author")
        .order_by("created_at")[:WAITING_SHOWN]
    )
