"""Members' thread pages, kept rendered with holes for what is the member's own.

A thread page is the same for every signed-in member but for a few parts: their name and unread
notifications in the header, each post's actions (their reactions, their edit links) and the form tokens.
The page is rendered once and kept in Redis as text split at those holes; a request fills them (the posts'
footers drawn in Python, one tiny template for the bell) instead of rendering the whole page.

A kept page is keyed by everything it shows: the thread's row (its content version is bumped by every
write that changes how one of its posts looks: community.services.forum.thread_content_changed), the
path, language, time zone, branding and which links the member's roles add to the navigation; the
members' profiles epoch (accounts.backends.profiles_changed) is stored with it and checked on read. Only
members who may post use kept pages (then whether they may reply depends on the thread alone); the team,
members with a message to read or the netiquette to accept, and quote links get the page rendered.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, engines
from django.template.loader import get_template
from django.template.utils import get_app_template_dirs
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.backends import PROFILES_EPOCH_KEY
from accounts.permissions import is_community_manager
from community.fragments import digest
from community.models import Post
from community.permissions import can_flag_thread
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
    epoch: object


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


def _key(request: HttpRequest, thread) -> str:
    site = site_context(request)
    branding = site["branding"]
    solution_position = thread.solution.position if thread.solution_id else None
    space = thread.space
    version = digest(
        request.get_full_path(), thread.content_version, thread.last_position, thread.title, thread.state,
        thread.pinned, thread.locked, thread.featured_at, thread.solution_id, solution_position, space.name,
        space.slug, branding.name, branding.tagline, branding.brand_colour,
        site["nav_can_admin"], site["nav_can_reporting"], site["nav_can_welcome"],
    )  # fmt: skip
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    return f"community:thread-page:{_templates_version()}:{language}:{zone}:{thread.pk}:{version}"


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
    thread,
    *,
    build: Callable[[], tuple[HttpResponse, list[Post]]],
    footers: Callable[[list, str], str],
) -> HttpResponse | None:
    """The page from its kept shell, or built and kept; None when the member must have it rendered
    (they may not post: the netiquette to accept, a suspension). The view is counted either way.

    One Redis round trip reads the shell, the profiles epoch, the member's unread counts and standing,
    and counts the view. `build()` renders the page in shell mode (`shell` on, holes in place) and
    returns it with its posts (every state: the footers leave out others' held posts);
    `footers(posts, token)` draws the posts.
    """
    user = request.user
    key, epoch_key = _key(request, thread), PROFILES_EPOCH_KEY
    unread_key, notices_key = unread_cache_key(user.pk), unread_notices_key(user.pk)
    found = cache.get_many_piped(
        [key, epoch_key, unread_key, notices_key, *standing_keys(user)],
        also=lambda pipeline: thread_viewed(thread.pk, pipeline=pipeline),
    )
    # Whether the member may reply then depends on the thread alone (community.permissions.replies_open).
    if not member_can_post(user, found=found):
        return None
    shell, epoch = found.get(key), found.get(epoch_key)
    nonce = str(request.csp_nonce)
    if shell is None or shell.epoch != epoch:
        response, posts = build()
        text = response.content.decode().replace(nonce, NONCE)
        shell = Shell(parts=HOLES.split(text), posts=[PostSlot.of(post) for post in posts], epoch=epoch)
        cache.set(key, shell, timeout=settings.KEPT_PAGE_SECONDS)
    for post in shell.posts:
        post.thread = thread
    token = get_token(request)
    unread = unread_count(user, cached=found.get(unread_key))
    bell = get_template("_nav_bell.html").template.render(
        Context(
            {
                "request": request,
                "unread_notifications": unread,
                "moderation_notices": unread_notice_count(user, found=found),
            }
        )
    )
    thread_flag = ""
    if can_flag_thread(user, thread):
        thread_flag = get_template("community/_thread_flag.html").template.render(Context({"thread": thread}))
    fills = {
        POSTS: footers(shell.posts, token),
        BELL: bell,
        NAME: escape(user.public_name),
        THREAD_FLAG: thread_flag,
        NONCE: nonce,
        TOKEN: token,
        CLIENT: str(uuid.uuid4()),
    }
    return HttpResponse("".join(fills.get(part, part) for part in shell.parts))
