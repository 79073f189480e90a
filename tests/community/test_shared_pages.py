"""Thread pages: one shared copy per thread version for every reader, and a member's overlay
(core/shared_pages.py, community/views/forum.py). Each member still sees their own parts, and every
change shows on the next request."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import avatar_remove, profile_update
from community import tasks
from community.models import PostState, ReactionKind, Space, Visibility
from community.services import forum
from community.services.moderation import post_moderate
from moderation import services as moderation
from moderation.models import NetiquetteRule
from tests.pages import signed_in, thread_page_with_overlay


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide", objective="Ask and help.")


def overlay(client: Client, thread, page: int = 1):
    url = reverse("community:thread-overlay", args=[thread.pk])
    return client.get(url, {"page": page}, headers={"HX-Request": "true"})


def test_visitors_and_members_get_the_same_bytes_with_nothing_of_a_member_in_them(client, people, thread):
    alice, bruno = people
    seen = [client.get(thread.get_absolute_url()).content]
    for person in (alice, bruno):
        seen.append(signed_in(person).get(thread.get_absolute_url()).content)
    assert seen[0] == seen[1] == seen[2]
    html = seen[0].decode()
    assert "Check the mounting brackets." in html
    assert "csrfmiddlewaretoken" not in html and "Alice Aubert</bdi></a></li>" not in html
    assert reverse("community:thread-overlay", args=[thread.pk]) in html


def test_each_member_sees_their_own_name_reactions_and_tools_from_the_overlay(people, thread):
    alice, bruno = people
    first, reply = thread.posts.get(position=1), thread.posts.get(position=2)
    forum.reaction_toggle(actor=alice, post=reply, kind=ReactionKind.LIKE)

    for_alice = overlay(signed_in(alice), thread).content.decode()
    for_bruno = overlay(signed_in(bruno), thread).content.decode()

    assert "Alice Aubert</bdi></a></li>" in for_alice and "Bruno Bernard</bdi></a></li>" in for_bruno
    # Alice liked Bruno's reply: her button is pressed; Bruno's own post shows counts only.
    assert re.search(rf'id="reactions-{reply.pk}" hx-swap-oob="true">\s*<form', for_alice)
    assert 'value="like" class="reaction is-on" aria-pressed="true"' in for_alice
    assert re.search(rf'id="reactions-{reply.pk}" hx-swap-oob="true">\s*<span', for_bruno)
    # Each may edit only their own post; only the thread's author chooses the best answer.
    assert reverse("community:post-edit", args=[first.pk]) in for_alice
    assert reverse("community:post-edit", args=[reply.pk]) not in for_alice
    assert reverse("community:post-edit", args=[reply.pk]) in for_bruno
    assert reverse("community:post-edit", args=[first.pk]) not in for_bruno
    assert "Mark as best answer" in for_alice and "Mark as best answer" not in for_bruno
    # The reply form carries this member's token; the thread's author is not offered to flag it.
    assert 'name="csrfmiddlewaretoken"' in for_alice and 'name="client_token"' in for_alice
    assert 'id="thread-flag" hx-swap-oob="true"></span>' in for_alice
    assert "Flag this thread" not in for_alice


def test_visitors_get_no_overlay(client, thread):
    assert overlay(client, thread).status_code == 204


def test_a_shared_page_costs_one_query_and_the_overlay_one(people, thread, django_assert_num_queries):
    alice, bruno = people
    reader = signed_in(bruno)
    reader.get(thread.get_absolute_url())
    overlay(reader, thread)
    with django_assert_num_queries(1):  # The thread's row, which checks access and carries the version.
        reader.get(thread.get_absolute_url())
    with django_assert_num_queries(1):  # The page's posts with the thread, the member's reactions, flags.
        overlay(reader, thread)


def test_the_overlay_of_a_page_the_member_may_not_read_is_refused(people, thread, space, community_manager):
    alice, _bruno = people
    space.visibility = Visibility.STAFF
    space.save(update_fields=["visibility"])
    assert overlay(signed_in(alice), thread).status_code == 404
    assert overlay(signed_in(alice), thread, page=9).status_code == 404
    assert overlay(signed_in(community_manager), thread).status_code == 200


def test_held_posts_reach_their_author_only_through_the_overlay(
    client, people, thread, django_assert_num_queries
):
    alice, bruno = people
    reply = forum.post_create(actor=bruno, thread=thread, body="Waiting for review.")
    post_moderate(post_id=reply.pk, visibility="held")
    assert "Waiting for review." not in client.get(thread.get_absolute_url()).text
    assert "Waiting for review." not in thread_page_with_overlay(signed_in(alice), thread.get_absolute_url())
    reader = signed_in(bruno)
    overlay(reader, thread)
    with django_assert_num_queries(1):  # The held post is drawn from the overlay's one query.
        for_bruno = overlay(reader, thread).content.decode()
    assert "Waiting for review." in for_bruno and "Awaiting review" in for_bruno
    assert 'hx-swap-oob="beforeend:#posts"' in for_bruno  # The last post of the page: at the end.


def change_reply(people, thread):
    forum.post_create(actor=people[1], thread=thread, body="Also check the fan.")
    return "Also check the fan."


def change_edit(people, thread):
    forum.post_edit(actor=people[0], post=thread.posts.get(position=1), body="It hums all day.")
    return "It hums all day."


def change_reaction(people, thread):
    forum.reaction_toggle(actor=people[1], post=thread.posts.get(position=1), kind=ReactionKind.HELPFUL)
    return "✓ Helpful 1"


def change_best_answer(people, thread):
    forum.thread_mark_solution(actor=people[0], thread=thread, post=thread.posts.get(position=2))
    return "Solved: see the best answer"


def change_moderation(people, thread):
    post_moderate(post_id=thread.posts.get(position=2).pk, visibility="removed", rule_number=3)
    return "removed by moderation (rule 3)"


def change_rename(people, thread):
    profile_update(
        actor=people[1], user=people[1], display_name="Bruno Bertin", bio="", language="en", time_zone="UTC"
    )
    forum.member_threads_touch(user_id=people[1].pk)  # What the task queued after commit does.
    return "Bruno Bertin"


def change_space_rename(people, thread):
    Space.objects.filter(pk=thread.space_id).update(name="Mutual help")
    return "Mutual help"


@pytest.mark.parametrize(
    "change",
    [
        change_reply,
        change_edit,
        change_reaction,
        change_best_answer,
        change_moderation,
        change_rename,
        change_space_rename,
    ],
)
def test_a_change_shows_on_the_next_request_to_visitors_and_members(client, people, thread, change):
    reader = signed_in(people[0])
    client.get(thread.get_absolute_url())
    reader.get(thread.get_absolute_url())
    shown = change(people, thread)
    assert shown in client.get(thread.get_absolute_url()).text
    assert shown in reader.get(thread.get_absolute_url()).content.decode()


def test_a_flag_shows_in_the_flaggers_overlay_only(client, people, thread):
    alice, bruno = people
    reply = thread.posts.get(position=2)
    rule = NetiquetteRule.objects.order_by("number").first()
    moderation.flag_create(actor=alice, item_type="post", item_id=reply.pk, rule=rule, comment="")
    assert "You flagged this" in overlay(signed_in(alice), thread).content.decode()
    assert "You flagged this" not in client.get(thread.get_absolute_url()).text


def test_the_team_gets_the_page_rendered_with_held_posts_and_tools(people, thread, community_manager):
    reply = forum.post_create(actor=people[1], thread=thread, body="Held for the team.")
    post_moderate(post_id=reply.pk, visibility="held")
    html = signed_in(community_manager).get(thread.get_absolute_url()).content.decode()
    assert "Held for the team." in html and "Team tools" in html and "csrfmiddlewaretoken" in html


def test_made_up_query_strings_get_the_page_rendered_not_stored(client, thread):
    from django.core.cache import cache

    client.get(thread.get_absolute_url(), {"utm": "x"})
    assert not cache.keys("shared:thread:*")
    client.get(thread.get_absolute_url())
    assert len(cache.keys("shared:thread:*")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rename_queues_the_touch_of_the_members_threads_for_a_real_worker(
    people, thread, celery_worker, monkeypatch
):
    """The rename's listener queues community.member_threads_touch; a real worker bumps the versions."""
    task = tasks.member_threads_touch
    # The worker of the tests listens on a queue of its own.
    monkeypatch.setattr(task, "delay", lambda *args: task.apply_async(args, queue=celery_worker.queue))
    bruno = people[1]
    before = type(thread).objects.get(pk=thread.pk).version
    avatar_remove(actor=bruno, user=bruno)
    celery_worker.wait_for(
        lambda: type(thread).objects.get(pk=thread.pk).version > before, what="touch the thread"
    )


