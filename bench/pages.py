"""The pages the benchmark measures, found in the seeded database (Django must be set up first)."""

from __future__ import annotations

from dataclasses import dataclass
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


def pages(*, trivial: bool = True) -> list[Page]:
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
        result.append(Page(f"thread, page 1 ({size}), {who}", thread_url, signed_in))
        result.append(Page(f"thread, page {last_page}, {who}", deep_url, signed_in))
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
    return result
