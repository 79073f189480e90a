"""The forum's Atom feeds (community/feeds.py), served to everyone as to a signed-out visitor."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from community.feeds import SpaceFeed, ThreadFeed
from community.selectors import forum as selectors
from core.feeds import AtomFeed
from core.shared_pages import as_visitor, shareable, shared_page

# Feed readers poll; a cache in front of the site may answer them for this long.
FEED_SECONDS = 300


def space_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's new threads. Access is checked as for a signed-out visitor, whoever asks: a
    members-only space has no feed (404), even for a member, since readers share what they fetch."""
    space = selectors.access_space(AnonymousUser(), slug)
    return _feed(request, "space-feed", (space.pk, space.version), SpaceFeed(space))


def thread_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """A thread's latest posts: a thread a visitor cannot read (held, removed, in a space for members)
    has no feed (404), even for its author or a member."""
    thread = selectors.access_thread(AnonymousUser(), pk)
    return _feed(request, "thread-feed", (thread.pk, thread.version), ThreadFeed(thread))


def _feed(request: HttpRequest, name: str, versions: tuple, feed: Feed) -> HttpResponse:
    """Rendered as a visitor reads it, and shared by the versions of its rows (core/shared_pages.py):
    a space's version moves with its threads and their opening posts, a thread's with its posts."""
    if shareable(request):
        response = shared_page(
            request, name=name, versions=versions, render=feed, content_type=AtomFeed.content_type
        )
    else:
        response = feed(as_visitor(request))
    patch_cache_control(response, public=True, max_age=FEED_SECONDS)
    return response
