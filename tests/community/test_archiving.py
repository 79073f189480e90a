"""Thread archiving: by the team's hand and nightly by age, read-only for everyone, out of the active
lists but still at its address, in search and in the archive pages (by the month it was started)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import archive, tasks
from community.models import PostState, ReactionKind, Space, SpaceMonth, Thread, Visibility
from community.selectors.archive import ARCHIVE_PAGE
from community.selectors.forum import introductions_to_welcome
from community.services import archiving, forum, visibility
from community.sidebar import Section
from tests.concurrency import at_once
from tests.pages import signed_in, thread_page_with_overlay

# The refusal as English readers see it (str() at import time would take the default language).
ARCHIVED = "This thread is archived: it is kept for reference and closed to replies."


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide")


def quiet_for(thread: Thread, days: int) -> None:
    Thread.objects.filter(pk=thread.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=days)
    )


def started_on(thread: Thread, year: int, month: int, day: int = 10) -> None:
    """Move a thread's start into the past, then count the archive's months afresh from the threads."""
    when = datetime.datetime(year, month, day, 12, tzinfo=timezone.get_default_timezone())
    Thread.objects.filter(pk=thread.pk).update(created_at=when)
    archiving.space_months_recount()


# By hand -----------------------------------------------------------------------------------------


def test_an_archived_thread_leaves_the_active_lists_and_comes_back_when_unarchived(
    client, thread, space, community_manager
):
    # The shared copies exist before the change: the versions bumped with it must renew them.
    assert "Heat pump noise" in client.get(space.get_absolute_url()).text
    assert "Heat pump noise" in client.get(reverse("home")).text
    before = Space.objects.get(pk=space.pk).version

    archived = archiving.thread_archive(actor=community_manager, thread=thread)

    assert archived.archived_at is not None
    assert Space.objects.get(pk=space.pk).version > before
    assert "Heat pump noise" not in client.get(space.get_absolute_url()).text
    assert "Heat pump noise" not in client.get(reverse("home")).text
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    assert ARCHIVED in page.text and "Archived on" in page.text and "It hums at night." in page.text
    found = client.get(reverse("community:search"), {"q": "brackets"}).text
    assert thread.get_absolute_url() in found and "search-archived" in found

    archiving.thread_unarchive(actor=community_manager, thread=thread)

    assert Thread.objects.get(pk=thread.pk).archived_at is None
    assert "Heat pump noise" in client.get(space.get_absolute_url()).text
    assert "Heat pump noise" in client.get(reverse("home")).text
    assert ARCHIVED not in client.get(thread.get_absolute_url()).text


def test_an_unarchived_thread_has_its_quiet_days_again(thread, space, community_manager):
    space.archive_after_days = 30
    space.save(update_fields=["archive_after_days"])
    quiet_for(thread, 90)
    assert archiving.threads_archive_inactive() == 1

    archiving.thread_unarchive(actor=community_manager, thread=thread)

    assert archiving.threads_archive_inactive() == 0
    assert Thread.objects.get(pk=thread.pk).archived_at is None


def test_archiving_twice_keeps_the_first_date(thread, community_manager):
    first = archiving.thread_archive(actor=community_manager, thread=thread).archived_at
    again = archiving.thread_archive(actor=community_manager, thread=thread).archived_at
    assert first == again == Thread.objects.get(pk=thread.pk).archived_at


def test_only_community_managers_archive_and_unarchive(client, people, thread, community_manager):
    alice, bruno = people
    for person in (alice, bruno):
        with pytest.raises(PermissionDenied):
            archiving.thread_archive(actor=person, thread=thread)
    archiving.thread_archive(actor=community_manager, thread=thread)
    with pytest.raises(PermissionDenied):
        archiving.thread_unarchive(actor=alice, thread=thread)
    url = reverse("community:thread-archive", args=[thread.pk])
    assert signed_in(alice).post(url, {"value": "0"}).status_code == 403
    assert client.post(url, {"value": "0"}).status_code == 302  # to sign in
    assert Thread.objects.get(pk=thread.pk).archived_at is not None


def test_the_team_archives_and_unarchives_from_the_thread_page(client, thread, community_manager):
    team = signed_in(community_manager)
    url = reverse("community:thread-archive", args=[thread.pk])
    page = team.get(thread.get_absolute_url()).text
    assert f'action="{url}"' in page and ">Archive</button>" in page

    response = team.post(url, {"value": "1"}, follow=True)

    assert Thread.objects.get(pk=thread.pk).archived_at is not None
    assert "The thread is archived." in response.text and ">Unarchive</button>" in response.text
    team.post(url, {"value": "0"})
    assert Thread.objects.get(pk=thread.pk).archived_at is None


# Read-only -------------------------------------------------------------------------------------


def test_nobody_replies_edits_deletes_reacts_or_marks_a_best_answer_in_an_archived_thread(
    people, thread, community_manager
):
    alice, bruno = people
    first, reply = thread.posts.get(position=1), thread.posts.get(position=2)
    archiving.thread_archive(actor=community_manager, thread=thread)
    attempts = {
        "reply": lambda actor: forum.post_create(actor=actor, thread=thread, body="Too late"),
        "edit": lambda actor: forum.post_edit(actor=actor, post=reply, body="Rewritten"),
        "delete": lambda actor: forum.post_delete(actor=actor, post=reply),
        "react": lambda actor: forum.reaction_toggle(actor=actor, post=first, kind=ReactionKind.LIKE),
        "best answer": lambda actor: forum.thread_mark_solution(actor=actor, thread=thread, post=reply),
    }
    for name, attempt in attempts.items():
        for actor in (bruno, community_manager) if name != "best answer" else (alice, community_manager):
            with pytest.raises(ValidationError) as refused:
                attempt(actor)
            assert refused.value.messages == [ARCHIVED], name
    assert thread.posts.count() == 2
    reply.refresh_from_db()
    assert reply.state == PostState.VISIBLE and reply.body_md == "Check the mounting brackets."
    assert first.reactions.count() == 0 and Thread.objects.get(pk=thread.pk).solution_id is None


def test_the_pages_refuse_the_same_writes_with_the_message(client, people, thread, community_manager):
    alice, bruno = people
    first, reply = thread.posts.get(position=1), thread.posts.get(position=2)
    archiving.thread_archive(actor=community_manager, thread=thread)
    member = signed_in(bruno)

    replied = member.post(
        reverse("community:reply", args=[thread.pk]), {"body": "Too late", "client_token": uuid.uuid4()}
    )
    assert replied.status_code == 400 and ARCHIVED in replied.text
    edited = member.post(reverse("community:post-edit", args=[reply.pk]), {"body": "x"}, follow=True)
    assert ARCHIVED in edited.text
    deleted = member.post(reverse("community:post-delete", args=[reply.pk]), follow=True)
    assert ARCHIVED in deleted.text
    reacted = member.post(
        reverse("community:post-react", args=[first.pk]), {"kind": "like"}, headers={"HX-Request": "true"}
    )
    assert reacted.status_code == 400 and ARCHIVED in reacted.text
    marked = signed_in(alice).post(
        reverse("community:thread-solution", args=[thread.pk]), {"post": reply.pk}, follow=True
    )
    assert ARCHIVED in marked.text
    assert thread.posts.count() == 2 and Thread.objects.get(pk=thread.pk).solution_id is None


def test_an_archived_thread_page_offers_no_reply_box_reactions_or_tools(
    client, people, thread, community_manager
):
    alice, bruno = people
    reply = thread.posts.get(position=2)
    archiving.thread_archive(actor=community_manager, thread=thread)

    for reader in (client, signed_in(alice), signed_in(bruno)):
        page = thread_page_with_overlay(reader, thread.get_absolute_url())
        assert ARCHIVED in page and "Archived on" in page
        assert "Post my reply" not in page and "Write a reply" not in page and "?quote=" not in page
        assert reverse("community:post-react", args=[reply.pk]) not in page
        assert reverse("community:post-edit", args=[reply.pk]) not in page
        assert "Mark as best answer" not in page
    # Flagging stays open: moderation keeps its hand on archived content.
    assert reverse("moderation:flag", args=["post", reply.pk]) in thread_page_with_overlay(
        signed_in(alice), thread.get_absolute_url()
    )


def test_an_archived_introduction_is_not_offered_for_welcome(people, community_manager):
    alice = people[0]
    introductions = Space.objects.create(name="Présentations", slug="presentations", is_introductions=True)
    intro = forum.thread_create(actor=alice, space=introductions, title="Hello", body="I am Alice.")
    archiving.thread_archive(actor=community_manager, thread=intro)
    assert introductions_to_welcome() == []


# In the admin --------------------------------------------------------------------------------------


def test_the_admin_archives_and_unarchives_selected_threads_and_sets_a_spaces_delay(
    client, thread, space, community_manager
):
    admin = signed_in(community_manager)
    changelist = reverse("admin:community_thread_changelist")
    admin.post(changelist, {"action": "archive", "_selected_action": [thread.pk]})
    assert Thread.objects.get(pk=thread.pk).archived_at is not None
    assert admin.get(changelist, {"archived_at__isempty": "0"}).context["cl"].result_count == 1
    admin.post(changelist, {"action": "unarchive", "_selected_action": [thread.pk]})
    assert Thread.objects.get(pk=thread.pk).archived_at is None

    change = reverse("admin:community_space_change", args=[space.pk])
    form = admin.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "archive_after_days"
    }
    assert admin.post(change, data | {"archive_after_days": "90"}).status_code == 302
    assert Space.objects.get(pk=space.pk).archive_after_days == 90
    refused = admin.post(change, data | {"archive_after_days": "0"})
    assert refused.status_code == 200 and Space.objects.get(pk=space.pk).archive_after_days == 90


# Nightly ---------------------------------------------------------------------------------------------


def test_the_nightly_run_archives_exactly_the_quiet_unpinned_threads_of_spaces_with_a_delay(people, space):
    alice = people[0]
    space.archive_after_days = 30
    space.save(update_fields=["archive_after_days"])
    never = Space.objects.create(name="Forever", slug="forever")

    def started(title: str, where: Space = space, quiet: int = 40) -> Thread:
        thread = forum.thread_create(actor=alice, space=where, title=title, body=f"About {title}")
        quiet_for(thread, quiet)
        return thread

    stale = [started("Old one"), started("Old two"), started("Old three")]
    recent = started("Recent", quiet=10)
    pinned = started("House rules")
    Thread.objects.filter(pk=pinned.pk).update(pinned=True)
    held = started("Awaiting review")
    Thread.objects.filter(pk=held.pk).update(state=PostState.PENDING)
    elsewhere = started("In a space that keeps everything", where=never, quiet=400)
    before = Space.objects.get(pk=space.pk).version

    with CaptureQueriesContext(connection) as queries:
        assert archiving.threads_archive_inactive(batch_size=2) == 3

    archived = set(Thread.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))
    assert archived == {thread.pk for thread in stale}
    assert not {recent.pk, pinned.pk, held.pk, elsewhere.pk} & archived
    # Two batches of at most two, then one that finds nothing, each its own claim with SKIP LOCKED.
    claims = [query["sql"] for query in queries.captured_queries if "SKIP LOCKED" in query["sql"]]
    assert len(claims) == 3
    assert Space.objects.get(pk=space.pk).version >= before + 2
    dates = dict(Thread.objects.filter(pk__in=archived).values_list("pk", "archived_at"))

    assert archiving.threads_archive_inactive(batch_size=2) == 0
    assert dict(Thread.objects.filter(pk__in=archived).values_list("pk", "archived_at")) == dates


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_archive_each_thread_once():
    space = Space.objects.create(name="Busy", slug="busy", archive_after_days=7)
    old = timezone.now() - datetime.timedelta(days=30)
    Thread.objects.bulk_create(
        Thread(space=space, title=f"Quiet {n}", last_activity_at=old) for n in range(40)
    )

    counts = at_once(lambda _: archiving.threads_archive_inactive(batch_size=5), range(2))

    assert all(isinstance(count, int) for count in counts), counts
    assert sum(counts) == 40
    assert Thread.objects.filter(archived_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_runs_on_a_real_worker(celery_worker):
    space = Space.objects.create(name="Worker", slug="worker", archive_after_days=7)
    thread = Thread.objects.create(
        space=space, title="Quiet", last_activity_at=timezone.now() - datetime.timedelta(days=8)
    )

    tasks.archive_inactive_threads.apply_async(queue=celery_worker.queue)

    celery_worker.wait_for(
        lambda: Thread.objects.filter(pk=thread.pk, archived_at__isnull=False).exists(),
        what="archive the quiet thread",
    )


def test_beat_runs_the_archiving_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["community-archive-inactive-threads"]
    assert entry["task"] == tasks.archive_inactive_threads.name == "community.archive_inactive_threads"
    assert entry["schedule"] == crontab(hour=3, minute=30)


# The archive pages ----------------------------------------------------------------------------------


@pytest.fixture
def history(people, space, community_manager):
    """Threads started in 2023 and 2024, one of them archived, and one in a space for the team only."""
    alice = people[0]
    staff = Space.objects.create(name="Team room", slug="team-room", visibility=Visibility.STAFF)
    threads = {}
    for title, (year, month) in {
        "Launch day": (2023, 3),
        "Spring meetup": (2024, 5),
        "Summer sale": (2024, 7),
        "Summer returns": (2024, 7),
    }.items():
        threads[title] = forum.thread_create(actor=alice, space=space, title=title, body=f"About {title}")
        started_on(threads[title], year, month)
    threads["Team plans"] = forum.thread_create(
        actor=community_manager, space=staff, title="Team plans", body="secret"
    )
    started_on(threads["Team plans"], 2024, 7)
    archiving.thread_archive(actor=community_manager, thread=threads["Summer sale"])
    return threads


def test_the_archive_goes_from_years_to_months_to_the_threads_of_a_month(
    client, history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        years = client.get(reverse("community:archive"))
    assert years.status_code == 200
    assert [(p.start.year, p.count) for p, _url in years.context["periods"]] == [(2024, 3), (2023, 1)]
    assert reverse("community:archive-year", args=[2024]) in years.text

    with django_assert_max_num_queries(6):
        months = client.get(reverse("community:archive-year", args=[2024]))
    assert [(p.start.month, p.count) for p, _url in months.context["periods"]] == [(5, 1), (7, 2)]
    assert reverse("community:archive-month", args=[2024, 7]) in months.text

    with django_assert_max_num_queries(6):
        july = client.get(reverse("community:archive-month", args=[2024, 7]))
    assert july.status_code == 200
    text = july.text
    # In the order they were started, archived or not, marked as such; the team's room stays hidden.
    assert text.index("Summer sale") < text.index("Summer returns")
    assert "badge-archived" in text and "Team plans" not in text
    assert client.get(reverse("community:archive-month", args=[2024, 1])).status_code == 404
    assert client.get(reverse("community:archive-year", args=[2022])).status_code == 404
    assert client.get(reverse("community:archive-month", args=[2024, 13])).status_code == 404


def test_a_members_archive_never_shows_the_teams_spaces(client, people, history, community_manager):
    member = signed_in(people[1])
    years = member.get(reverse("community:archive"))
    assert [(p.start.year, p.count) for p, _url in years.context["periods"]] == [(2024, 3), (2023, 1)]
    assert "Team plans" not in member.get(reverse("community:archive-month", args=[2024, 7])).text
    assert member.get(reverse("community:space-archive", args=["team-room"])).status_code == 404
    assert (
        member.get(reverse("community:space-archive-month", args=["team-room", 2024, 7])).status_code == 404
    )

    team = signed_in(community_manager)
    assert "Team plans" in team.get(reverse("community:archive-month", args=[2024, 7])).text
    room = team.get(reverse("community:space-archive", args=["team-room"]))
    assert [(p.start.year, p.count) for p, _url in room.context["periods"]] == [(2024, 1)]


def test_a_spaces_archive_lists_its_own_threads(
    client, people, space, history, django_assert_max_num_queries
):
    other = Space.objects.create(name="Elsewhere", slug="elsewhere")
    elsewhere = forum.thread_create(actor=people[0], space=other, title="Elsewhere in July", body="text")
    started_on(elsewhere, 2024, 7)
    member = signed_in(people[1])
    member.get(reverse("home"))  # The header's unread count is kept for a minute after this.

    with django_assert_max_num_queries(8):
        years = member.get(reverse("community:space-archive", args=[space.slug]))
    assert [(p.start.year, p.count) for p, _url in years.context["periods"]] == [(2024, 3), (2023, 1)]
    with django_assert_max_num_queries(8):
        july = member.get(reverse("community:space-archive-month", args=[space.slug, 2024, 7]))
    assert "Summer returns" in july.text and "Elsewhere in July" not in july.text
    assert "Elsewhere in July" in member.get(reverse("community:archive-month", args=[2024, 7])).text
    assert reverse("community:space-archive", args=[space.slug]) in client.get(space.get_absolute_url()).text
    assert reverse("community:archive") in client.get(reverse("home")).text


def test_a_busy_month_comes_in_pages_at_a_fixed_cost(client, people, space, django_assert_max_num_queries):
    alice = people[0]
    titles = []
    for n in range(ARCHIVE_PAGE + 5):
        thread = Thread.objects.create(
            space=space, title=f"Topic {n:03}", author=alice, last_activity_at=timezone.now()
        )
        Thread.objects.filter(pk=thread.pk).update(
            created_at=datetime.datetime(2024, 2, 1, tzinfo=timezone.get_default_timezone())
            + datetime.timedelta(hours=n)
        )
        titles.append(thread.title)
    archiving.space_months_recount()
    url = reverse("community:archive-month", args=[2024, 2])

    with django_assert_max_num_queries(6):
        first = client.get(url)
    assert titles[0] in first.text and titles[ARCHIVE_PAGE - 1] in first.text
    assert titles[ARCHIVE_PAGE] not in first.text and "More threads" in first.text
    with django_assert_max_num_queries(6):
        second = client.get(url, {"after": first.context["page"].next_cursor})
    assert titles[ARCHIVE_PAGE] in second.text and titles[-1] in second.text
    assert titles[0] not in second.text and "More threads" not in second.text


def test_other_apps_add_sections_to_a_month_of_the_archive(client, history, monkeypatch):
    calls = []

    def past_events(user, space, year, month):
        calls.append((space, year, month))
        if (year, month) != (2024, 7):
            return None
        return Section(versions=("test",), render=lambda request: "<p>The July barcamp</p>")

    monkeypatch.setattr(archive, "PROVIDERS", [])
    archive.archive_section_register(past_events)
    archive.archive_section_register(past_events)  # once only

    july = client.get(reverse("community:archive-month", args=[2024, 7])).text
    assert "<p>The July barcamp</p>" in july and calls == [(None, 2024, 7)]
    assert "The July barcamp" not in client.get(reverse("community:archive-month", args=[2024, 5])).text


def test_the_archive_counts_follow_threads_as_they_come_and_go(people, space, community_manager):
    alice = people[0]
    month = SpaceMonth.month_of(timezone.now())

    def count() -> int:
        row = SpaceMonth.objects.filter(space=space, month=month).first()
        return row.thread_count if row else 0

    first = forum.thread_create(actor=alice, space=space, title="One", body="The first")
    second = forum.thread_create(actor=alice, space=space, title="Two", body="The second")
    assert count() == 2
    forum.post_delete(actor=alice, post=second.posts.get(position=1))
    assert count() == 1
    visibility.thread_state_set(thread_id=first.pk, state=PostState.REMOVED)
    assert count() == 0
    visibility.thread_state_set(thread_id=first.pk, state=PostState.VISIBLE)
    assert count() == 1
    # Archiving changes no count: the archive lists archived threads too.
    archiving.thread_archive(actor=community_manager, thread=first)
    assert count() == 1
    kept = set(SpaceMonth.objects.values_list("space_id", "month", "thread_count"))
    archiving.space_months_recount()
    assert set(SpaceMonth.objects.values_list("space_id", "month", "thread_count")) == kept
