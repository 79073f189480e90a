"""The moderation, events and recruitment themes on small hand-made days whose right answers are worked
out here, their reruns, and their pages as marketing reads them."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import COMMUNITY_MANAGERS
from community.models import Invitation, Post, Space
from community.services import forum
from community.services.members import invitation_create, invitation_redeem
from events.models import Event, EventState, Registration
from events.services.aftermath import survey_answer
from events.services.registrations import attendance_mark, registration_cancel, registration_register
from mailings.models import Delivery, DeliveryState
from mailings.services import deliveries_prune
from moderation import services as moderation
from moderation.models import (
    Appeal,
    Case,
    CaseKind,
    Decision,
    DecisionAction,
    Flag,
    NetiquetteRule,
    Sanction,
    SanctionKind,
    Strike,
)
from reporting.models import (
    EventDay,
    MemberDay,
    ModerationDay,
    ModerationRuleDay,
    ModeratorDay,
    RecruitmentDay,
    ReferrerDay,
)
from reporting.services import kpi_rollup
from tests.events.helpers import published_event
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 2)
PERIOD = {"start": "2026-11-01", "end": "2026-11-03"}


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=PARIS) + timedelta(days=days)


def rows(model, *fields: str) -> list[tuple]:
    return list(model.objects.order_by(*fields).values_list(*fields))


def rerun_leaves_the_same_rows(theme: str, model, *fields: str) -> None:
    before = rows(model, *fields)
    kpi_rollup(first_day=DAY - timedelta(days=1), last_day=DAY + timedelta(days=1), themes=[theme])
    assert rows(model, *fields) == before


@pytest.fixture
def signed_in(client, marketing):
    client.force_login(marketing)
    return client


def page(client, key: str, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reporting:report", args=[key]), PERIOD)
    assert response.status_code == 200
    return response, response.content.decode()


# Moderation ---------------------------------------------------------------------------------------


@pytest.fixture
def day_of_moderation():
    """Three replies. The first is flagged at 9:00 (rule 1) and 9:30 (rule 2), removed under rule 1 by
    @anna at 10:00 with a warning and a strike; its author appeals at 15:00 and @ben upholds the appeal
    at 16:00. The second is flagged at 11:00 (rule 2) and @ben dismisses the flag at 14:00. The third is
    flagged at 12:00 (rule 1) and still waits."""
    NetiquetteRule.objects.filter(number=1).update(strike_points=1)
    rule = {r.number: r for r in NetiquetteRule.objects.filter(number__in=[1, 2])}
    space = Space.objects.create(name="Entraide", slug="entraide")
    author, first, second, third = (UserFactory() for _ in range(4))
    anna = user_with_role(COMMUNITY_MANAGERS, handle="anna")
    ben = user_with_role(COMMUNITY_MANAGERS, handle="ben")
    thread = forum.thread_create(actor=author, space=space, title="Un vélo", body="Lequel choisir ?")
    posts = [forum.post_create(actor=author, thread=thread, body=f"Réponse {n}.") for n in range(3)]

    def flag(member, post, number: int, moment: datetime) -> None:
        made = moderation.flag_create(actor=member, item_type="post", item_id=post.pk, rule=rule[number])
        Flag.objects.filter(pk=made.pk).update(created_at=moment)

    flag(first, posts[0], 1, at(9))
    flag(second, posts[0], 2, at(9, 30))
    flag(third, posts[1], 2, at(11))
    flag(first, posts[2], 1, at(12))
    removal = moderation.case_decide(
        actor=anna,
        case=Case.objects.get(item_id=posts[0].pk),
        action=DecisionAction.REMOVE,
        rule=rule[1],
        explanation="Propos blessants.",
        sanction=SanctionKind.WARNING,
        override_reason="Premier écart.",
    )
    dismissal = moderation.case_decide(
        actor=ben, case=Case.objects.get(item_id=posts[1].pk), action=DecisionAction.DISMISS
    )
    appeal = moderation.appeal_create(actor=author, decision=removal, text="Ce n'était pas blessant.")
    moderation.appeal_decide(actor=ben, appeal=appeal, upheld=True, explanation="Vous avez raison.")
    # Date everything as the story tells it.
    for decision, moment in ((removal, at(10)), (dismissal, at(14))):
        Decision.objects.filter(pk=decision.pk).update(created_at=moment)
        Case.objects.filter(pk=decision.case_id).update(resolved_at=moment, first_action_at=moment)
    for post, moment in zip(posts, (at(9), at(11), at(12)), strict=True):
        content = Case.objects.filter(kind=CaseKind.CONTENT, item_id=post.pk)
        content.update(opened_at=moment, first_flag_at=moment)
    Strike.objects.update(created_at=at(10))
    Sanction.objects.update(starts_at=at(10))
    Appeal.objects.update(created_at=at(15), decided_at=at(16))
    Case.objects.filter(kind=CaseKind.APPEAL).update(opened_at=at(15), resolved_at=at(16))
    kpi_rollup(first_day=DAY - timedelta(days=1), last_day=DAY + timedelta(days=1), themes=["moderation"])


def test_moderation_counts_flags_decisions_their_time_the_backlog_and_appeals(day_of_moderation):
    row = ModerationDay.objects.get(day=DAY)
    assert row.flags == 4  # 9:00, 9:30, 11:00, 12:00
    assert (row.decisions, row.removed, row.dismissed, row.approved) == (2, 1, 1, 0)
    # Removal: 10:00 − 9:00 = 60 min; dismissal: 14:00 − 11:00 = 180 min. Median (60 + 180) / 2 = 120;
    # 90th percentile, inclusive: 60 + 0.9 × (180 − 60) = 168.
    assert (row.timed, row.decide_median, row.decide_p90) == (2, 120, 168)
    # At midnight only the third reply waits, flagged at 12:00: 12 hours old.
    assert (row.backlog, row.backlog_oldest_hours) == (1, 12)
    assert (row.appeals_filed, row.appeals_decided, row.appeals_overturned) == (1, 1, 1)
    assert (row.strikes, row.warnings, row.suspensions, row.bans) == (1, 1, 0, 0)
    # The day before: nothing yet; the day after: still the third reply, 36 hours old.
    assert ModerationDay.objects.get(day=DAY - timedelta(days=1)).backlog == 0
    after = ModerationDay.objects.get(day=DAY + timedelta(days=1))
    assert (after.flags, after.backlog, after.backlog_oldest_hours) == (0, 1, 36)


def test_moderation_by_rule_and_by_moderator(day_of_moderation):
    assert rows(ModerationRuleDay, "rule_number", "action", "flags", "decisions") == [
        (1, "", 2, 0),  # flags citing rule 1: the first reply's at 9:00, the third's
        (1, "remove", 0, 1),
        (2, "", 2, 0),  # rule 2: the first reply's at 9:30, the second's
        (None, "dismiss", 0, 1),  # a dismissal cites no rule
    ]
    by_moderator = ModeratorDay.objects.order_by("moderator__handle")
    assert [(r.moderator.handle, r.decisions, r.minutes_median, r.overturned) for r in by_moderator] == [
        ("anna", 1, 60, 1),  # her removal was reversed on appeal
        ("ben", 1, 180, 0),
    ]


def test_moderation_rerun_leaves_the_same_rows(day_of_moderation):
    rerun_leaves_the_same_rows("moderation", ModerationDay, "day", "flags", "decisions", "backlog")
    rerun_leaves_the_same_rows("moderation", ModerationRuleDay, "day", "rule_number", "action", "flags")
    rerun_leaves_the_same_rows("moderation", ModeratorDay, "day", "moderator", "decisions", "overturned")


def test_the_moderation_page_shows_the_figures_and_tables(
    signed_in, day_of_moderation, django_assert_max_num_queries
):
    response, html = page(signed_in, "moderation", django_assert_max_num_queries)
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert figures["Flags received"] == 4
    assert figures["Backlog at the end of the day"] == 1  # on the period's last day
    assert figures["Median minutes to decide"] == 120
    assert figures["Share of appeals upheld (%)"] == 100
    tables = {str(t.title): t for t in response.context["tables"]}
    assert tables["Flags by netiquette rule"].rows == [
        ("1. Respect and courtesy", 2),
        ("2. No discrimination or hate", 2),
    ]
    assert tables["Decisions by rule and action"].rows == [
        ("1. Respect and courtesy", 0, 0, 1, 0, 0, 1),
        ("No rule cited", 0, 1, 0, 0, 0, 1),
    ]
    assert tables["Decisions by moderator"].rows == [("@anna", 1, 60, 1), ("@ben", 1, 180, 0)]
    assert "<td>@anna</td>" in html and "@" not in str(tables["Flags by netiquette rule"].rows)


def test_the_moderation_page_names_rules_in_the_readers_language(signed_in, marketing, day_of_moderation):
    marketing.language = "fr"
    marketing.save(update_fields=["language"])
    response = signed_in.get(reverse("reporting:report", args=["moderation"]), PERIOD)
    titles = [row[0] for row in response.context["tables"][0].rows]
    assert titles == [str(r) for r in NetiquetteRule.objects.filter(number__in=[1, 2]).order_by("number")]
    assert titles[0].startswith("1. ") and NetiquetteRule.objects.get(number=1).title_fr in titles[0]


# Events -------------------------------------------------------------------------------------------


@pytest.fixture
def day_of_events(community_manager):
    """The meetup (18:00–20:00, 2 seats): Léa and Marc take the seats, Zoé waits, Marc leaves and Zoé
    gets his seat, Hugo waits still. Léa is checked in, Zoé is not; Léa rates it 4. The talk (10:00–12:00,
    no limit): Noé goes, nobody is checked in. A cancelled and a draft event the same day do not count.
    Léa, Noé and Inès came to the site the week before; Léa posts twice 3 days after, Noé once 10 days
    after, Léa again 40 days after (too late)."""
    lea, marc, zoe, hugo, noe, ines = (
        UserFactory(handle=h) for h in ("lea", "marc", "zoe", "hugo", "noe", "ines")
    )
    meetup = published_event(title="Meetup à Lyon", capacity=2)
    talk = published_event(title="Conférence", capacity=None)
    for member in (lea, marc, zoe, hugo):
        registration_register(actor=member, event=meetup)
    registration_cancel(actor=marc, registration=Registration.objects.get(member=marc))
    registration_register(actor=noe, event=talk)
    published_event(title="Annulé", state=EventState.CANCELLED, starts_at=at(9), ends_at=at(10))
    published_event(title="Brouillon", state=EventState.DRAFT, starts_at=at(9), ends_at=at(10))
    Event.objects.filter(pk=meetup.pk).update(starts_at=at(18), ends_at=at(20))
    Event.objects.filter(pk=talk.pk).update(starts_at=at(10), ends_at=at(12))
    meetup.refresh_from_db()
    attendance_mark(actor=community_manager, registration=Registration.objects.get(member=lea), present=True)
    survey_answer(actor=lea, event=meetup, rating=4, comment="Très bien.")
    MemberDay.objects.bulk_create(
        [MemberDay(member=m, day=DAY - timedelta(days=5)) for m in (lea, noe, ines)]
    )
    host = UserFactory()
    thread = forum.thread_create(actor=host, space=meetup.space, title="Après", body="Vos retours ?")
    for member, days in ((lea, 3), (lea, 3), (noe, 10), (lea, 40)):
        post = forum.post_create(actor=member, thread=thread, body="Merci !")
        Post.objects.filter(pk=post.pk).update(created_at=at(12, days=days))
    kpi_rollup(first_day=DAY - timedelta(days=1), last_day=DAY + timedelta(days=1), themes=["events"])
    return meetup, talk


def test_events_count_registrations_attendance_waitlist_and_rating(day_of_events):
    meetup, talk = day_of_events
    day = EventDay.objects.get(day=DAY, event=None)
    assert day.events == 2  # the cancelled event and the draft left out
    assert (day.going, day.attended, day.no_shows) == (3, 1, 1)  # Léa, Zoé, Noé; Léa; Zoé at the meetup
    assert day.waitlisted == 2  # Hugo waits, Zoé was promoted
    assert (day.answers, day.rating) == (1, 4)
    held = EventDay.objects.get(event=meetup)
    assert (held.title, held.going, held.attended, held.no_shows, held.waitlisted) == (
        "Meetup à Lyon",
        2,
        1,
        1,
        2,
    )
    # Nobody was checked in at the talk: its attendance was not taken, so nobody is a no-show.
    assert (EventDay.objects.get(event=talk).going, EventDay.objects.get(event=talk).no_shows) == (1, 0)
    assert EventDay.objects.filter(day=DAY - timedelta(days=1), event=None, events=0).exists()


def test_the_waitlist_demand_outlives_the_pruning_of_the_promotion_emails(day_of_events, settings):
    """The e-mail log's housekeeping deletes the "promoted" e-mails: the registration remembers."""
    meetup, _talk = day_of_events
    assert Delivery.objects.filter(ref__startswith="promoted:").exists()
    Delivery.objects.update(state=DeliveryState.SENT, created_at=at(9, days=-400), sent_at=at(9, days=-400))

    assert deliveries_prune() > 0
    assert not Delivery.objects.filter(ref__startswith="promoted:").exists()
    kpi_rollup(first_day=DAY, last_day=DAY, themes=["events"])

    assert EventDay.objects.get(event=meetup).waitlisted == 2
    assert EventDay.objects.get(day=DAY, event=None).waitlisted == 2


