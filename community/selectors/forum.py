"""Reads of the forum shaped for its pages: each costs a fixed number of queries, whatever the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.permissions import Actor, is_community_manager
from community.fragments import digest
from community.models import POSTS_PER_PAGE, Post, PostState, Reaction, Space, Thread, thread_row_key
from community.permissions import can_see_thread, visible_spaces_q
from config.cache import copy_read
from moderation.selectors import FLAGGED_ITEMS_SQL, flagged_items, flagged_items_key

MEMBER_COUNT_KEY = "community:member-count"
# The thread page's row: the thread, its space and its best answer's position, in one query.
THREAD_PAGE_FIELDS = {
    Thread: (
        "id", "space_id", "title", "author_id", "pinned", "locked", "featured_at", "state", "solution_id",
        "post_count", "last_position", "last_activity_at", "last_poster_id", "view_count", "welcomed_at",
        "content_version", "created_at",
    ),
    Space: ("id", "name", "slug", "visibility", "premoderated", "is_introductions"),
    Post: ("id", "thread_id", "position"),
}  # fmt: skip
POST_LIST_FIELDS = (
    "id", "thread_id", "position", "state", "removed_rule", "author_id", "reply_to_id", "like_count",
    "helpful_count", "edit_count", "edited_at", "created_at", "is_first_of_member",
    "author__id", "author__display_name", "author__email", "author__handle", "author__avatar_version",
)  # fmt: skip
THREADS_PER_PAGE = 30
LIST_FIELDS = (
    "id", "title", "pinned", "locked", "featured_at", "state", "solution_id", "post_count", "last_position",
    "last_activity_at", "created_at", "view_count",
    "space__name", "space__slug", "space__colour", "space__icon",
    "author__id", "author__display_name", "author__email", "author__handle", "author__avatar_version",
    "last_poster__id", "last_poster__display_name", "last_poster__email", "last_poster__handle",
)  # fmt: skip


def member_count() -> int:
    """Active members, cached for a minute: the home page shows it to everyone."""
    count = cache.get(MEMBER_COUNT_KEY)
    if count is None:
        count = get_user_model().objects.filter(is_active=True).count()
        cache.set(MEMBER_COUNT_KEY, count, timeout=60)
    return count


def space_list(user: Actor) -> list[Space]:
    return list(Space.objects.filter(visible_spaces_q(user)).order_by("order", "name"))


def access_space(user: Actor, slug: str) -> Space:
    """The space, or 404 for a missing and a forbidden one alike."""
    space = Space.objects.filter(visible_spaces_q(user), slug=slug).first()
    if space is None:
        raise Http404
    return space


def _thread_list(user: Actor) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(visible_spaces_q(user, prefix="space__"), state=PostState.VISIBLE)
        .select_related("space", "author", "last_poster")
        .only(*LIST_FIELDS)
    )


HOME_LISTS_TTL = 20


def _audience(user: Actor) -> str:
    """Who sees which spaces: the home lists are the same for everyone in one audience."""
    if is_community_manager(user):
        return "team"
    return "members" if user.is_authenticated else "public"


def featured_threads(user: Actor, limit: int = 4) -> list[Thread]:
    """The team's featured threads; shared by an audience for a few seconds (the home is the busiest page)."""
    return cache.get_or_set(
        f"community:home:featured:{_audience(user)}",
        lambda: list(_thread_list(user).filter(featured_at__isnull=False).order_by("-featured_at")[:limit]),
        HOME_LISTS_TTL,
    )


def recent_threads(user: Actor, limit: int = 10) -> list[Thread]:
    """The latest discussions; shared by an audience for a few seconds, like the featured ones."""
    return cache.get_or_set(
        f"community:home:recent:{_audience(user)}",
        lambda: list(_thread_list(user).order_by("-last_activity_at")[:limit]),
        HOME_LISTS_TTL,
    )


@dataclass
class ThreadPage:
    threads: list[Thread]
    next_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[bool, datetime, int] | None:
    """A cursor is "pinned|iso-date|id" of the last thread shown: pages are keyset slices, no OFFSET."""
    if not cursor:
        return None
    try:
        pinned, when, pk = cursor.split("|")
        return pinned == "1", datetime.fromisoformat(when), int(pk)
    except ValueError:
        return None


