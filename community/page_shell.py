"""Members' thread pages, kept rendered with holes for what is the member's own.

A thread page is the same for every signed-in member but for a few parts: their name and unread
notifications in the header, each post's actions (their reactions, their edit links) and the form tokens.
The page is rendered once and kept in Redis (and in the processes that serve it) as text split at those
holes; a request fills them instead of rendering the whole page.

A kept page is keyed by the path, language, time zone, branding and which links the member's roles add
to the navigation; it records the thread's row it was rendered from (its content version is bumped by
every write that changes how one of its posts looks: community.services.forum.thread_content_changed) and
the members' profiles epoch (accounts.backends.profiles_changed), both checked on read. The thread's row,
the member's reactions in the thread and their flags are read from copies in Redis (config.cache:
writes mark them changed), in the same round trip as the page: a kept page costs no query. Each post is
kept drawn as any member sees it; only the member's own posts, those they reacted to or flagged, and (in
their own thread) all of them are drawn for the request. Only members who may post use kept pages (then
whether they may reply depends on the thread alone); the team, members with a message to read or the
netiquette to accept, and quote links get the page rendered.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, engines
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.backends import PROFILES_EPOCH_KEY
from accounts.permissions import is_community_manager
from community.fragments import digest
from community.models import Post, PostState, Thread, thread_row_key
from community.permissions import can_flag_thread
from community.post_list import PostListRenderer
from community.selectors.forum import access_thread_copied, thread_marks, thread_marks_keys
from community.selectors.notifications import unread_cache_key, unread_count
from community.services.thread_views import thread_viewed
from config.context_processors import site as site_context
from config.pagecache import pending_messages
from moderation.permissions import member_can_post, standing_keys
from moderation.selectors import unread_notice_count, unread_notices_key

# Comments: sanitised user HTML has none, and titles and names are escaped, so nothing else looks like them.
_HOLE_NAMES = ("posts", "bell", "name", "threadflag", "nonce", "token", "client")
_MARKERS = [f"<!--agora:{hole}-->" for hole in _HOLE_NAMES]
POSTS, BELL, NAME, THREAD_FLAG, NONCE, TOKEN, CLIENT = _MARKERS
HOLES = re.compile("(" + "|".join(map(re.escape, _MARKERS)) + ")")


@dataclass(slots=True)
class PostSlot:
    """What a post's footer needs, kept with the page (a model instance would cost more to unpickle)."""

    pk: int
    position: int
    state: str
    author_id: int | None
    like_count: int
    helpful_count: int
    edited_at: object
    card: str
    thread: object = None

    @classmethod
    def of(cls, post: Post) -> PostSlot:
        return cls(
            post.pk,
            post.position,
            post.state,
            post.author_id,
            post.like_count,
            post.helpful_count,
            post.edited_at,
            str(post.card),
        )


@dataclass(slots=True)
class Shell:
    parts: list[str]  # text and holes, alternating (HOLES.split)
    posts: list[PostSlot]
    generic: list[str]  # each post as a member sees another's post they did not react to ("": not shown)
    thread_flag: str
    version: str  # the thread's row it was rendered from
    epoch: object


# In the key: shells kept by a release with other fields are not unpickled by this one.
SHELL_FORMAT = digest(*Shell.__slots__, *PostSlot.__slots__)


@dataclass(slots=True)
class Kept:
    """A kept page, or (response None) the thread and page to render for a member who may not post."""

    response: HttpResponse | None
    thread: Thread
    page: int


def candidate(request: HttpRequest) -> bool:
    """Whether this request may be served from a kept page, as far as the request alone tells."""
    user = request.user
    return (
        settings.KEPT_PAGE_SECONDS > 0
        and request.method == "GET"
        and user.is_authenticated
        # Only the page number varies: other query strings (a quote link, anything made up) would each
        # keep a page of their own.
        and set(request.GET) <= {"page"}
        and not getattr(request, "htmx", False)
        and not is_community_manager(user)
        and not pending_messages(request)
    )


