"""Reads of the forum shaped for its pages: each costs a fixed number of queries, whatever the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, Model, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from accounts.permissions import Actor, is_community_manager
from community.models import POSTS_PER_PAGE, Post, PostState, Reaction, Space, Thread
from community.permissions import can_see_thread, visible_spaces_q
from moderation.selectors import flagged_by

MEMBER_COUNT_KEY = "community:member-count"
# The thread page's row: the thread, its space and its best answer's position, in one query.
THREAD_PAGE_FIELDS = {
    Thread: (
        "id", "space_id", "title", "author_id", "pinned", "locked", "featured_at", "state", "solution_id",
        "post_count", "last_position", "last_activity_at", "last_poster_id", "view_count", "welcomed_at",
        "archived_at", "version", "created_at",
    ),
    Space: ("id", "name", "slug", "visibility", "premoderated", "is_introductions"),
    Post: ("id", "thread_id", "position"),
}  # fmt: skip
POST_LIST_FIELDS = (
    "id", "thread_id", "position", "state", "removed_rule", "author_id", "reply_to_id", "body_html",
    "like_count", "helpful_count", "edited_at", "created_at", "is_first_of_member", "language",
    "author__id", "author__display_name", "author__email", "author__handle", "author__avatar_version",
    "reply_to__id", "reply_to__thread_id", "reply_to__position", "reply_to__author__id",
    "reply_to__author__handle",
)  # fmt: skip
# What a member's overlay of a thread page needs of each post (and of the thread, to check access).
OVERLAY_FIELDS = (
    "id", "thread_id", "position", "state", "author_id", "edited_at", "like_count", "helpful_count",
    # For the member's own held posts, drawn whole.
    "created_at", "is_first_of_member", "reply_to_id", "removed_rule", "language",
    *(f"thread__{name}" for name in THREAD_PAGE_FIELDS[Thread]),
    *(f"thread__space__{name}" for name in THREAD_PAGE_FIELDS[Space]),
)  # fmt: skip
THREADS_PER_PAGE = 30
LIST_FIELDS = (
    "id", "title", "pinned", "locked", "featured_at", "state", "solution_id", "post_count", "last_position",
    "last_activity_at", "archived_at", "created_at", "view_count",
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


def _published() -> QuerySet[Thread]:
    return Thread.objects.filter(state=PostState.VISIBLE)


def published_threads() -> QuerySet[Thread]:
    """Published threads, archived or not, with what a list's row shows."""
    return _published().select_related("space", "author", "last_poster").only(*LIST_FIELDS)


def readable_threads(user: Actor) -> QuerySet[Thread]:
    """Every thread the person may read, archived or not, as can_see_thread decides of one (but an
    author's own held thread): bare, for the caller to shape (the sitemap reads two columns)."""
    return _published().filter(visible_spaces_q(user, prefix="space__"))


def _active_threads() -> QuerySet[Thread]:
    """Published threads still open: the lists of active threads (their indexes are partial on it)."""
    return published_threads().filter(archived_at__isnull=True)


def _thread_list(user: Actor) -> QuerySet[Thread]:
    return _active_threads().filter(visible_spaces_q(user, prefix="space__"))


def featured_threads(user: Actor, limit: int = 4) -> list[Thread]:
    """The team's featured threads in the spaces the reader may read (index community_thread_featured)."""
    return list(_thread_list(user).filter(featured_at__isnull=False).order_by("-featured_at")[:limit])


def recent_threads(user: Actor, limit: int = 10) -> list[Thread]:
    """The latest discussions in the spaces the reader may read (index community_thread_recent)."""
    return list(_thread_list(user).order_by("-last_activity_at")[:limit])


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


def space_thread_queryset(space: Space) -> QuerySet[Thread]:
    """The active threads of a space the caller has checked access to (access_space)."""
    return _active_threads().filter(space=space)