def test_a_deleted_post_and_its_thread_state_show_at_once(client, people, thread):
    alice, bruno = people
    client.get(thread.get_absolute_url())
    forum.post_delete(actor=bruno, post=thread.posts.get(position=2))
    assert "This post was deleted." in client.get(thread.get_absolute_url()).text
    assert thread.posts.get(position=2).state == PostState.DELETED


def test_a_space_closed_to_members_refuses_its_shared_pages_at_once(client, people, thread, space):
    reader = signed_in(people[0])
    assert reader.get(thread.get_absolute_url()).status_code == 200  # The copy is stored.
    space.visibility = Visibility.STAFF
    space.save(update_fields=["visibility"])
    assert reader.get(thread.get_absolute_url()).status_code == 404
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_a_new_avatar_shows_on_the_threads_of_its_member(client, people, thread):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from accounts.services import avatar_set

    bruno = people[1]
    client.get(thread.get_absolute_url())
    picture = BytesIO()
    Image.new("RGB", (64, 64), "teal").save(picture, "PNG")
    upload = SimpleUploadedFile("me.png", picture.getvalue(), content_type="image/png")
    avatar_set(actor=bruno, user=bruno, upload=upload)
    forum.member_threads_touch(user_id=bruno.pk)  # What the task queued after commit does.
    bruno.refresh_from_db()
    assert bruno.avatar_url and bruno.avatar_url in client.get(thread.get_absolute_url()).text