def test_events_compare_posts_of_attendees_and_of_others_in_the_30_days_after(day_of_events):
    meetup, talk = day_of_events
    # The meetup (ends 20:00): Léa attended, 2 posts within 30 days (the 40th day's is too late); Noé and
    # Inès came the week before and did not attend: Noé's 1 post.
    held = EventDay.objects.get(event=meetup)
    assert (held.followed_attendees, held.attendee_posts, held.followed_others, held.other_posts) == (
        1,
        2,
        2,
        1,
    )
    # The talk (ends 12:00): nobody attended; Léa, Noé and Inès did not: 2 + 1 posts.
    talk_row = EventDay.objects.get(event=talk)
    assert (talk_row.followed_attendees, talk_row.followed_others, talk_row.other_posts) == (0, 3, 3)
    day = EventDay.objects.get(day=DAY, event=None)
    # Per attendee 2 / 1 = 2 posts; per member who did not attend (1 + 3) / (2 + 3) = 0.8.
    assert (day.attendee_posts, day.followed_attendees, day.other_posts, day.followed_others) == (2, 1, 4, 5)


def test_events_of_the_last_30_days_are_recomputed_with_later_days(day_of_events):
    meetup, _talk = day_of_events
    Registration.objects.filter(event=meetup, member__handle="zoe").update(attended_at=at(18, 5))
    kpi_rollup(first_day=DAY + timedelta(days=20), last_day=DAY + timedelta(days=20), themes=["events"])
    assert (EventDay.objects.get(event=meetup).attended, EventDay.objects.get(event=meetup).no_shows) == (
        2,
        0,
    )