def _key(request: HttpRequest, pk: int) -> str:
    site = site_context(request)
    branding = site["branding"]
    version = digest(
        request.get_full_path(), branding.name, branding.tagline, branding.brand_colour,
        site["nav_can_admin"], site["nav_can_reporting"], site["nav_can_welcome"],
    )  # fmt: skip
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    return f"community:thread-page:{_templates_version()}:{SHELL_FORMAT}:{language}:{zone}:{pk}:{version}"


def _row_version(thread: Thread) -> str:
    """What the page shows of the thread's row (content_version: of its posts)."""
    solution_position = thread.solution.position if thread.solution_id else None
    space = thread.space
    return digest(
        thread.content_version, thread.last_position, thread.title, thread.state, thread.pinned,
        thread.locked, thread.featured_at, thread.solution_id, solution_position, space.name, space.slug,
    )  # fmt: skip


@functools.cache
def _templates_version() -> str:
    """The project's templates, hashed once per process: a deploy that changes them keeps new pages."""
    base = Path(settings.BASE_DIR)
    folders = [*engines["django"].engine.dirs, *get_app_template_dirs("templates")]
    ours = {
        Path(folder) for folder in folders if Path(folder).is_relative_to(base) and ".venv" not in str(folder)
    }
    return digest(*(path.read_bytes() for folder in sorted(ours) for path in sorted(folder.rglob("*.html"))))


def thread_page(
    request: HttpRequest,
    pk: int,
    *,
    page_number: Callable[[Thread], int],
    build: Callable[[Thread, int], tuple[HttpResponse, list[Post]]],
    renderer: Callable[[Thread, int, str, bool], PostListRenderer],
) -> Kept:
    """The page from its kept shell, or built and kept. The view is counted.

    One Redis round trip reads the thread's row, the member's reactions and flags, unread counts and
    standing, the shell unless this process holds it (_LocalShells), and counts the view: a page kept
    and copies in place cost no query.
    `build(thread, page)` renders the page in shell mode (`shell` on, holes in place) and returns it
    with its posts (every state: the footers leave out others' held posts); `renderer(thread, page,
    token, generic)` draws posts' footers, as the member sees them or (generic) as any member does who
    neither wrote nor reacted to them.
    """
    user = request.user
    key, epoch_key = _key(request, pk), PROFILES_EPOCH_KEY
    unread_key, notices_key = unread_cache_key(user.pk), unread_notices_key(user.pk)
    local = _local_shells.get(key)
    found = cache.get_many_piped(
        [epoch_key, thread_row_key(pk), *thread_marks_keys(user, pk), unread_key, notices_key]
        + standing_keys(user)
        + ([] if local else [key]),
        also=lambda pipeline: thread_viewed(pk, pipeline=pipeline),
    )
    try:
        thread = access_thread_copied(user, pk, found=found)
        page = page_number(thread)
    except Http404:
        thread_viewed(pk, count=-1)  # Counted in the round trip above, for a page that is not shown.
        raise
    # Whether the member may reply then depends on the thread alone (community.permissions.replies_open).
    if not member_can_post(user, found=found):
        return Kept(None, thread, page)
    epoch, version = found.get(epoch_key), _row_version(thread)
    shell = local or found.get(key)
    if local is not None and not _current(local, version, epoch):
        shell = cache.get(key)  # Another process may have drawn it again already.
    nonce = str(request.csp_nonce)
    if _current(shell, version, epoch):
        if shell is not local:
            _local_shells.keep(key, shell)
    else:
        response, posts = build(thread, page)
        text = response.content.decode().replace(nonce, NONCE)
        slots = [PostSlot.of(post) for post in posts]
        for slot in slots:
            slot.thread = thread
        generic = renderer(thread, page, TOKEN, True).items(slots, frozenset())
        for slot in slots:
            slot.thread = None  # Not kept: set again from the request's thread (_posts).
        shell = Shell(HOLES.split(text), slots, generic, _thread_flag(thread), version, epoch)
        cache.set(key, shell, timeout=settings.KEPT_PAGE_SECONDS)
        _local_shells.keep(key, shell)
    token = get_token(request)
    mine = thread_marks(user, pk, found=found)
    posts = _posts(shell, thread, user.pk, mine, lambda: renderer(thread, page, token, False))
    fills = {
        POSTS: posts.replace(TOKEN, token),
        BELL: _bell(request, found),
        NAME: escape(user.public_name),
        THREAD_FLAG: shell.thread_flag if can_flag_thread(user, thread) else "",
        NONCE: nonce,
        TOKEN: token,
        CLIENT: str(uuid.uuid4()),
    }
    return Kept(HttpResponse("".join(fills.get(part, part) for part in shell.parts)), thread, page)


