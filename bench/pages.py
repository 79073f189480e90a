"""The pages the benchmark measures, found in the seeded database (Django must be set up first)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from community.models import POSTS_PER_PAGE, PostState, Space, Thread, Visibility

BENCH_MEMBER = "user1@example.com"
DEMO_MEMBER = "member@example.com"
SEARCH_QUERY = "pompe à chaleur"


@dataclass
class Page:
    name: str
    url: str | None  # None: the page does not exist on this branch
    signed_in: bool = False
    note: str = ""
    # Driven by a wrk Lua script (bench/run.py): each "unit" is one or more requests, a list of
    # (path, signed_in, htmx) made in turn; a unit is picked at random per request (or per view).
    units: list[list[tuple[str, bool, bool]]] | None = field(default=None, repr=False)
    per_unit: int = 1  # requests per unit: 2 for a whole view (page + overlay)
    htmx: bool = False  # send HX-Request: true (the overlay)


def _reverse(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def bench_member():
    """The signed-in visitor: the large seed's most active member, else the demo member."""
    User = get_user_model()
    return User.objects.filter(email=BENCH_MEMBER).first() or User.objects.filter(email=DEMO_MEMBER).first()


def prepare_member(user) -> None:
    """The signed-in visitor has accepted the netiquette, as any member who reads and posts has."""
    from moderation.selectors import netiquette_accepted

    if netiquette_accepted(user):
        return
    try:
        from moderation.services import netiquette_accept
    except ImportError:  # no netiquette services on this branch
        return
    netiquette_accept(actor=user)


def session_cookie(user) -> str:
    """A real session for `user` in the configured session store, as a login would create it."""
    from django.conf import settings

    store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def hot_thread():
    """The one longest public, visible thread: its page 1 is the hot page (a shared copy hit)."""
    return (
        Thread.objects.filter(space__visibility=Visibility.PUBLIC, state=PostState.VISIBLE)
        .order_by("-last_position")
        .first()
    )


