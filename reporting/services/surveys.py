"""Satisfaction surveys: the community team writes the question and how often it is asked; every round
asks a random sample of the members active in the last 30 days, by e-mail, and each answers once.

A round starts when its survey is due: the survey's next date is moved forward by a conditional update,
so two beat runs (or two workers) start one round, never two. The sample and its e-mails are written in
the round's transaction (mailings.Delivery: unique per member and round).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_community_manager, team_q
from mailings.audiences import mailable_q, members_excluded
from mailings.models import Delivery
from mailings.services import deliveries_write
from mailings.services.consent import latest_choice
from reporting.models import MemberDay, Survey, SurveyAnswer, SurveyRound

EMAIL_KIND = "survey"
LIST_KEY = "surveys"
# A member asked once is left alone for this long, whatever the survey.
REST = timedelta(days=60)
ACTIVE_DAYS = 30


def require_survey_manager(actor: User) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only the community team manages the satisfaction surveys."))


@transaction.atomic
def survey_save(*, actor: User, survey: Survey) -> Survey:
    """Create or change a survey (a form's instance, already validated); a new one is first asked at
    once. The scale of a survey already asked cannot change."""
    require_survey_manager(actor)
    rescaled = SurveyRound.objects.filter(survey_id=survey.pk).exclude(survey__kind=survey.kind)
    if survey.pk is not None and rescaled.exists():
        # Past answers are read by the survey's kind: a 5 of 5 would become a detractor's 5 of 10.
        raise ValidationError(
            {"kind": _("This survey has been asked already: its scale cannot change. Write a new survey.")}
        )
    if survey.pk is None:
        survey.created_by = actor
        survey.next_round_at = timezone.now()
    survey.save()
    return survey


def _sample(survey: Survey, now) -> list[int]:
    """Active members who may be mailed, not of the team, not asked lately, not opted out: at random."""
    since = timezone.localdate(now, timezone.get_default_timezone()) - timedelta(days=ACTIVE_DAYS)
    came = MemberDay.objects.filter(member=OuterRef("pk"), day__gte=since)
    asked = SurveyAnswer.objects.filter(member=OuterRef("pk"), round__opened_at__gte=now - REST)
    members = (
        User.objects.filter(mailable_q(), Exists(came))
        .exclude(team_q())
        .exclude(Exists(asked))
        .annotate(choice=latest_choice(LIST_KEY))
        .filter(Q(choice__isnull=True) | Q(choice=True))
        .order_by("?")
        .values_list("pk", flat=True)
    )
    picked = list(members[: survey.sample_size])
    excluded = members_excluded(picked)
    return [pk for pk in picked if pk not in excluded]


def survey_round_start(*, survey_id: int, now=None) -> SurveyRound | None:
    """Start the survey's round if it is due (None when another run started it, or it is not due)."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.filter(pk=survey_id, active=True, next_round_at__lte=now).first()
        if survey is None:
            return None
        moved = Survey.objects.filter(pk=survey.pk, next_round_at=survey.next_round_at).update(
            next_round_at=now + timedelta(days=survey.every_days)
        )
        if not moved:
            return None
        members = _sample(survey, now)
        round_ = SurveyRound.objects.create(
            survey=survey, opened_at=now, closes_at=now + timedelta(days=survey.open_days), asked=len(members)
        )
        SurveyAnswer.objects.bulk_create([SurveyAnswer(round=round_, member_id=pk) for pk in members])
        deliveries_write(
            [Delivery(kind=EMAIL_KIND, ref=str(round_.pk), member_id=pk, priority=1) for pk in members]
        )
    return round_


def surveys_start(now=None) -> int:
    """Beat, every hour: start the rounds that are due; returns how many started."""
    now = now or timezone.now()
    due = Survey.objects.filter(active=True, next_round_at__lte=now).values_list("pk", flat=True)
    return sum(1 for pk in due if survey_round_start(survey_id=pk, now=now))


def survey_answer(*, actor: User, round_: SurveyRound, score: int, comment: str) -> None:
    """Record the member's answer: once, while the round is open, and only if they were asked."""
    if round_.closes_at <= timezone.now():
        raise ValidationError(_("This survey is closed: thank you all the same."))
    if score not in round_.survey.scale:
        raise ValidationError(_("Choose a score on the scale."))
    answered = SurveyAnswer.objects.filter(round=round_, member=actor, score__isnull=True).update(
        score=score, comment=comment.strip(), answered_at=timezone.now()
    )
    if not answered:
        if SurveyAnswer.objects.filter(round=round_, member=actor).exists():
            raise ValidationError(_("You have already answered this survey: thank you."))
        raise PermissionDenied(_("This survey was sent to other members."))


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """Net Promoter Score: % of 9–10 minus % of 0–6, from −100 to 100."""
    return (promoters - detractors) / answers * 100 if answers else None
