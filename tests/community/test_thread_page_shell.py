"""Members' thread pages served from a kept shell (community/page_shell.py): each member still sees their
own parts, and every change shows on the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import profile_update
from community.models import PostState, ReactionKind, Space
from community.page_shell import HOLES
from community.services import forum, thread_views
from community.services.moderation import post_moderate
from config.cache import copy_changed, copy_found, copy_keep
from moderation import services as moderation
from moderation.models import NetiquetteRule
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide", objective="Ask and help.")


@pytest.fixture
def people(db):
    alice = UserFactory(display_name="Alice Aubert")
    bruno = UserFactory(display_name="Bruno Bernard")
    accept_netiquette(alice, bruno)
    return alice, bruno


@pytest.fixture
def thread(people, space):
    alice, bruno = people
    thread = forum.thread_create(actor=alice, space=space, title="Heat pump noise", body="It hums at night.")
    forum.post_create(actor=bruno, thread=thread, body="Check the mounting brackets.")
    return thread


def page(client, user, thread, **params) -> str:
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    response = client.get(thread.get_absolute_url(), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert not HOLES.search(html), "a hole was left unfilled"
    return html


def test_each_member_sees_their_own_name_reactions_and_edit_links_on_the_same_kept_page(
    client, people, thread
):
    alice, bruno = people
    reply = thread.posts.get(position=2)
    forum.reaction_toggle(actor=alice, post=reply, kind=ReactionKind.LIKE)

    for_alice = page(client, alice, thread)
    for_bruno = page(client, bruno, thread)

    assert "Alice Aubert</a></li>" in for_alice and "Bruno Bernard</a></li>" in for_bruno
    # Alice liked Bruno's reply: her button is pressed; Bruno cannot react to his own post.
    assert f'action="/posts/{reply.pk}/react/like/"' in for_alice
    assert 'aria-pressed="true"' in for_alice
    assert f'action="/posts/{reply.pk}/react/like/"' not in for_bruno
    # Each may edit only their own post.
    first = thread.posts.get(position=1)
    assert reverse("community:post-edit", args=[first.pk]) in for_alice
    assert reverse("community:post-edit", args=[reply.pk]) not in for_alice
    assert reverse("community:post-edit", args=[reply.pk]) in for_bruno
    assert reverse("community:post-edit", args=[first.pk]) not in for_bruno
    # Only the thread's author may choose the best answer.
    assert "Mark as best answer" in for_alice and "Mark as best answer" not in for_bruno


def test_the_forms_of_a_kept_page_carry_this_members_tokens(client, people, thread):
    alice, _bruno = people
    html = page(client, alice, thread)
    assert 'name="csrfmiddlewaretoken" value="' in html
    first_token = html.split('name="client_token" value="')[1].split('"')[0]
    second_token = page(client, alice, thread).split('name="client_token" value="')[1].split('"')[0]
    assert first_token != second_token, "each page gets its own double-submit token"
    response = client.post(
        reverse("community:reply", args=[thread.pk]), {"body": "Thanks!", "client_token": second_token}
    )
    assert response.status_code == 302
    assert thread.posts.filter(body_md="Thanks!").count() == 1


@pytest.mark.parametrize(
    "change",
    ["edit", "delete", "reaction", "profile", "reply", "solution"],
)
def test_a_change_shows_on_the_next_kept_page(client, people, thread, change):
    alice, bruno = people
    reply = thread.posts.get(position=2)
    page(client, alice, thread)  # keeps the page
    if change == "edit":
        forum.post_edit(actor=bruno, post=reply, body="Tighten the brackets, then check the pads.")
        expected = "then check the pads"
    elif change == "delete":
        forum.post_delete(actor=bruno, post=reply)
        expected = "This post was deleted."
    elif change == "reaction":
        forum.reaction_toggle(actor=alice, post=reply, kind=ReactionKind.HELPFUL)
        expected = "✓ Helpful 1"
    elif change == "profile":
        profile_update(
            actor=bruno, user=bruno, display_name="Bruno B. the Fixer", bio="", language="en", time_zone="UTC"
        )
        expected = "Bruno B. the Fixer"
    elif change == "reply":
        forum.post_create(actor=bruno, thread=thread, body="Or add rubber feet.")
        expected = "Or add rubber feet."
    else:
        forum.thread_mark_solution(actor=alice, thread=thread, post=reply)
        expected = "Best answer"
    assert expected in page(client, alice, thread)


def test_held_posts_show_on_a_kept_page_to_their_author_only(client, people, thread):
    alice, bruno = people
    carla = UserFactory(display_name="Carla Chevalier")
    accept_netiquette(carla)
    held = forum.post_create(actor=bruno, thread=thread, body="A held thought.")
    held.state = PostState.PENDING
    held.save(update_fields=["state"])
    forum.thread_content_changed(thread.pk)

    assert "A held thought." not in page(client, alice, thread)
    assert "A held thought." in page(client, bruno, thread)
    assert "Awaiting review" in page(client, bruno, thread)
    assert "A held thought." not in page(client, carla, thread)


def test_the_team_and_quote_links_get_the_page_rendered_for_them(client, people, thread, community_manager):
    alice, _bruno = people
    reply = thread.posts.get(position=2)
    team_page = page(client, community_manager, thread)
    assert "Team tools" in team_page
    quoted = page(client, alice, thread, quote=reply.pk)
    assert "&gt; Check the mounting brackets." in quoted


def test_a_kept_thread_page_costs_no_query_until_something_changes(
    client, people, thread, django_assert_num_queries
):
    alice, bruno = people
    page(client, alice, thread)  # keeps the page, the thread's row, the member, their session and marks
    with django_assert_num_queries(0):
        page(client, alice, thread)
    forum.post_create(actor=bruno, thread=thread, body="Try the night mode.")
    with django_assert_num_queries(3):  # the thread's row, then the posts and the new card
        assert "Try the night mode." in page(client, alice, thread)
    with django_assert_num_queries(0):
        page(client, alice, thread)
    forum.reaction_toggle(actor=alice, post=thread.posts.get(position=3), kind=ReactionKind.LIKE)
    with django_assert_num_queries(3):  # the row, the posts (their counts) and the member's reactions
        assert 'class="reaction is-on"' in page(client, alice, thread)


def test_a_copy_read_before_a_commit_is_not_kept_after_it(db):
    """Two requests at once: a page read the thread's row, a write committed, then the page kept its row."""
    key = "test:copy"
    copy_changed(key)
    seen = cache.get(key)  # a reader sees the write's mark, then reads the old row from the database
    copy_changed(key)  # the write commits: a new mark
    copy_keep(key, seen, "old row", 60)
    assert not copy_found(cache.get(key))
    fresh = cache.get(key)
    copy_keep(key, fresh, "new row", 60)  # the next reader keeps what it read
    assert cache.get(key) == "new row"
    copy_keep(key, None, "other", 60)  # a reader that saw nothing does not replace a copy
    assert cache.get(key) == "new row"