def thread_paths(
    count: int, *, seed: int, exclude: set[str] = frozenset(), random_page: bool = True
) -> list[str]:
    """`count` thread pages drawn at random from every visible thread of the public spaces (one page per
    thread; a random valid page of it with `random_page`), not in `exclude`: the long tail."""
    rows = list(
        Thread.objects.filter(space__visibility=Visibility.PUBLIC, state=PostState.VISIBLE)
        .order_by("pk")
        .values_list("pk", "last_position")
    )
    pick = random.Random(seed)
    result = []
    for pk, last in pick.sample(rows, min(len(rows), count + len(exclude))):
        last_page = max(1, -(-last // POSTS_PER_PAGE))
        page = pick.randint(1, last_page) if random_page else 1
        path = reverse("community:thread", args=[pk]) + (f"?page={page}" if page > 1 else "")
        if path not in exclude:
            result.append(path)
        if len(result) == count:
            break
    return result


def overlay_path(thread_path: str) -> str:
    """/threads/7/?page=3 -> /threads/7/overlay/?page=3 (the page asks for page=N always)."""
    base, _, query = thread_path.partition("?")
    page = query.removeprefix("page=") if query else "1"
    return f"{base}overlay/?page={page}"


def thread_pages(*, tail: int = 5000, seed: int = 1) -> list[Page]:
    """The shared thread pages: the long tail (random threads), the hot page, the member's overlay alone
    and a member's whole view (page + overlay). Visitor and member long tails use disjoint threads, so
    the member's run does not read the copies the visitor's run stored."""
    hot = hot_thread()
    if hot is None or _reverse("community:thread-overlay", hot.pk) is None:
        return [Page("thread overlay", None, True)]
    hot_url = reverse("community:thread", args=[hot.pk])
    tails = thread_paths(3 * tail, seed=seed, exclude={hot_url})
    visitor_tail, member_tail, view_tail = tails[:tail], tails[tail : 2 * tail], tails[2 * tail :]
    size = f"{hot.last_position:,} posts"
    return [
        Page("long tail (random threads), visitor", hot_url, False, f"{tail:,} random pages",
             units=[[(path, False, False)] for path in visitor_tail]),
        Page("long tail (random threads), signed in", hot_url, True, f"{tail:,} other random pages",
             units=[[(path, True, False)] for path in member_tail]),
        Page(f"hot thread, page 1 ({size}), visitor", hot_url, False, "shared copy hit"),
        Page(f"hot thread, page 1 ({size}), signed in", hot_url, True, "shared copy hit"),
        Page("hot thread overlay (page 1), signed in", overlay_path(hot_url), True, "HX-Request", htmx=True),
        Page("whole member view, hot thread (page + overlay)", hot_url, True, "views/s = requests/s ÷ 2",
             units=[[(hot_url, True, False), (overlay_path(hot_url), True, True)]], per_unit=2),
        Page("whole member view, long tail (page + overlay)", hot_url, True,
             f"views/s = requests/s ÷ 2; {tail:,} more random pages", per_unit=2,
             units=[[(path, True, False), (overlay_path(path), True, True)] for path in view_tail]),
    ]  # fmt: skip


def pages(*, trivial: bool = True, tail: int = 5000) -> list[Page]:
    result = []
    if trivial:
        result.append(Page("trivial view (5 KB)", _reverse("bench-trivial"), note="the ceiling"))
        # The same view for a signed-in member: what loading the session and the member costs alone.
        result.append(
            Page("trivial view (5 KB), signed in", _reverse("bench-trivial"), True, "signed-in ceiling")
        )
    result.append(Page("home", _reverse("home")))
    space = Space.objects.filter(visibility=Visibility.PUBLIC).order_by("-thread_count").first()
    space_url = _reverse("community:space", space.slug) if space else None
    result.append(Page(f"space ({space.slug})" if space else "space", space_url))
    thread = (
        Thread.objects.filter(space__visibility=Visibility.PUBLIC, state=PostState.VISIBLE)
        .order_by("-last_position")
        .first()
    )
    thread_url = _reverse("community:thread", thread.pk) if thread else None
    last_page = max(1, -(-thread.last_position // POSTS_PER_PAGE)) if thread else 1
    deep_url = f"{thread_url}?page={last_page}" if thread_url else None
    size = f"{thread.last_position:,} posts" if thread else ""
    for signed_in in (False, True):
        who = "signed in" if signed_in else "anonymous"
        result.append(Page(f"thread, page {last_page} ({size}), {who}", deep_url, signed_in))
    # Page 1 of that thread is the hot page of thread_pages().
    result.extend(thread_pages(tail=tail))
    member = bench_member()
    profile_url = _reverse("community:profile", member.handle) if member else None
    result.append(Page("profile", profile_url))
    search_url = _reverse("community:search")
    for signed_in in (False, True):
        result.append(
            Page(
                f"search “{SEARCH_QUERY}”, {'signed in' if signed_in else 'visitor'}",
                f"{search_url}?{urlencode({'q': SEARCH_QUERY})}" if search_url else None,
                signed_in,
            )
        )
    result.extend(event_pages(member, seed=tail))
    return result


def event_pages(member, *, seed: int = 1, tail: int = 2000) -> list[Page]:
    """The events page, an event's page (the 5,000-registration one, and the long tail of random public
    events) and the bench member's calendar feed (bench/events_scale.py seeds them)."""
    from events.models import Audience, CalendarFeed, Event

    big = Event.objects.filter(title="Big meetup").first()
    if big is None:
        return [Page("events page", None, note="run bench/events_scale.py first")]
    public = list(Event.objects.filter(audience=Audience.PUBLIC).order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(public, min(tail, len(public)))
    events_url, big_url = reverse("events:list"), big.get_absolute_url()
    feed = CalendarFeed.objects.filter(member=member).first()
    feed_url = reverse("events:feed-ics", args=[member.pk, feed.token]) if feed else None
    return [
        Page("events page, visitor", events_url),
        Page("events page, signed in", events_url, True),
        Page("event page (5,000 going), visitor", big_url, False, "shared copy hit"),
        Page("event page (5,000 going), signed in", big_url, True, "shared copy hit"),
        Page("event overlay (5,000 going), signed in", f"{big_url}overlay/", True, "HX-Request", htmx=True),
        Page("event pages, long tail, visitor", big_url, False, f"{len(chosen):,} random events",
             units=[[(reverse("events:event", args=[pk]), False, False)] for pk in chosen]),
        Page("member's calendar feed (40 events)", feed_url, False, "secret URL, no session"),
    ]  # fmt: skip
