"""Satisfaction surveys: the team sets the question; a round asks a sample of active members once, by
e-mail; each answers once; the satisfaction report reads the rolled-up answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import Space, Visibility
from events.models import SurveyResponse
from mailings.services.consent import consent_record
from moderation.models import Case, Flag, NetiquetteRule
from reporting.models import (
    ContentDay,
    MemberDay,
    SatisfactionDay,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyRound,
)
from reporting.services import kpi_rollup
from reporting.services.surveys import LIST_KEY, survey_round_start, surveys_start
from tests.concurrency import at_once
from tests.events.helpers import published_event
from tests.factories import UserFactory
from tests.mail import send_due

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def came_today(*members) -> None:
    today = timezone.localdate()
    MemberDay.objects.bulk_create([MemberDay(member=m, day=today) for m in members])


def survey_due(**fields) -> Survey:
    defaults = {"question_en": "How satisfied are you with the community?",
                "question_fr": "Êtes-vous satisfait de la communauté ?", "sample_size": 10}  # fmt: skip
    return Survey.objects.create(
        next_round_at=timezone.now() - timedelta(minutes=1), **{**defaults, **fields}
    )


def test_the_team_writes_a_survey_that_marketing_and_members_cannot_open(
    client, community_manager, marketing, member
):
    for outsider in (marketing, member):
        client.force_login(outsider)
        assert client.get(reverse("reporting:surveys")).status_code == 403
        assert client.post(reverse("reporting:survey-new"), {}).status_code == 403
    client.force_login(community_manager)
    response = client.post(
        reverse("reporting:survey-new"),
        {"kind": "nps", "question_fr": "Recommanderiez-vous ?", "question_en": "Would you recommend us?",
         "every_days": 90, "sample_size": 200, "open_days": 14, "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.created_by == community_manager and survey.next_round_at <= timezone.now()
    page = client.get(reverse("reporting:surveys")).content.decode()
    assert "Would you recommend us?" in page and "every 90 days" in page


def test_a_survey_asked_too_often_is_refused_with_a_clear_message(client, community_manager):
    client.force_login(community_manager)
    response = client.post(
        reverse("reporting:survey-new"),
        {"kind": "csat", "question_fr": "Q ?", "question_en": "Q?", "every_days": 1, "sample_size": 200,
         "open_days": 14},
    )  # fmt: skip
    assert response.status_code == 400
    assert "greater than or equal to 7" in response.content.decode()
    assert not Survey.objects.exists()


def test_a_round_asks_active_members_who_may_be_mailed_once_and_never_the_team(community_manager):
    active, asleep, unconfirmed, left = (
        UserFactory(),
        UserFactory(),
        UserFactory(verified_email=False),
        UserFactory(),
    )
    came_today(active, unconfirmed, left, community_manager)
    consent_record(member_id=left.pk, list_key=LIST_KEY, given=False, source="one-click")
    survey = survey_due()

    round_ = survey_round_start(survey_id=survey.pk)

    assert round_ is not None and round_.asked == 1
    assert list(SurveyAnswer.objects.values_list("member", flat=True)) == [active.pk]
    assert survey_round_start(survey_id=survey.pk) is None  # not due any more
    survey.refresh_from_db()
    assert survey.next_round_at > timezone.now() + timedelta(days=89)
    # Asked once, left alone by another survey for 60 days.
    other = survey_due(kind=SurveyKind.NPS)
    assert survey_round_start(survey_id=other.pk).asked == 0
    assert asleep.pk not in SurveyAnswer.objects.values_list("member", flat=True)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_start_one_round():
    came_today(UserFactory(), UserFactory())
    survey_due()

    started = at_once(lambda _n: surveys_start(), range(3))

    assert sorted(started) == [0, 0, 1]
    assert SurveyRound.objects.count() == 1
    assert SurveyAnswer.objects.count() == 2


def test_the_email_asks_in_the_members_language_and_the_answer_is_recorded_once(client):
    french = UserFactory(language="fr")
    came_today(french)
    round_ = survey_round_start(survey_id=survey_due().pk)

    assert send_due() == 1
    email = mail.outbox[0]
    assert "Êtes-vous satisfait de la communauté ?" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    answer_url = reverse("reporting:survey-answer", args=[round_.pk])
    assert f"{answer_url}?score=5" in email.alternatives[0][0]

    client.force_login(french)
    page = client.get(f"{answer_url}?score=4")
    assert page.status_code == 200 and SurveyAnswer.objects.get().score is None  # a GET records nothing
    response = client.post(answer_url, {"score": "4", "comment": "  Très utile  "})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment) == (4, "Très utile") and answer.answered_at
    again = client.post(answer_url, {"score": "1"})
    assert again.status_code == 400 and "déjà répondu" in again.content.decode()
    assert SurveyAnswer.objects.get().score == 4


def test_members_not_asked_or_late_cannot_answer(client, member):
    asked = UserFactory()
    came_today(asked)
    round_ = survey_round_start(survey_id=survey_due().pk)
    url = reverse("reporting:survey-answer", args=[round_.pk])

    client.force_login(member)
    refused = client.post(url, {"score": "5"})
    assert refused.status_code == 400 and "sent to other members" in refused.content.decode()

    SurveyRound.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(asked)
    late = client.post(url, {"score": "5"})
    assert late.status_code == 400 and "closed" in late.content.decode()
    assert not SurveyAnswer.objects.filter(score__isnull=False).exists()
    assert send_due() == 0  # nothing to ask once the round has closed


def test_a_member_who_answered_before_the_email_left_gets_no_email():
    member = UserFactory()
    came_today(member)
    round_ = survey_round_start(survey_id=survey_due().pk)
    SurveyAnswer.objects.filter(round=round_).update(score=5, answered_at=timezone.now())
    assert send_due() == 0 and not mail.outbox


DAY = date(2026, 11, 2)


def at(hour: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=PARIS)


@pytest.fixture
def day_of_opinions():
    """Satisfaction answers 5, 4 and 2; recommendation answers 10, 9, 7 and 3; one answer still open;
    event ratings 4 and 5; two flags; 40 posts in the content rollup."""
    csat, nps = survey_due(), survey_due(kind=SurveyKind.NPS)
    for survey, scores in ((csat, [5, 4, 2, None]), (nps, [10, 9, 7, 3])):
        round_ = SurveyRound.objects.create(survey=survey, opened_at=at(1), closes_at=at(23), asked=4)
        for score in scores:
            SurveyAnswer.objects.create(
                round=round_, member=UserFactory(), score=score, comment="Great" if score == 2 else "",
                answered_at=at(10) if score is not None else None,
            )  # fmt: skip
    event = published_event(starts_at=at(8), ends_at=at(9))
    for rating in (4, 5):
        response = SurveyResponse.objects.create(event=event, member=UserFactory(), rating=rating)
        SurveyResponse.objects.filter(pk=response.pk).update(created_at=at(12))
    case = Case.objects.create(item_type="post", item_id=1, opened_at=at(9))
    for _ in range(2):
        flag = Flag.objects.create(
            case=case, item_type="post", item_id=1, flagger=UserFactory(), rule=NetiquetteRule.objects.first()
        )
        Flag.objects.filter(pk=flag.pk).update(created_at=at(11))
    ContentDay.objects.create(day=DAY, space=None, posts=40)


def test_satisfaction_rollup_of_a_hand_made_day(day_of_opinions):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["satisfaction"])
    row = SatisfactionDay.objects.get(day=DAY)
    # Satisfaction: (5 + 4 + 2) / 3 = 3.67, satisfied 5 and 4: 2; the open answer is not one.
    assert row.csat_answers == 3 and row.csat_mean == pytest.approx(11 / 3) and row.csat_satisfied == 2
    # Recommendation: promoters 10 and 9 (2 of 4 = 50 %), detractor 3 (25 %): NPS 25.
    assert row.nps_answers == 4 and row.nps == pytest.approx(25)
    # Events: (4 + 5) / 2; flags: 2 per 40 posts = 50 per 1,000.
    assert (row.event_ratings, row.event_mean) == (2, 4.5)
    assert (row.flags, row.posts, row.flags_per_1000) == (2, 40, 50)
    # A rerun writes the same row.
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["satisfaction"])
    assert SatisfactionDay.objects.count() == 1 and SatisfactionDay.objects.get().csat_satisfied == 2


def test_marketing_reads_the_satisfaction_report_with_its_comments(
    client, marketing, day_of_opinions, django_assert_max_num_queries
):
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["satisfaction"])
    client.force_login(marketing)
    url = reverse("reporting:report", args=["satisfaction"])
    with django_assert_max_num_queries(10):
        page = client.get(url, {"start": DAY.isoformat(), "end": DAY.isoformat()}).content.decode()
    assert "Net Promoter Score" in page and "Great" in page
    assert "66.7" in page  # share satisfied: 2 of 3
    assert reverse("reporting:surveys") not in page  # the surveys' page is the team's


def test_events_only_the_team_may_see_are_counted_but_never_named(client, marketing):
    staff = Space.objects.create(name="Équipe", slug="equipe", visibility=Visibility.STAFF)
    secret = published_event(title="Secret launch plan", space=staff, starts_at=at(8), ends_at=at(9))
    invited = published_event(title="Dîner des invités", audience="invited", starts_at=at(10), ends_at=at(11))
    for event in (secret, invited):
        response = SurveyResponse.objects.create(event=event, member=UserFactory(), rating=5, comment="Top")
        SurveyResponse.objects.filter(pk=response.pk).update(created_at=at(12))
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["events", "satisfaction"])
    client.force_login(marketing)
    period = {"start": DAY.isoformat(), "end": DAY.isoformat()}
    for key in ("events", "satisfaction"):
        page = client.get(reverse("reporting:report", args=[key]), period).content.decode()
        assert "Secret launch plan" not in page and "Dîner des invités" not in page
    assert (
        "A private event" in client.get(reverse("reporting:report", args=["events"]), period).content.decode()
    )
    assert SatisfactionDay.objects.get(day=DAY).event_ratings == 2  # counted all the same


def test_the_scale_of_a_survey_already_asked_cannot_change(client, community_manager):
    came_today(UserFactory())
    survey = survey_due()
    survey_round_start(survey_id=survey.pk)
    client.force_login(community_manager)
    response = client.post(
        reverse("reporting:survey-edit", args=[survey.pk]),
        {"kind": "nps", "question_fr": "Q ?", "question_en": "Q?", "every_days": 90, "sample_size": 10,
         "open_days": 14, "active": "on"},
    )  # fmt: skip
    assert response.status_code == 400 and "its scale cannot change" in response.content.decode()
    survey.refresh_from_db()
    assert survey.kind == SurveyKind.CSAT and survey.question_en.startswith("How satisfied")