def _current(shell: Shell | None, version: str, epoch: object) -> bool:
    return shell is not None and shell.version == version and shell.epoch == epoch


class _LocalShells:
    """The last shells this process served, by their Redis key: a shell is 60 KB to read from Redis and
    unpickle, on every request. A local shell is checked against the thread's row and the profiles epoch
    like one from Redis, so it is exactly as fresh, and lives no longer (KEPT_PAGE_SECONDS)."""

    def __init__(self, size: int) -> None:
        self.size, self.shells, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> Shell | None:
        key = cache.make_key(key)  # With the cache's prefix: tests have their own.
        with self.lock:
            shell, until = self.shells.get(key, (None, 0.0))
            if shell is None or until < time.monotonic():
                return None
            self.shells.move_to_end(key)
            return shell

    def keep(self, key: str, shell: Shell) -> None:
        key = cache.make_key(key)
        with self.lock:
            self.shells[key] = (shell, time.monotonic() + settings.KEPT_PAGE_SECONDS)
            self.shells.move_to_end(key)
            while len(self.shells) > self.size:
                self.shells.popitem(last=False)


_local_shells = _LocalShells(size=128)


def _posts(
    shell: Shell, thread: Thread, user_id: int, mine: set, draw: Callable[[], PostListRenderer]
) -> str:
    """The generic drawing of each post, but for the member's own posts and those they reacted to or
    flagged (all of them in the member's own thread: the best answer's buttons), drawn by `draw()`'s
    renderer, made only when one is needed."""
    own = {pk for pk, _kind in mine}
    renderer, items = None, []
    for slot, generic in zip(shell.posts, shell.generic, strict=True):
        if thread.author_id == user_id or slot.author_id == user_id or slot.pk in own:
            renderer = renderer or draw()
            slot.thread = thread  # The same row for every request this shell serves: its version.
            generic = renderer.items([slot], mine)[0]
        if generic:
            items.append(generic)
    return "\n".join(items)


def _bell(request: HttpRequest, found: dict) -> str:
    user = request.user
    unread = unread_count(user, cached=found.get(unread_cache_key(user.pk)))
    notices = unread_notice_count(user, found=found)
    return _bell_html(translation.get_language(), get_script_prefix(), unread, notices)


@functools.lru_cache(maxsize=512)
def _bell_html(language: str, prefix: str, unread: int, notices: int) -> str:
    """The bell for these counts, drawn once per process (the template does not change under a running
    process: kept pages are off under DEBUG)."""
    context = {"unread_notifications": unread, "moderation_notices": notices}
    return get_template("_nav_bell.html").template.render(Context(context))


def _thread_flag(thread: Thread) -> str:
    """The thread's flag link, as members see it on others' published threads (can_flag_thread)."""
    if thread.state != PostState.VISIBLE:
        return ""
    return get_template("community/_thread_flag.html").template.render(Context({"thread": thread}))
