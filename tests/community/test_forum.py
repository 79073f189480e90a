"""The forum core: threads, replies, positions, edits, deletes, reactions, best answers, team tools."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import POSTS_PER_PAGE, MemberState, Post, PostState, Space, Thread, Visibility
from community.services import forum
from moderation.models import NetiquetteAcceptance, NetiquetteVersion
from tests.factories import UserFactory


@pytest.fixture
def space(db) -> Space:
    return Space.objects.create(name="Entraide", slug="entraide", objective="Ask and help.")


@pytest.fixture
def introductions(db) -> Space:
    return Space.objects.create(name="Présentations", slug="presentations", is_introductions=True)


def accept_netiquette(*users) -> None:
    version, _ = NetiquetteVersion.objects.get_or_create(number=1)
    for user in users:
        NetiquetteAcceptance.objects.get_or_create(user=user, version=version)


@pytest.fixture
def poster(member):
    accept_netiquette(member)
    return member


def test_thread_create_opens_a_thread_with_its_first_post_and_counters(poster, space):
    thread = forum.thread_create(
        actor=poster, space=space, title="  Mon   premier sujet ", body="Bonjour **tous**"
    )
    assert thread.title == "Mon premier sujet"
    post = thread.posts.get()
    assert post.position == 1 and "<strong>tous</strong>" in post.body_html
    assert post.is_first_of_member
    space.refresh_from_db()
    assert (space.thread_count, space.post_count, thread.post_count) == (1, 1, 1)
    assert MemberState.objects.get(pk=poster.pk).post_count == 1


def test_replies_take_consecutive_positions_and_a_deep_page_is_a_position_range(poster, space, client):
    thread = forum.thread_create(actor=poster, space=space, title="Long thread", body="first")
    for n in range(2, POSTS_PER_PAGE * 2 + 5):
        forum.post_create(actor=poster, thread=thread, body=f"reply {n}")
    thread.refresh_from_db()
    assert thread.last_position == POSTS_PER_PAGE * 2 + 4 == thread.post_count
    assert list(thread.posts.order_by("position").values_list("position", flat=True)) == list(
        range(1, thread.last_position + 1)
    )
    response = client.get(reverse("community:thread", args=[thread.pk]), {"page": 3})
    assert response.status_code == 200
    assert f"reply {POSTS_PER_PAGE * 2 + 1}" in response.text and "reply 5<" not in response.text
    assert client.get(reverse("community:thread", args=[thread.pk]), {"page": 9}).status_code == 404


def test_a_second_submit_of_the_same_form_creates_nothing(poster, space):
    token = uuid.uuid4()
    first = forum.thread_create(actor=poster, space=space, title="Once", body="only once", client_token=token)
    again = forum.thread_create(actor=poster, space=space, title="Once", body="only once", client_token=token)
    assert first.pk == again.pk and Thread.objects.count() == 1
    reply_token = uuid.uuid4()
    one = forum.post_create(actor=poster, thread=first, body="a reply", client_token=reply_token)
    two = forum.post_create(actor=poster, thread=first, body="a reply", client_token=reply_token)
    assert one.pk == two.pk and first.posts.count() == 2


@pytest.mark.parametrize("body", ["", "   \n\t ", "\x00\x01"])
def test_empty_posts_are_refused_with_a_message(poster, space, body):
    with pytest.raises(ValidationError) as exc:
        forum.thread_create(actor=poster, space=space, title="Title", body=body)
    assert "Write something" in str(exc.value)
    assert not Thread.objects.exists()


def test_a_post_over_50000_characters_is_refused(poster, space):
    with pytest.raises(ValidationError, match="at most"):
        forum.thread_create(actor=poster, space=space, title="Title", body="x" * 50_001)


def test_script_and_javascript_links_never_reach_the_page(poster, space, client):
    body = (
        "<script>alert(1)</script> [click](javascript:alert(1)) [data](data:text/html;base64,xx) "
        '![x](https://e.test/a.png "t") <img src=x onerror=alert(1)> [ok](https://example.com)'
    )
    thread = forum.thread_create(actor=poster, space=space, title="XSS", body=body)
    html = thread.posts.get().body_html
    # What is not a safe link stays visible as inert text; nothing becomes a tag or a link.
    assert "<script" not in html and 'href="javascript' not in html and 'href="data' not in html
    assert "<img src=x" not in html and " onerror=" not in html.replace("&lt;img src=x onerror=", "")
    assert 'href="https://example.com"' in html and 'rel="nofollow ugc noopener"' in html
    page = client.get(thread.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page


def test_replying_to_a_locked_thread_is_refused_but_the_team_may(poster, space, community_manager):
    accept_netiquette(community_manager)
    thread = forum.thread_create(actor=poster, space=space, title="Locked soon", body="hello")
    forum.thread_update_flags(actor=community_manager, thread=thread, locked=True)
    with pytest.raises(ValidationError, match="locked"):
        forum.post_create(actor=poster, thread=thread, body="late reply")
    assert forum.post_create(actor=community_manager, thread=thread, body="team note").position == 2


def test_replying_to_a_deleted_thread_is_refused(poster, space):
    thread = forum.thread_create(actor=poster, space=space, title="Soon gone", body="hello")
    forum.post_delete(actor=poster, post=thread.posts.get())
    with pytest.raises(ValidationError, match="deleted"):
        forum.post_create(actor=poster, thread=thread, body="anyone?")
    space.refresh_from_db()
    assert space.thread_count == 0


def test_members_must_accept_the_netiquette_before_posting(space):
    newcomer = UserFactory(netiquette_accepted=False)
    with pytest.raises(PermissionDenied):
        forum.thread_create(actor=newcomer, space=space, title="Hello", body="text")


def test_editing_keeps_the_previous_text_and_shows_edited(poster, space, client):
    thread = forum.thread_create(actor=poster, space=space, title="Typo", body="helo")
    post = forum.post_edit(actor=poster, post=thread.posts.get(), body="hello", title="No typo")
    assert post.edit_count == 1 and post.revisions.get().body_md == "helo"
    thread.refresh_from_db()
    assert thread.title == "No typo"
    client.force_login(poster)
    page = client.get(thread.get_absolute_url()).text
    assert "edited" in page
    history = client.get(reverse("community:post-history", args=[post.pk])).text
    assert "helo" in history


def test_others_cannot_edit_or_delete_a_post(poster, space):
    other = UserFactory()
    accept_netiquette(other)
    thread = forum.thread_create(actor=poster, space=space, title="Mine", body="mine")
    with pytest.raises(PermissionDenied):
        forum.post_edit(actor=other, post=thread.posts.get(), body="theirs")
    with pytest.raises(PermissionDenied):
        forum.post_delete(actor=other, post=thread.posts.get())


def test_a_deleted_reply_keeps_its_slot_and_says_so(poster, space, client):
    thread = forum.thread_create(actor=poster, space=space, title="Slots", body="first")
    reply = forum.post_create(actor=poster, thread=thread, body="oops secret")
    forum.post_delete(actor=poster, post=reply)
    page = client.get(thread.get_absolute_url()).text
    assert "oops secret" not in page and "This post was deleted." in page
    thread.refresh_from_db()
    assert thread.post_count == 1 and thread.last_position == 2


def test_reactions_toggle_and_count(poster, space):
    reader = UserFactory()
    thread = forum.thread_create(actor=poster, space=space, title="Likes", body="like me")
    post = thread.posts.get()
    assert forum.reaction_toggle(actor=reader, post=post, kind="helpful") is True
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert forum.reaction_toggle(actor=reader, post=post, kind="helpful") is False
    post.refresh_from_db()
    assert post.helpful_count == 0
    with pytest.raises(ValidationError):
        forum.reaction_toggle(actor=poster, post=post, kind="like")


def test_the_author_marks_the_best_answer_and_others_cannot(poster, space):
    helper = UserFactory()
    accept_netiquette(helper)
    thread = forum.thread_create(actor=poster, space=space, title="Question", body="how?")
    answer = forum.post_create(actor=helper, thread=thread, body="like this")
    with pytest.raises(PermissionDenied):
        forum.thread_mark_solution(actor=helper, thread=thread, post=answer)
    forum.thread_mark_solution(actor=poster, thread=thread, post=answer)
    thread.refresh_from_db()
    assert thread.solution_id == answer.pk


def test_staff_only_spaces_are_invisible_to_members(member, space, client, community_manager):
    staff = Space.objects.create(name="Équipe", slug="equipe", visibility=Visibility.STAFF)
    accept_netiquette(community_manager)
    thread = forum.thread_create(actor=community_manager, space=staff, title="Team only", body="secret plans")
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert client.get(staff.get_absolute_url()).status_code == 404
    assert "Team only" not in client.get("/").text


def test_premoderated_space_holds_posts_for_everyone_but_the_author(poster, space, client):
    space.premoderated = True
    space.save()
    thread = forum.thread_create(actor=poster, space=space, title="Held", body="waiting")
    assert thread.state == PostState.PENDING
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(poster)
    assert "Awaiting review" in client.get(thread.get_absolute_url()).text


def test_welcome_posts_once_in_the_newcomers_language(poster, introductions, community_manager, ambassador):
    accept_netiquette(community_manager, ambassador)
    poster.language = "fr"
    poster.save()
    thread = forum.thread_create(actor=poster, space=introductions, title="Bonjour", body="Je suis Camille")
    welcome = forum.thread_welcome(actor=community_manager, thread=thread)
    assert welcome.body_md.startswith("Bienvenue")
    with pytest.raises(ValidationError):
        forum.thread_welcome(actor=ambassador, thread=thread)
    assert thread.posts.count() == 2


def test_members_cannot_use_the_welcome_list(member, client):
    client.force_login(member)
    assert client.get(reverse("community:welcome")).status_code == 403


@pytest.mark.parametrize("replies", [3, 40])
def test_thread_page_costs_the_same_queries_whatever_the_posts(
    poster, space, client, django_assert_max_num_queries, replies
):
    thread = forum.thread_create(actor=poster, space=space, title="Count", body="first")
    others = [UserFactory() for _ in range(3)]
    accept_netiquette(*others)
    for n in range(replies):
        forum.post_create(actor=others[n % 3], thread=thread, body=f"reply {n} @{poster.handle}")
    client.force_login(poster)
    url = thread.get_absolute_url()
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    last = Thread.objects.get(pk=thread.pk).page_count
    with django_assert_max_num_queries(9):
        assert client.get(url, {"page": last}).status_code == 200


def test_a_page_of_replies_quoting_each_other_costs_two_queries_to_render(
    poster, space, client, django_assert_num_queries
):
    thread = forum.thread_create(actor=poster, space=space, title="Quotes", body="first")
    others = [UserFactory() for _ in range(3)]
    accept_netiquette(*others)
    quoted = thread.posts.get()
    for n in range(19):
        quoted = forum.post_create(actor=others[n % 3], thread=thread, body=f"reply {n}", reply_to=quoted)
    client.get(reverse("home"))  # The branding is read once, then kept.
    with django_assert_num_queries(2):  # The thread's row; the posts with their authors and quoted posts.
        page = client.get(thread.get_absolute_url()).text
    assert page.count("In reply to") == 19


def test_space_and_home_pages_have_fixed_query_counts(poster, space, client, django_assert_max_num_queries):
    for n in range(35):
        forum.thread_create(actor=poster, space=space, title=f"Thread {n}", body=f"Text {n}")
    with django_assert_max_num_queries(6):
        response = client.get(space.get_absolute_url())
    assert response.status_code == 200 and "Older threads" in response.text
    after = response.context["page"].next_cursor
    second = client.get(space.get_absolute_url(), {"after": after})
    assert "Thread 0" in second.text and "Thread 34" not in second.text
    client.force_login(poster)
    # 9 = the page's 8 + the header's unread-notification count (cached in Redis for a minute after this).
    with django_assert_max_num_queries(9):
        assert client.get("/").status_code == 200


def test_space_filters_show_unanswered_and_mine(poster, space, client):
    answered = forum.thread_create(actor=poster, space=space, title="Answered one", body="q")
    other = UserFactory()
    accept_netiquette(other)
    forum.post_create(actor=other, thread=answered, body="a")
    forum.thread_create(actor=other, space=space, title="Lonely one", body="q")
    page = client.get(space.get_absolute_url(), {"show": "unanswered"}).text
    assert "Lonely one" in page and "Answered one" not in page
    client.force_login(poster)
    mine = client.get(space.get_absolute_url(), {"show": "mine"}).text
    assert "Answered one" in mine and "Lonely one" not in mine


def test_reply_form_posts_and_redirects_to_the_new_post(poster, space, client):
    thread = forum.thread_create(actor=poster, space=space, title="Via form", body="first")
    client.force_login(poster)
    response = client.post(
        reverse("community:reply", args=[thread.pk]),
        {"body": "from the form", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302 and response["Location"].endswith("#post-2")
    empty = client.post(
        reverse("community:reply", args=[thread.pk]), {"body": " ", "client_token": str(uuid.uuid4())}
    )
    assert empty.status_code == 400
    assert Post.objects.filter(thread=thread).count() == 2


def test_mentions_of_existing_members_link_to_their_profile(poster, space):
    other = UserFactory(handle="Lea.Dupont")
    thread = forum.thread_create(
        actor=poster, space=space, title="Mentions", body="Merci @lea.dupont et @personne ! `@lea.dupont`"
    )
    html = thread.posts.get().body_html
    assert f'<a href="/members/id/{other.pk}/" class="mention"' in html
    assert "@personne" in html and "/members/personne/" not in html
    assert "<code>@lea.dupont</code>" in html
    assert other.pk


def test_the_pager_shows_a_window_of_pages_whatever_the_length_of_the_thread():
    from community.views.forum import _pager

    assert _pager(1, 1) == [1]
    assert _pager(1, 3) == [1, 2, 3]
    assert _pager(300, 600) == [1, None, 298, 299, 300, 301, 302, None, 600]
    assert _pager(600, 600) == [1, None, 598, 599, 600]


def test_cached_post_cards_show_edits_deletions_and_best_answers_at_once(poster, space, client):
    helper = UserFactory(display_name="Helpful Henri")
    thread = forum.thread_create(actor=poster, space=space, title="Cards", body="original question")
    answer = forum.post_create(actor=helper, thread=thread, body="first answer")
    url = thread.get_absolute_url()
    assert "original question" in client.get(url).text  # Renders and caches the cards.

    forum.post_edit(actor=poster, post=thread.posts.get(position=1), body="clarified question")
    forum.thread_mark_solution(actor=poster, thread=thread, post=answer)
    page = client.get(url).text
    assert "clarified question" in page and "original question" not in page
    assert "Best answer" in page

    second = forum.post_create(actor=helper, thread=thread, body="second thoughts")
    assert "second thoughts" in client.get(url).text
    helper.display_name = "Henri the Helper"
    helper.save()
    forum.post_delete(actor=helper, post=second)
    page = client.get(url).text
    assert "This post was deleted." in page and "second thoughts" not in page
    assert "Henri the Helper" in page


def test_thread_rows_show_new_replies_at_once(poster, space, client):
    thread = forum.thread_create(actor=poster, space=space, title="Row cache", body="text")
    assert "Row cache" in client.get(space.get_absolute_url()).text
    forum.post_create(actor=UserFactory(), thread=thread, body="a reply")
    forum.thread_update_flags(actor=UserFactory(is_superuser=True), thread=thread, pinned=True)
    page = client.get(space.get_absolute_url()).text
    assert "Pinned" in page and ">1</strong>" in page


def test_home_lists_shared_between_visitors_never_leak_a_staff_thread(member, community_manager, client):
    staff = Space.objects.create(name="Équipe", slug="equipe", visibility=Visibility.STAFF)
    forum.thread_create(actor=community_manager, space=staff, title="Team plans", body="secret")
    client.force_login(community_manager)
    assert "Team plans" in client.get("/").text
    client.force_login(member)
    assert "Team plans" not in client.get("/").text
    client.logout()
    assert "Team plans" not in client.get("/").text


def test_images_in_posts_become_links_so_reading_a_post_sends_no_request(poster, space):
    thread = forum.thread_create(
        actor=poster,
        space=space,
        title="Pictures",
        body="![my code](/invite/ABC/) ![](https://e.test/cat.png)",
    )
    html = thread.posts.get().body_html
    assert "<img" not in html
    assert '<a href="/invite/ABC/" rel="nofollow ugc noopener">my code</a>' in html
    assert '<a href="https://e.test/cat.png" rel="nofollow ugc noopener">https://e.test/cat.png</a>' in html


def test_a_post_removed_by_moderation_cannot_be_rewritten_or_erased_by_its_author(poster, space):
    thread = forum.thread_create(actor=poster, space=space, title="Judged", body="first")
    reply = forum.post_create(actor=poster, thread=thread, body="something rude")
    Post.objects.filter(pk=reply.pk).update(state=PostState.REMOVED)
    reply.refresh_from_db()
    with pytest.raises(PermissionDenied):
        forum.post_edit(actor=poster, post=reply, body="something nice")
    with pytest.raises(PermissionDenied):
        forum.post_delete(actor=poster, post=reply)
    reply.refresh_from_db()
    assert (reply.state, reply.body_md) == (PostState.REMOVED, "something rude")


def test_a_reply_cannot_quote_a_post_others_cannot_see(poster, space):
    thread = forum.thread_create(actor=poster, space=space, title="Quotes", body="first")
    held = forum.post_create(actor=poster, thread=thread, body="held back")
    Post.objects.filter(pk=held.pk).update(state=PostState.PENDING)
    held.refresh_from_db()
    with pytest.raises(ValidationError):
        forum.post_create(actor=UserFactory(), thread=thread, body="about that", reply_to=held)


def test_members_without_a_display_name_show_their_handle_never_their_email(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email="jean.secret@example.com", password="x-long-password")
    assert "jean" not in user.handle and "secret" not in str(user)
    assert str(user) == user.handle


def test_deleting_a_thread_takes_its_replies_out_of_the_counts_and_the_checklist(poster, introductions):
    other = UserFactory()
    thread = forum.thread_create(actor=poster, space=introductions, title="Hello", body="I am new")
    forum.post_create(actor=other, thread=thread, body="welcome!")
    forum.post_create(actor=other, thread=thread, body="and again")
    assert MemberState.objects.get(pk=poster.pk).introduction_id == thread.pk
    forum.post_delete(actor=poster, post=thread.posts.get(position=1))
    introductions.refresh_from_db()
    assert (introductions.thread_count, introductions.post_count) == (0, 0)
    assert MemberState.objects.get(pk=other.pk).post_count == 0
    assert MemberState.objects.get(pk=poster.pk).introduction_id is None


def test_a_mention_link_follows_the_member_after_a_change_of_handle(poster, space, client):
    lea = UserFactory(handle="lea")
    thread = forum.thread_create(actor=poster, space=space, title="Thanks", body="Merci @lea")
    lea.handle = "lea.b"
    lea.save()
    UserFactory(handle="lea")  # Someone else takes the freed handle.
    response = client.get(f"/members/id/{lea.pk}/")
    assert response.status_code == 302 and response["Location"] == reverse(
        "community:profile", args=["lea.b"]
    )
    assert thread.posts.get().body_html.count(f"/members/id/{lea.pk}/") == 1


def test_an_edit_in_a_premoderated_space_is_held_for_review(poster, space, community_manager, client):
    thread = forum.thread_create(actor=poster, space=space, title="Approved", body="first")
    reply = forum.post_create(actor=poster, thread=thread, body="harmless words")
    space.premoderated = True
    space.save()
    forum.post_edit(actor=poster, post=reply, body="now something else")
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.state == PostState.PENDING and thread.post_count == 1
    assert "now something else" not in client.get(thread.get_absolute_url()).text
    team_edit = forum.post_edit(actor=community_manager, post=thread.posts.get(position=1), body="team fix")
    assert team_edit.state == PostState.VISIBLE


def test_a_new_thread_submitted_twice_at_the_same_moment_gives_the_first_thread(poster, space, monkeypatch):
    token = uuid.uuid4()
    first = forum.thread_create(actor=poster, space=space, title="Twice", body="once", client_token=token)
    # The second submit passed the early check before the first committed: only the database sees it.
    monkeypatch.setattr(forum, "_existing_post", lambda client_token: None)
    again = forum.thread_create(actor=poster, space=space, title="Twice", body="once", client_token=token)
    assert again.pk == first.pk
    assert Thread.objects.count() == 1 and Post.objects.count() == 1


def test_the_admin_offers_no_hard_delete_of_threads_posts_or_members(
    poster, space, community_manager, client
):
    thread = forum.thread_create(actor=poster, space=space, title="Keep me", body="counted")
    client.force_login(community_manager)
    for url in (
        reverse("admin:community_thread_delete", args=[thread.pk]),
        reverse("admin:community_post_delete", args=[thread.posts.get().pk]),
        reverse("admin:accounts_user_delete", args=[poster.pk]),
    ):
        assert client.get(url).status_code == 403
    assert Thread.objects.filter(pk=thread.pk).exists()