def test_events_rerun_leaves_the_same_rows(day_of_events):
    rerun_leaves_the_same_rows("events", EventDay, "day", "event", "going", "attended", "other_posts")


def test_the_events_page_lists_the_events_without_attendees(
    signed_in, day_of_events, django_assert_max_num_queries
):
    response, html = page(signed_in, "events", django_assert_max_num_queries)
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert (figures["Events held"], figures["Registrations"], figures["Attended"]) == (2, 3, 1)
    assert figures["Attendance rate (%)"] == 50  # 1 ÷ (1 attendee + 1 no-show)
    assert figures["Mean rating (1 to 5)"] == 4
    assert figures["Posts per attendee, 30 days after"] == 2
    assert figures["Posts per active member who did not attend, 30 days after"] == 0.8
    assert response.context["tables"][0].rows == [
        ("Conférence", DAY, 1, 0, "—", "—"),
        ("Meetup à Lyon", DAY, 2, 1, "50", "4.0 (1)"),
    ]
    assert "Meetup à Lyon" in html
    assert not any(handle in html for handle in ("@lea", "@zoe", "@noe", "lea<", ">lea"))


# Recruitment --------------------------------------------------------------------------------------


@pytest.fixture
def day_of_recruitment(community_manager):
    """The day: the team and Rémi each create a link; through the team's Ana joins, through Rémi's Bo
    and Cy; Dé joins on her own. The day after, Sam's link (created the day before) brings Eli."""
    remi, sam = UserFactory(handle="remi"), UserFactory(handle="sam")
    team_link = invitation_create(actor=community_manager, note="", max_uses=10, expires_in_days=None)
    remi_link = invitation_create(actor=remi, note="", max_uses=10, expires_in_days=None)
    sam_link = invitation_create(actor=sam, note="", max_uses=10, expires_in_days=None)
    Invitation.objects.filter(pk__in=[team_link.pk, remi_link.pk]).update(created_at=at(9))
    Invitation.objects.filter(pk=sam_link.pk).update(created_at=at(9, days=-1))
    joined = {}
    for handle, link, days in (
        ("ana", team_link, 0), ("bo", remi_link, 0), ("cy", remi_link, 0), ("de", None, 0),
        ("eli", sam_link, 1),
    ):  # fmt: skip
        joined[handle] = UserFactory(handle=handle)
        if link is not None:
            invitation_redeem(user=joined[handle], code=link.code)
        get_user_model().objects.filter(pk=joined[handle].pk).update(date_joined=at(15, days=days))
    kpi_rollup(first_day=DAY - timedelta(days=1), last_day=DAY + timedelta(days=1), themes=["recruitment"])


