"""What the forum gives the newsletter (mailings never imports community): the threads and posts a
community manager hand-picks, found by the forum's search among public items only, and the
"followers of a space" audience."""

from __future__ import annotations

import html

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from community.models import Post, PostState, Space, Subscription, Visibility
from community.selectors.search import post_search, search_spaces
from mailings.audiences import Audience, audience_register
from mailings.blocks import Pick, PickSource, pick_source_register

SOURCE = "threads"
EXCERPT_CHARS = 220


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


def picks_search(actor: object, query: str) -> list[Pick]:
    """Posts and threads matching the query that a signed-out visitor may read: what goes in a
    newsletter is public by construction (its archive is read signed out)."""
    if len(query.strip()) < 2:
        return []
    found = post_search(text=query.strip(), spaces=search_spaces(AnonymousUser()))
    return [
        Pick(
            source=SOURCE,
            ref=str(result.post_id),
            title=result.thread_title,
            excerpt=_excerpt(html.unescape(strip_tags(result.snippet))),
            url=result.url,
        )
        for result in found.results
    ]


def picks_build(refs: list[str], members: list) -> dict[int, dict]:
    """The picked posts still public and visible now (one query), the same for every member: a post
    hidden, removed or moved to a private space since it was picked is left out."""
    ids = [int(ref) for ref in refs if ref.isdigit()]
    posts = Post.objects.filter(
        pk__in=ids,
        state=PostState.VISIBLE,
        thread__state=PostState.VISIBLE,
        thread__space__visibility=Visibility.PUBLIC,
    ).select_related("thread")
    by_id = {post.pk: post for post in posts}
    items = [
        Pick(
            source=SOURCE,
            ref=str(pk),
            title=by_id[pk].thread.title,
            excerpt=_excerpt(strip_tags(by_id[pk].body_html)),
            url=by_id[pk].get_absolute_url(),
        )
        for pk in ids
        if pk in by_id
    ]
    if not items:
        return {}
    return {member.pk: {"items": items} for member in members}


def _spaces() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Space.objects.order_by("order", "name").values_list("pk", "name")]


def space_followers_q(value: str) -> Q:
    """The followers of a space: members subscribed to one of its threads or who posted in it."""
    if not value.isdigit():
        return Q(pk__in=[])
    space_id = int(value)
    subscribed = Subscription.objects.filter(user_id=OuterRef("pk"), thread__space_id=space_id)
    posted = Post.objects.filter(author_id=OuterRef("pk"), thread__space_id=space_id)
    return Q(Exists(subscribed)) | Q(Exists(posted))


def register() -> None:
    pick_source_register(
        PickSource(
            key=SOURCE,
            label=_("Threads and posts"),
            order=10,
            template="community/email/newsletter_picks",
            search=picks_search,
            build=picks_build,
        )
    )
    audience_register(Audience("space", _("The followers of a space"), _spaces, space_followers_q))
