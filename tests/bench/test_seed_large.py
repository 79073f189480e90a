"""seed_demo: the small living community (once) and the large COPY load (tried here at a tiny size)."""

from __future__ import annotations

import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from bench.seed_large import thread_sizes
from community.models import MemberState, Notification, Post, Reaction, Space, Thread, Visibility
from community.text import render_markdown

pytestmark = pytest.mark.django_db

TINY = {"members": 200, "threads": 100, "posts": 2000}
# Tests run with DEBUG off, as Django's test runner does: the large path needs --force there.
LARGE = {"scale": "large", "force": True, "verbosity": 0, **TINY}

# Each query counts the rows whose denormalised values disagree with the rows they summarise.
CONSISTENCY = {
    "thread counters": """
        SELECT count(*) FROM community_thread t
        LEFT JOIN (SELECT thread_id, count(*) FILTER (WHERE state = 'visible') AS n, max(position) AS last,
                          max(created_at) AS last_at
                   FROM community_post GROUP BY thread_id) s ON s.thread_id = t.id
        WHERE t.post_count <> coalesce(s.n, 0) OR t.last_position <> coalesce(s.last, 0)
           OR t.last_activity_at <> s.last_at""",
    "dense positions": """
        SELECT count(*) FROM (SELECT thread_id FROM community_post GROUP BY thread_id
                              HAVING min(position) <> 1 OR max(position) <> count(*)) x""",
    "last poster": """
        SELECT count(*) FROM community_thread t
        JOIN community_post p ON p.thread_id = t.id AND p.position = t.last_position
        WHERE t.last_poster_id IS DISTINCT FROM p.author_id""",
    "space counters": """
        SELECT count(*) FROM community_space sp
        LEFT JOIN (SELECT space_id, count(*) AS n, sum(post_count) AS posts, max(last_activity_at) AS last_at
                   FROM community_thread WHERE state = 'visible' GROUP BY space_id) s ON s.space_id = sp.id
        WHERE sp.thread_count <> coalesce(s.n, 0) OR sp.post_count <> coalesce(s.posts, 0)
           OR sp.last_activity_at IS DISTINCT FROM s.last_at""",
    "member post counts": """
        SELECT count(*) FROM community_memberstate m
        LEFT JOIN (SELECT author_id, count(*) AS n FROM community_post WHERE state = 'visible'
                   GROUP BY author_id) s ON s.author_id = m.user_id
        WHERE m.post_count <> coalesce(s.n, 0)""",
    "reaction counters": """
        SELECT count(*) FROM community_post p
        LEFT JOIN (SELECT post_id, count(*) FILTER (WHERE kind = 'like') AS likes,
                          count(*) FILTER (WHERE kind = 'helpful') AS helpful
                   FROM community_reaction GROUP BY post_id) r ON r.post_id = p.id
        WHERE p.like_count <> coalesce(r.likes, 0) OR p.helpful_count <> coalesce(r.helpful, 0)""",
    "solutions outside their thread": """
        SELECT count(*) FROM community_thread t JOIN community_post p ON p.id = t.solution_id
        WHERE p.thread_id <> t.id OR p.position = 1""",
    "first posts of members": """
        SELECT count(*) FROM (SELECT author_id FROM community_post WHERE author_id IS NOT NULL
                              GROUP BY author_id
                              HAVING count(*) FILTER (WHERE is_first_of_member) <> 1) x""",
}


def inconsistencies() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name, sql in CONSISTENCY.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    return {name: count for name, count in found.items() if count}


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Space, Thread, Post, Reaction, Notification, MemberState)
    }


def test_small_seed_creates_a_living_community_once_with_consistent_counters():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)

    assert snapshot() == first
    assert first["Space"] == 8
    assert first["Thread"] >= 25
    assert first["Post"] >= 110
    assert inconsistencies() == {}
    assert Space.objects.get(slug="presentations").is_introductions
    assert Space.objects.get(slug="ambassadeurs").visibility == Visibility.MEMBERS
    assert Space.objects.get(slug="equipe").visibility == Visibility.STAFF
    assert all(space.objective for space in Space.objects.all())


def test_small_seed_has_pinned_featured_and_solved_threads_reactions_and_an_introduction():
    call_command("seed_demo", verbosity=0)

    assert Thread.objects.filter(pinned=True).exists()
    assert Thread.objects.filter(featured_at__isnull=False).exists()
    assert Thread.objects.filter(solution__isnull=False).count() >= 3
    assert Reaction.objects.count() >= 20
    member = User.objects.get(email="member@example.com")
    introduction = member.community_state.introduction
    assert introduction.space.slug == "presentations"
    assert introduction.welcomed_at is not None
    assert introduction.posts.get(position=1).is_first_of_member
    assert Post.objects.filter(language="en").exists()
    html = "".join(Post.objects.values_list("body_html", flat=True))
    for tag in ("<ul>", "<ol>", "<strong>", "<pre><code", 'rel="nofollow ugc noopener"'):
        assert tag in html
    # Backdated over the last weeks, oldest thread first.
    dates = Thread.objects.order_by("created_at").values_list("created_at", flat=True)
    assert (dates.last() - dates.first()).days >= 30


def test_large_seed_loads_members_threads_and_posts_with_consistent_counters_and_positions():
    call_command("seed_demo", verbosity=0)
    before = snapshot()
    call_command("seed_demo", **LARGE)
    after = snapshot()

    assert after["User"] - before["User"] == TINY["members"]
    assert after["Thread"] - before["Thread"] == TINY["threads"]
    assert after["Post"] - before["Post"] == TINY["posts"]
    assert after["Space"] >= 10
    assert after["Reaction"] > before["Reaction"] and after["Notification"] > before["Notification"]
    assert inconsistencies() == {}
    assert Thread.objects.order_by("-post_count").first().post_count > 20
    assert Thread.objects.filter(solution__isnull=False, author__email__startswith="user").exists()
    assert MemberState.objects.filter(introduction__isnull=False).count() > 1
    # Members can sign in with the printed password.
    assert User.objects.get(email="user1@example.com").check_password("agora-bench")


def test_large_seed_stores_exactly_the_html_that_render_markdown_gives():
    call_command("seed_demo", **LARGE)

    sample = Post.objects.filter(author__email__regex=r"^user\d+@example\.com$").order_by("?")[:300]
    for post in sample:
        assert post.body_html == render_markdown(post.body_md)


def test_large_seed_run_twice_changes_nothing():
    call_command("seed_demo", **LARGE)
    first = snapshot()
    call_command("seed_demo", **LARGE)

    assert snapshot() == first


def test_large_seed_is_refused_when_debug_is_off_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", scale="large", verbosity=0, **TINY)
    assert not User.objects.filter(email="user1@example.com").exists()


def test_thread_sizes_at_full_scale_are_skewed_and_add_up():
    sizes = thread_sizes(threads=50_000, posts=1_000_000, rng=random.Random(1))
    everything = [size for kind in sizes.values() for size in kind]

    assert len(everything) == 50_000
    assert sum(everything) == 1_000_000
    assert sum(1 for size in everything if size <= 20) / len(everything) > 0.9
    assert 100 <= sum(1 for size in everything if 500 <= size <= 5000) <= 400
    assert sum(1 for size in everything if size >= 5000) >= 3
