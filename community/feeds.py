"""The forum's Atom feeds: a space's new threads and a thread's latest posts.

A feed is the same for everyone: feed readers fetch it signed out and services share one copy among
their users, so it holds only what a signed-out visitor reads on the pages (the views check access as
one), in the posts' stored HTML (sanitised on write), with authors by their public names.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Post, Space, Thread
from community.selectors import forum as selectors
from core.feeds import AtomFeed, tag_uri
from core.links import absolute_url


def _author_name(author: User | None) -> str:
    return author.public_name if author else _("Deleted member")


def _author_link(author: User | None) -> str | None:
    return (
        absolute_url(reverse("community:profile", args=[author.handle]))
        if author and author.is_active
        else None
    )


class SpaceFeed(Feed):
    """A space's latest threads, newest first, each with its opening post."""

    feed_type = AtomFeed

    def __init__(self, space: Space) -> None:
        self.space = space

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Space:
        return self.space

    def title(self, space: Space) -> str:
        return _("New threads in %(space)s") % {"space": space.name}

    def subtitle(self, space: Space) -> str | None:
        return space.description or None

    def link(self, space: Space) -> str:
        return absolute_url(space.get_absolute_url())

    def feed_url(self, space: Space) -> str:
        return absolute_url(reverse("community:space-feed", args=[space.slug]))

    def items(self, space: Space) -> list[Thread]:
        return selectors.space_new_threads(space)

    def item_title(self, thread: Thread) -> str:
        return thread.title

    def item_description(self, thread: Thread) -> None:  # type: ignore[override]
        return None  # The whole text goes in <content>, not a summary.

    def item_link(self, thread: Thread) -> str:
        return absolute_url(thread.get_absolute_url())

    def item_guid(self, thread: Thread) -> str:
        return tag_uri("thread", thread.pk, thread.created_at)

    def item_pubdate(self, thread: Thread):
        return thread.created_at

    def item_updateddate(self, thread: Thread):
        return getattr(thread, "opening_edited_at", None) or thread.created_at

    def item_author_name(self, thread: Thread) -> str:
        return _author_name(thread.author)

    def item_author_link(self, thread: Thread) -> str | None:
        return _author_link(thread.author)

    def item_extra_kwargs(self, thread: Thread) -> dict:
        return {"content": getattr(thread, "opening_html", "")}


class ThreadFeed(Feed):
    """A thread's latest posts, newest first."""

    feed_type = AtomFeed

    def __init__(self, thread: Thread) -> None:
        self.thread = thread

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Thread:
        return self.thread

    def title(self, thread: Thread) -> str:
        return _("%(thread)s: latest posts") % {"thread": thread.title}

    def link(self, thread: Thread) -> str:
        return absolute_url(thread.get_absolute_url())

    def feed_url(self, thread: Thread) -> str:
        return absolute_url(reverse("community:thread-feed", args=[thread.pk]))

    def items(self, thread: Thread) -> list[Post]:
        return selectors.thread_feed_posts(thread)

    def item_title(self, post: Post) -> str:
        return _("Post #%(position)s by %(author)s") % {
            "position": post.position,
            "author": _author_name(post.author),
        }

    def item_description(self, post: Post) -> None:  # type: ignore[override]
        return None

    def item_link(self, post: Post) -> str:
        return absolute_url(post.get_absolute_url())

    def item_guid(self, post: Post) -> str:
        return tag_uri("post", post.pk, post.created_at)

    def item_pubdate(self, post: Post):
        return post.created_at

    def item_updateddate(self, post: Post):
        return post.edited_at or post.created_at

    def item_author_name(self, post: Post) -> str:
        return _author_name(post.author)

    def item_author_link(self, post: Post) -> str | None:
        return _author_link(post.author)

    def item_extra_kwargs(self, post: Post) -> dict:
        return {"content": post.body_html}