def test_a_title_changed_in_the_admin_shows_on_the_next_reading(client, thread, community_manager):
    client.get(thread.get_absolute_url())
    admin = signed_in(community_manager)
    url = reverse("admin:community_thread_change", args=[thread.pk])
    form = {
        "title": "Heat pump hum",
        "author": thread.author_id,
        "pinned": "on",
        "featured_at_0": "",
        "featured_at_1": "",
    }
    assert admin.post(url, form).status_code == 302
    page = client.get(thread.get_absolute_url()).text
    assert "Heat pump hum" in page and "Pinned" in page


def test_a_deleted_account_shows_as_a_deleted_member_and_its_reactions_leave_the_counts(
    client, people, thread
):
    from community.services.members import member_delete
    from tests.factories import PASSWORD

    alice, bruno = people
    forum.reaction_toggle(actor=bruno, post=thread.posts.get(position=1), kind=ReactionKind.LIKE)
    assert "Bruno Bernard" in client.get(thread.get_absolute_url()).text
    member_delete(actor=bruno, user=bruno, password=PASSWORD)
    page = client.get(thread.get_absolute_url()).text
    assert "Bruno Bernard" not in page and "Deleted member" in page
    assert '♥ <span class="visually-hidden">Likes</span> 0' in page


def test_a_space_list_is_shared_by_visitors_and_members_and_follows_its_threads(
    client, people, thread, space, django_assert_num_queries
):
    alice, bruno = people
    seen = {
        client.get(space.get_absolute_url()).content,
        signed_in(bruno).get(space.get_absolute_url()).content,
    }
    assert len(seen) == 1  # The same bytes.
    html = seen.pop().decode()
    assert (
        "Heat pump noise" in html
        and "csrfmiddlewaretoken" not in html
        and "Bruno Bernard</bdi></a></li>" not in html
    )
    # The space's row, which checks access and carries the version; the space's next events and theirs.
    with django_assert_num_queries(2):
        client.get(space.get_absolute_url())
    forum.post_edit(actor=alice, post=thread.posts.get(position=1), body="It hums.", title="Heat pump hum")
    assert "Heat pump hum" in client.get(space.get_absolute_url()).text
    forum.thread_update_flags(actor=signed_in_manager(), thread=thread, pinned=True)
    assert "Pinned" in client.get(space.get_absolute_url()).text


def signed_in_manager():
    from accounts.roles import COMMUNITY_MANAGERS
    from tests.factories import user_with_role

    return user_with_role(COMMUNITY_MANAGERS)


def test_the_space_overlay_offers_a_new_thread_to_members_who_may_post_only(client, people, space):
    from moderation.services.sanctions import sanction_apply

    alice, bruno = people
    url = reverse("community:space-overlay", args=[space.slug])
    assert client.get(url).status_code == 204
    for_alice = signed_in(alice).get(url).content.decode()
    assert "New thread" in for_alice and "Alice Aubert</bdi></a></li>" in for_alice
    sanction_apply(actor=None, decision=None, user_id=bruno.pk, kind="suspension", days=2, now=timezone.now())
    assert "New thread" not in signed_in(bruno).get(url).content.decode()
    space.visibility = Visibility.STAFF
    space.save(update_fields=["visibility"])
    assert signed_in(alice).get(url).status_code == 404


def test_the_home_page_is_shared_per_audience_and_follows_new_discussions(client, people, space):
    alice, bruno = people
    members_only = Space.objects.create(name="Club", slug="club", visibility=Visibility.MEMBERS)
    forum.thread_create(actor=alice, space=members_only, title="Members talk", body="Only for members.")
    home = reverse("home")
    for_visitors = client.get(home).content
    for_alice, for_bruno = signed_in(alice).get(home).content, signed_in(bruno).get(home).content
    assert for_alice == for_bruno != for_visitors  # Members read one more space than visitors.
    assert b"Members talk" in for_alice and b"Members talk" not in for_visitors
    assert b"csrfmiddlewaretoken" not in for_alice and b"Welcome back" not in for_alice
    forum.thread_create(actor=bruno, space=space, title="Fresh question", body="Anyone?")
    assert "Fresh question" in client.get(home).text


def test_the_team_gets_the_home_page_rendered_for_them(community_manager):
    html = signed_in(community_manager).get(reverse("home")).content.decode()
    assert "Welcome back, <bdi>Sacha Dubois</bdi>." in html and reverse("community:home-overlay") not in html
