"""At and after an event: AMA questions and upvotes, the live chat, contests and their auditable draw,
the recap and the satisfaction survey — moderated as posts are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Notification
from events.models import (
    Audience,
    ContestDraw,
    Contribution,
    EventFormat,
    EventKind,
    Registration,
    SurveyResponse,
)
from events.services import aftermath, contributions, registrations
from mailings.models import Delivery
from moderation.models import Case, DecisionAction, NetiquetteRule, Notice
from moderation.services import case_decide, flag_create
from moderation.services.sanctions import sanction_apply
from tests.concurrency import at_once
from tests.events.helpers import published_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def online(kind: str, *, started: bool = False, over: bool = False, **fields):
    start = timezone.now() + (timedelta(hours=-1) if started else timedelta(days=2))
    if over:
        start = timezone.now() - timedelta(days=1)
    defaults = {
        "kind": kind, "format": EventFormat.ONLINE, "venue_name": "", "starts_at": start,
        "ends_at": start + timedelta(hours=2), "audience": Audience.PUBLIC, "capacity": None,
    }  # fmt: skip
    return published_event(**(defaults | fields))


def ask(member, event, body="Comment choisissez-vous vos matériaux ?"):
    return contributions.contribution_write(actor=member, event=event, kind="question", body=body)


def test_members_ask_and_upvote_and_the_most_wanted_question_comes_first(client, member):
    event = online(EventKind.INTERVIEW)
    first, second = (
        ask(member, event, "Première question ?"),
        ask(UserFactory(), event, "Deuxième question ?"),
    )
    for voter in [UserFactory() for _ in range(2)]:
        contributions.upvote_toggle(actor=voter, question=second)
    page = client.get(reverse("events:questions", args=[event.pk])).content.decode()
    assert page.index("Deuxième question ?") < page.index("Première question ?")
    with pytest.raises(ValidationError, match="own question"):
        contributions.upvote_toggle(actor=member, question=first)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_upvote_counts_once_or_not_at_all_never_twice():
    event = online(EventKind.INTERVIEW)
    question = ask(UserFactory(), event)
    voter = UserFactory()
    at_once(lambda _n: contributions.upvote_toggle(actor=voter, question=question), range(2))
    question.refresh_from_db()
    from events.models import Upvote

    assert question.upvotes == Upvote.objects.filter(question=question).count() in (0, 1)


def test_the_team_marks_a_question_answered_with_its_answer(client, member, community_manager):
    event = online(EventKind.INTERVIEW)
    question = ask(member, event)
    client.force_login(community_manager)
    client.post(reverse("events:answer", args=[event.pk, question.pk]), {"answer": "Surtout du **lin**."})
    page = client.get(reverse("events:questions", args=[event.pk])).content.decode()
    assert "<strong>lin</strong>" in page and "Answered" in page
    client.force_login(member)
    assert (
        client.post(reverse("events:answer", args=[event.pk, question.pk]), {"answer": "x"}).status_code
        == 403
    )


def test_a_suspended_member_cannot_ask_chat_or_enter(member):
    sanction_apply(
        actor=None, decision=None, user_id=member.pk, kind="suspension", days=3, now=timezone.now()
    )
    member = type(member).objects.get(pk=member.pk)
    for kind, event in (
        ("question", online(EventKind.INTERVIEW)),
        ("chat", online(EventKind.CHAT, started=True)),
        ("entry", online(EventKind.CONTEST)),
    ):
        with pytest.raises(PermissionDenied):
            contributions.contribution_write(actor=member, event=event, kind=kind, body="Bonjour")


def test_a_question_flagged_and_removed_by_the_team_leaves_the_page_with_a_statement_for_its_author(
    client, member, community_manager
):
    event = online(EventKind.INTERVIEW)
    question = ask(member, event, "Question hors sujet")
    rule = NetiquetteRule.objects.get(number=1)
    flag_create(actor=UserFactory(), item_type="event_question", item_id=question.pk, rule=rule)
    case = Case.objects.get(item_type="event_question", item_id=question.pk)
    case_decide(
        actor=community_manager,
        case=case,
        action=DecisionAction.REMOVE,
        rule=rule,
        explanation="Hors sujet.",
        sanction=None,
    )
    question.refresh_from_db()
    assert question.state == "removed"
    assert Notice.objects.filter(recipient=member, decision__case=case).exists()  # the statement of reasons
    assert (
        "Question hors sujet" not in client.get(reverse("events:questions", args=[event.pk])).content.decode()
    )


def test_the_chat_is_open_during_the_event_new_messages_come_by_polling_and_writing_is_attending(
    client, member
):
    event = online(EventKind.CHAT, started=True)
    registrations.registration_register(actor=member, event=event)
    client.force_login(member)
    page = client.get(reverse("events:chat", args=[event.pk])).content.decode()
    assert 'hx-trigger="every 3s"' in page
    last = int(page.split('id="chat-after" name="after" value="')[1].split('"')[0])
    contributions.contribution_write(actor=UserFactory(), event=event, kind="chat", body="Bonjour à tous !")
    polled = client.get(reverse("events:chat-messages", args=[event.pk]), {"after": last}).content.decode()
    assert "Bonjour à tous !" in polled
    newest = Contribution.objects.latest("pk").pk
    assert client.get(reverse("events:chat-messages", args=[event.pk]), {"after": newest}).status_code == 204
    response = client.post(
        reverse("events:chat", args=[event.pk]),
        {"body": "Merci !", "after": newest},
        headers={"HX-Request": "true"},
    )
    assert "Merci !" in response.content.decode()
    assert Registration.objects.get(member=member).attended_at is not None


def test_the_chat_is_rate_limited_and_read_only_after_the_event(member):
    event = online(EventKind.CHAT, started=True)
    for n in range(contributions.CHAT_BURST):
        contributions.contribution_write(actor=member, event=event, kind="chat", body=f"Message {n}")
    with pytest.raises(ValidationError, match="Slow down"):
        contributions.contribution_write(actor=member, event=event, kind="chat", body="Encore")
    over = online(EventKind.CHAT, over=True)
    with pytest.raises(ValidationError, match="chat opens"):
        contributions.contribution_write(actor=member, event=over, kind="chat", body="Trop tard")


def test_one_entry_per_member_and_the_random_draw_can_be_checked_by_anyone(client, member, community_manager):
    event = online(EventKind.CONTEST, winners_count=2, entries_close_at=timezone.now() + timedelta(hours=1))
    entrants = [UserFactory() for _ in range(5)]
    for entrant in entrants:
        contributions.contribution_write(
            actor=entrant, event=event, kind="entry", body=f"Ma photo {entrant.pk}"
        )
    with pytest.raises(ValidationError, match="already entered"):
        contributions.contribution_write(actor=entrants[0], event=event, kind="entry", body="Encore une")
    with pytest.raises(ValidationError, match="still open"):
        aftermath.contest_draw(actor=community_manager, event=event)
    event.entries_close_at = timezone.now() - timedelta(minutes=1)
    event.save(update_fields=["entries_close_at"])
    draw = aftermath.contest_draw(actor=community_manager, event=event)
    assert len(draw.winners) == 2 and len(draw.seed) == 64
    assert aftermath.draw_winners(draw.seed, list(reversed(draw.eligible)), 2) == draw.winners
    winners = set(Contribution.objects.filter(pk__in=draw.winners).values_list("author_id", flat=True))
    assert set(Notification.objects.filter(kind="ev_won").values_list("recipient", flat=True)) == winners
    page = client.get(reverse("events:contest", args=[event.pk])).content.decode()
    assert draw.seed in page and "random.Random" in page
    with pytest.raises(ValidationError, match="already chosen"):
        aftermath.contest_draw(actor=community_manager, event=event)


@pytest.mark.django_db(transaction=True)
def test_two_draws_at_once_give_one_result(community_manager):
    event = online(EventKind.CONTEST, entries_close_at=timezone.now() - timedelta(minutes=1))
    Contribution.objects.bulk_create(
        [
            Contribution(event=event, kind="entry", author=UserFactory(), body_md="x", body_html="<p>x</p>")
            for _ in range(4)
        ]
    )
    outcomes = at_once(lambda _n: aftermath.contest_draw(actor=community_manager, event=event), range(2))
    assert ContestDraw.objects.filter(event=event).count() == 1
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1
    assert Notification.objects.filter(kind="ev_won").count() == 1


def test_a_jury_chooses_among_the_visible_entries_only(community_manager):
    event = online(EventKind.CONTEST, entries_close_at=timezone.now() - timedelta(minutes=1))
    entry = Contribution.objects.create(
        event=event, kind="entry", author=UserFactory(), body_md="x", body_html="x"
    )
    with pytest.raises(ValidationError, match="among"):
        aftermath.contest_jury(actor=community_manager, event=event, entry_ids=[entry.pk + 999])
    draw = aftermath.contest_jury(actor=community_manager, event=event, entry_ids=[entry.pk])
    assert draw.method == "jury" and draw.winners == [entry.pk]


def test_the_recap_shows_on_the_event_page_and_links_must_be_https(client, community_manager):
    event = published_event(audience=Audience.PUBLIC)
    with pytest.raises(ValidationError):
        aftermath.recap_save(
            actor=community_manager, event=event, recap="", recording_url="http://x.example", slides_url=""
        )
    client.force_login(community_manager)
    client.post(
        reverse("events:recap", args=[event.pk]),
        {"recap": "Merci à **tous** !", "recording_url": "https://video.example/1", "slides_url": ""},
    )
    client.logout()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>tous</strong>" in page and "https://video.example/1" in page


def test_attendees_are_asked_once_and_the_team_sees_the_results(client, community_manager):
    event = published_event(capacity=10)
    came, absent = UserFactory(), UserFactory()
    for person in (came, absent):
        registrations.registration_register(actor=person, event=event)
    registrations.attendance_mark(
        actor=community_manager, registration=Registration.objects.get(member=came), present=True
    )
    event.starts_at, event.ends_at = timezone.now() - timedelta(hours=3), timezone.now() - timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    assert aftermath.surveys_offer() == 1
    assert aftermath.surveys_offer() == 0
    assert Notification.objects.filter(kind="ev_survey", recipient=came).count() == 1
    assert Delivery.objects.filter(ref__startswith="survey:").count() == 1
    client.force_login(absent)
    assert client.get(reverse("events:survey", args=[event.pk])).status_code == 403
    client.force_login(came)
    client.post(reverse("events:survey", args=[event.pk]), {"rating": "4", "comment": "Très bien organisé."})
    client.post(reverse("events:survey", args=[event.pk]), {"rating": "5", "comment": "Excellent."})
    assert SurveyResponse.objects.get(member=came).rating == 5
    client.force_login(community_manager)
    results = client.get(reverse("events:survey", args=[event.pk])).content.decode()
    assert "5.0 / 5 from 1 answer" in results and "Excellent." in results


def test_a_private_events_live_pages_do_not_exist_for_others(client, member):
    event = online(EventKind.INTERVIEW, audience=Audience.INVITED)
    client.force_login(member)
    assert client.get(reverse("events:questions", args=[event.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        ask(member, event)


def test_in_a_premoderated_space_questions_wait_for_review_but_the_live_chat_flows(member):
    event = online(EventKind.INTERVIEW, started=True)
    event.space.premoderated = True
    event.space.save(update_fields=["premoderated"])
    question = ask(member, event)
    message = contributions.contribution_write(actor=member, event=event, kind="chat", body="Bonjour !")
    assert question.state == "pending" and message.state == "visible"
    assert Case.objects.filter(item_type="event_question", item_id=question.pk).exists()


def test_the_chats_polling_stops_once_the_event_is_over(client):
    event = online(EventKind.CHAT, over=True)
    response = client.get(reverse("events:chat-messages", args=[event.pk]), {"after": 0})
    assert response.status_code == 286  # htmx stops polling on 286


def test_a_chat_page_opened_before_the_start_looks_again_until_it_opens(client):
    soon = online(EventKind.CHAT)
    page = client.get(reverse("events:chat", args=[soon.pk])).content.decode()
    assert 'hx-trigger="every 60s"' in page and "every 3s" not in page
    over = online(EventKind.CHAT, over=True)
    assert 'hx-trigger="every 60s"' not in client.get(reverse("events:chat", args=[over.pk])).content.decode()