def _attnames(model, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """In the model's field order, as from_db() reads values."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


THREAD_PAGE_COLUMNS = {model: _attnames(model, names) for model, names in THREAD_PAGE_FIELDS.items()}
# Built once from the models' metadata, never from input.
THREAD_PAGE_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(
        f"{alias}.{field.column}"
        for model, alias in ((Thread, "t"), (Space, "s"), (Post, "p"))
        for field in model._meta.concrete_fields
        if field.attname in THREAD_PAGE_COLUMNS[model]
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
    objects: list[Model | None] = []
    start = 0
    for model, names in THREAD_PAGE_COLUMNS.items():
        values = row[start : start + len(names)]
        objects.append(model.from_db(connection.alias, names, values) if values[0] is not None else None)
        start += len(names)
    # The row always has the thread and its space (an inner join); the best answer may be missing.
    thread, space, solution = cast("tuple[Thread, Space, Post | None]", tuple(objects))
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


def _page_range(page: int) -> dict:
    first = (page - 1) * POSTS_PER_PAGE + 1
    return {"position__gte": first, "position__lt": first + POSTS_PER_PAGE}


def _with_marks(posts: QuerySet[Post], user: User) -> QuerySet[Post]:
    """Each post with the reactions the member gave it (`my_kinds`) and whether they flagged it."""
    kinds = Reaction.objects.filter(post=OuterRef("pk"), user_id=user.pk).values("kind")
    return posts.annotate(my_kinds=ArraySubquery(kinds), flagged=flagged_by(user, "post", OuterRef("pk")))


def thread_posts(user: Actor, thread: Thread, page: int) -> list[Post]:
    """The posts of one page as this reader sees them: a range of positions, so page 500 costs what
    page 1 costs; for a member, with their reactions and flags (one query in all).

    The LIMIT changes no result but the plan: PostgreSQL cannot know that positions 1–20 of a long
    thread are 20 rows (every thread has them), estimates thousands and hashes the whole user table
    (66 ms instead of 0.3 ms on page 1 of a 12,000-post thread in the large seed).
    """
    posts = Post.objects.filter(thread=thread, **_page_range(page))
    if not is_community_manager(user):
        # Others' held posts are not shown; the author sees theirs as "awaiting review".
        mine = Q(author_id=user.pk) if user.is_authenticated else Q(pk__in=[])
        posts = posts.filter(~Q(state=PostState.PENDING) | mine)
    if user.is_authenticated:
        posts = _with_marks(posts, user)
    posts = posts.select_related("author", "reply_to__author").only(*POST_LIST_FIELDS)
    return list(posts.order_by("position")[:POSTS_PER_PAGE])


def thread_overlay_posts(user: User, thread_id: int, page: int) -> list[Post]:
    """For a member's overlay of a shared thread page: the page's posts with the thread (access checked
    here: 404 for a missing or forbidden thread and a page past its end alike), the member's reactions
    and flags, and the text of their own held posts only. One query."""
    posts = Post.objects.filter(thread_id=thread_id, **_page_range(page)).select_related("thread__space")
    held = Q(state=PostState.PENDING, author_id=user.pk)
    posts = _with_marks(posts, user).annotate(
        held_html=Case(When(held, then=F("body_html")), default=Value(""), output_field=TextField())
    )
    rows: list[Post] = list(posts.only(*OVERLAY_FIELDS).order_by("position")[:POSTS_PER_PAGE])
    if not rows or not can_see_thread(user, rows[0].thread):
        raise Http404
    return rows


def post_with_marks(user: User, pk: int) -> Post:
    """A post's reaction counts with the member's own reactions and flag (after a reaction)."""
    posts = _with_marks(Post.objects.filter(pk=pk), user)
    return posts.only("id", "author_id", "state", "like_count", "helpful_count").get()


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
        Thread.objects.filter(
            space__is_introductions=True,
            state=PostState.VISIBLE,
            welcomed_at__isnull=True,
            archived_at__isnull=True,  # closed to replies, the welcome among them
        )
        .select_related("author", "space")
        .only(*LIST_FIELDS, "welcomed_at")
        .order_by("created_at")[:limit]
    )


# Feeds -------------------------------------------------------------------------------------------

FEED_ITEMS = 50
FEED_AUTHOR_FIELDS = ("author__id", "author__display_name", "author__handle", "author__is_active")


def space_new_threads(space: Space, limit: int = FEED_ITEMS) -> list[Thread]:
    """A space's latest published threads, newest first, each with its opening post's HTML
    (`opening_html`, empty when that post is not shown) and edit time: the space's feed, one query
    (index community_thread_started; the opening post by the thread's position index). The caller
    has checked access to the space."""
    opening = Post.objects.filter(thread=OuterRef("pk"), position=1, state=PostState.VISIBLE)
    threads = (
        _published()
        .filter(space=space)
        .annotate(
            opening_html=Coalesce(
                Subquery(opening.values("body_html")[:1]), Value(""), output_field=TextField()
            ),
            opening_edited_at=Subquery(opening.values("edited_at")[:1]),
        )
        .select_related("author")
        .only("id", "title", "created_at", "author_id", *FEED_AUTHOR_FIELDS)
        .order_by("-created_at", "-id")
    )
    return list(threads[:limit])


def thread_feed_posts(thread: Thread, limit: int = FEED_ITEMS) -> list[Post]:
    """The thread's latest published posts, newest first: the thread's feed, one query (the position
    index, backwards). Held, removed and deleted posts are not syndicated: a visitor sees no text of
    theirs on the thread's pages either. The caller has checked access to the thread."""
    posts = (
        Post.objects.filter(thread=thread, state=PostState.VISIBLE)
        .select_related("author")
        .only("id", "thread_id", "position", "body_html", "created_at", "edited_at", *FEED_AUTHOR_FIELDS)
        .order_by("-position")
    )
    return list(posts[:limit])