def test_recruitment_counts_links_and_sign_ups_by_source(day_of_recruitment):
    row = RecruitmentDay.objects.get(day=DAY)
    assert (row.links, row.signups, row.invited) == (2, 4, 3)  # Ana, Bo, Cy invited; Dé direct
    assert (row.from_team, row.referral, row.direct) == (1, 2, 1)
    before, after = (
        RecruitmentDay.objects.get(day=DAY - timedelta(days=1)),
        RecruitmentDay.objects.get(day=DAY + timedelta(days=1)),
    )
    assert (before.links, before.signups, after.referral) == (1, 0, 1)
    assert rows(ReferrerDay, "day", "referrer__handle", "signups") == [
        (DAY, "remi", 2),  # the team's invitation is not a referral
        (DAY + timedelta(days=1), "sam", 1),
    ]


def test_recruitment_rerun_leaves_the_same_rows(day_of_recruitment):
    rerun_leaves_the_same_rows("recruitment", RecruitmentDay, "day", "links", "signups", "referral")
    rerun_leaves_the_same_rows("recruitment", ReferrerDay, "day", "referrer", "signups")


def test_the_recruitment_page_shows_sources_and_top_referrers(
    signed_in, day_of_recruitment, django_assert_max_num_queries
):
    response, html = page(signed_in, "recruitment", django_assert_max_num_queries)
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert (figures["Sign-ups"], figures["Invited by the team"], figures["Referred by a member"]) == (5, 1, 3)
    assert figures["Share through an invitation (%)"] == 80  # 4 of 5
    top, mean = response.context["tables"]
    assert top.rows == [("@remi", 2), ("@sam", 1)]
    assert mean.rows == [(2, 3, 1.5)]  # 3 sign-ups by 2 referrers
    assert "<td>@remi</td>" in html and "@example.com" not in html


def test_the_recruitment_csv_holds_the_days(signed_in, day_of_recruitment):
    response = signed_in.get(reverse("reporting:report-csv", args=["recruitment"]), PERIOD)
    lines = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert lines[2] == ["2026-11-02", "2", "4", "3", "1", "2", "1"]


@pytest.mark.parametrize("key", ["moderation", "events", "recruitment"])
def test_a_report_page_over_a_year_costs_a_fixed_number_of_queries(
    key, signed_in, day_of_moderation, day_of_events, day_of_recruitment, django_assert_max_num_queries
):
    kpi_rollup(first_day=DAY - timedelta(days=365), last_day=DAY, themes=[key])
    with django_assert_max_num_queries(10):
        response = signed_in.get(
            reverse("reporting:report", args=[key]), {"start": "2025-11-02", "end": "2026-11-02"}
        )
    assert len(response.context["days"]) == 366