def space_threads(queryset: QuerySet[Thread], cursor: str | None) -> ThreadPage:
    """A page of a space's threads: pinned first, then latest activity (index community_thread_space_list)."""
    after = _parse_cursor(cursor)
    if after is not None:
        pinned, when, pk = after
        keyset = Q(pinned=pinned, last_activity_at__lt=when) | Q(
            pinned=pinned, last_activity_at=when, id__lt=pk
        )
        if pinned:
            keyset |= Q(pinned=False)
        queryset = queryset.filter(keyset)
    rows = list(queryset.order_by("-pinned", "-last_activity_at", "-id")[: THREADS_PER_PAGE + 1])
    next_cursor = None
    if len(rows) > THREADS_PER_PAGE:
        rows = rows[:THREADS_PER_PAGE]
        last = rows[-1]
        next_cursor = f"{int(last.pinned)}|{last.last_activity_at.isoformat()}|{last.pk}"
    return ThreadPage(threads=rows, next_cursor=next_cursor)


def space_thread_queryset(user: Actor, space: Space) -> QuerySet[Thread]:
    return _thread_list(user).filter(space=space)


def _attnames(model, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """In the model's field order, as from_db() reads values."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


THREAD_PAGE_COLUMNS = {model: _attnames(model, names) for model, names in THREAD_PAGE_FIELDS.items()}
# Built once from the models' metadata, never from input.
THREAD_PAGE_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(
        f"{alias}.{model._meta.get_field(name).column}"
        for model, alias in ((Thread, "t"), (Space, "s"), (Post, "p"))
        for name in THREAD_PAGE_COLUMNS[model]
    )
    + f" FROM {Thread._meta.db_table} t JOIN {Space._meta.db_table} s ON s.id = t.space_id"
    + f" LEFT JOIN {Post._meta.db_table} p ON p.id = t.solution_id WHERE t.id = %s"
)


def _thread_row(pk: int) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(THREAD_PAGE_SQL, [pk])
        return cursor.fetchone()


def _visible_thread(user: Actor, row: tuple | None) -> Thread:
    if row is None:
        raise Http404
    objects, start = [], 0
    for model, names in THREAD_PAGE_COLUMNS.items():
        values = row[start : start + len(names)]
        objects.append(model.from_db(connection.alias, names, values) if values[0] is not None else None)
        start += len(names)
    thread, space, solution = objects
    thread.space, thread.solution = space, solution
    if not can_see_thread(user, thread):
        raise Http404
    return thread


def access_thread(user: Actor, pk: int) -> Thread:
    """The thread with its space and best answer, or 404 for a missing and a forbidden one alike.

    Written as SQL and built with from_db(): every thread page and action starts here, and the ORM's
    compiling and select_related population cost 0.5 ms of the 0.8 ms this took (docs/benchmarks.md).
    """
    return _visible_thread(user, _thread_row(pk))


# A copy made for other columns (before a deploy) is not used.
THREAD_ROW_SCHEMA = digest(THREAD_PAGE_SQL)


def access_thread_copied(user: Actor, pk: int, *, found: dict) -> Thread:
    """access_thread from the row's copy in Redis (`found`: read by the caller in its own round trip,
    under thread_row_key(pk)); the query only when there is none. Writes to the thread or its space
    mark the copy changed (community.models)."""
    copy = copy_read(
        found,
        thread_row_key(pk),
        lambda: (row := _thread_row(pk)) and (THREAD_ROW_SCHEMA, row),
        usable=lambda copy: copy[0] == THREAD_ROW_SCHEMA,
    )
    return _visible_thread(user, copy[1] if copy else None)


def thread_posts(user: Actor, thread: Thread, page: int, *, every_state: bool = False) -> list[Post]:
    """The posts of one page: a range of positions, so page 500 costs what page 1 costs.

    The LIMIT changes no result but the plan: PostgreSQL cannot know that positions 1–20 of a long
    thread are 20 rows (every thread has them), estimates thousands and hashes the whole user table
    (66 ms instead of 0.3 ms on page 1 of a 12,000-post thread in the large seed).

    `every_state` includes others' held posts, for a page kept for every member (its footers leave them
    out: community/post_list.py).
    """
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = Post.objects.filter(thread=thread, position__gte=first, position__lt=first + POSTS_PER_PAGE)
    if not (every_state or is_community_manager(user)):
        # Others' held posts are not shown; the author sees theirs as "awaiting review".
        mine = Q(author_id=user.pk) if user.is_authenticated else Q(pk__in=[])
        posts = posts.filter(~Q(state=PostState.PENDING) | mine)
    # Only what the page needs around the cached cards; cards not cached yet load their text with
    # post_cards_source() in one more query.
    return list(posts.select_related("author").only(*POST_LIST_FIELDS).order_by("position")[:POSTS_PER_PAGE])


def post_cards_source(posts: list[Post]) -> list[Post]:
    """The same posts with their text and quoted post, to render the cards the cache did not have."""
    full = (
        Post.objects.filter(pk__in=[post.pk for post in posts])
        .select_related("author", "reply_to__author")
        .defer("search_vector", "reply_to__body_md", "reply_to__body_html", "reply_to__search_vector")
        .in_bulk()
    )
    return [full[post.pk] for post in posts]


FLAGGED = "flagged"
# On every signed-in thread page: SQL rather than the ORM's 0.25 ms of compiling (docs/benchmarks.md).
MY_REACTIONS_SQL = (
    f"SELECT post_id, kind FROM {Reaction._meta.db_table} "  # noqa: S608
    f"WHERE user_id = %s AND post_id = ANY(%s::bigint[]) UNION ALL {FLAGGED_ITEMS_SQL}"
)


def my_reactions(user: Actor, posts: list) -> set[tuple[int, str]]:
    """The (post, kind) reactions the member gave to these posts, and (kind "flagged") the posts they
    flagged: one query."""
    if not user.is_authenticated or not posts:
        return set()
    ids = [post.pk for post in posts]
    with connection.cursor() as cursor:
        cursor.execute(MY_REACTIONS_SQL, [user.pk, ids, FLAGGED, user.pk, "post", ids])
        return set(cursor.fetchall())


THREAD_MARKS_SQL = (
    f"SELECT r.post_id, r.kind FROM {Reaction._meta.db_table} r "  # noqa: S608
    f"JOIN {Post._meta.db_table} p ON p.id = r.post_id WHERE r.user_id = %s AND p.thread_id = %s"
)


def thread_marks_key(user_id: int, thread_id: int) -> str:
    return f"community:thread-marks:{user_id}:{thread_id}"


def thread_marks_keys(user: Actor, thread_id: int) -> list[str]:
    return [thread_marks_key(user.pk, thread_id), flagged_items_key(user.pk)]


def thread_marks(user: Actor, thread_id: int, *, found: dict) -> set[tuple[int, str]]:
    """my_reactions for a whole thread, from copies in Redis (`found`: read by the caller under
    thread_marks_keys()): the member's reactions in the thread, and (kind "flagged") the posts they
    flagged. A reaction marks the member's copy changed (services.forum.reaction_toggle)."""

    def load() -> frozenset:
        with connection.cursor() as cursor:
            cursor.execute(THREAD_MARKS_SQL, [user.pk, thread_id])
            return frozenset(cursor.fetchall())

    reactions = copy_read(found, thread_marks_key(user.pk, thread_id), load)
    flagged = flagged_items(user.pk, found=found)
    return {*reactions, *((pk, FLAGGED) for kind, pk in flagged if kind == "post")}


def access_post(user: Actor, pk: int) -> Post:
    post = Post.objects.select_related("thread__space", "author").filter(pk=pk).first()
    if post is None or not can_see_thread(user, post.thread):
        raise Http404
    if post.state == PostState.PENDING and not (is_community_manager(user) or post.author_id == user.pk):
        raise Http404
    return post


def post_revisions(post: Post) -> list:
    return list(post.revisions.select_related("edited_by").order_by("-created_at"))


def introductions_to_welcome(limit: int = 50) -> list[Thread]:
    """Newcomers' introductions nobody from the team has welcomed yet, oldest first."""
    return list(
        Thread.objects.filter(space__is_introductions=True, state=PostState.VISIBLE, welcomed_at__isnull=True)
        .select_related("author", "space")
        .only(*LIST_FIELDS, "welcomed_at")
        .order_by("created_at")[:limit]
    )