def test_a_space_closed_to_members_closes_its_kept_pages(client, people, thread, space):
    alice, _bruno = people
    page(client, alice, thread)
    space.visibility = "staff"
    space.save()
    client.force_login(alice)
    views = thread_views._redis().hget(thread_views._views_key(), str(thread.pk))
    assert client.get(thread.get_absolute_url()).status_code == 404
    # The view counted ahead of the refusal, in the page's round trip, is taken back.
    assert thread_views._redis().hget(thread_views._views_key(), str(thread.pk)) == views


def test_flags_and_moderation_show_on_kept_pages(client, people, thread):
    alice, bruno = people
    carla = UserFactory(display_name="Carla Chevalier")
    accept_netiquette(carla)
    reply = thread.posts.get(position=2)
    flag_url = reverse("moderation:flag", args=["post", reply.pk])
    assert flag_url in page(client, alice, thread)
    rule = NetiquetteRule.objects.get(number=2)
    moderation.flag_create(actor=alice, item_type="post", item_id=reply.pk, rule=rule, comment="")
    assert "You flagged this" in page(client, alice, thread)
    for_carla = page(client, carla, thread)
    assert flag_url in for_carla and "You flagged this" not in for_carla
    assert reverse("moderation:flag", args=["thread", thread.pk]) in for_carla  # not her own thread
    assert reverse("moderation:flag", args=["thread", thread.pk]) not in page(client, alice, thread)

    post_moderate(post_id=reply.pk, visibility="removed", rule_number=2)
    assert "This post was removed by moderation (rule 2)." in page(client, carla, thread)
    assert "Check the mounting brackets." not in page(client, alice, thread)


def test_made_up_query_strings_do_not_keep_pages_of_their_own(client, people, thread):
    alice, _bruno = people
    page(client, alice, thread)
    page(client, alice, thread, utm_source="newsletter")
    kept = cache._cache.get_client().keys(cache.make_key("community:thread-page:*"))
    assert len(kept) == 1


def test_a_thread_asked_for_before_it_exists_shows_once_it_does(client, people, thread, space):
    """A missing thread is not kept as missing: the thread that later gets that number shows at once."""
    alice, bruno = people
    client.force_login(alice)
    assert client.get(reverse("community:thread", args=[thread.pk + 1])).status_code == 404
    later = forum.thread_create(actor=bruno, space=space, title="Next one", body="Hello again.")
    assert later.pk == thread.pk + 1
    assert "Next one" in page(client, alice, later)
