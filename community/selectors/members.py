"""Reads of the member-facing pages: profiles, settings, invitations and the personal data export."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Model, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from accounts.models import User
from accounts.permissions import Actor, is_ambassador, is_community_manager, remember_groups
from community.models import (
    Invitation,
    MemberState,
    Notification,
    Post,
    PostState,
    Reaction,
    Subscription,
    Thread,
)
from community.permissions import visible_spaces_q
from mailings.services import consent_history

PROFILE_ITEMS = 10
INVITATIONS_SHOWN = 100
REFERRALS_SHOWN = 100
EXPORT_BATCH = 500
EXCERPT_CHARS = 200

M = TypeVar("M", bound=Model)


def member_state_get(user: AbstractBaseUser) -> MemberState:
    """The member's state, or an unsaved one with the defaults when none was made yet."""
    return MemberState.objects.filter(user_id=user.pk).first() or MemberState(user_id=user.pk)


def invitations_active_q(now: datetime | None = None) -> Q:
    """Invitations that still admit someone: a seat left and not expired."""
    now = now or timezone.now()
    return Q(use_count__lt=F("max_uses")) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# Profiles -------------------------------------------------------------------------------------------


def _profiles() -> QuerySet[User]:
    """The members whose profile anyone may read, signed out included: the active ones."""
    return User.objects.filter(is_active=True)


def profiles_listed() -> QuerySet[User]:
    """The public profiles worth naming to search engines (the sitemap): those of members who have
    posted (a profile without a post has nothing to read). Bare, for the caller to shape."""
    return _profiles().filter(community_state__post_count__gt=0)


def profile_get(handle: str) -> User:
    """An active member by handle (any case), with their post count and role names in the same query.

    Raises Http404 for unknown, inactive and deleted accounts alike.
    """
    member = (
        _profiles()
        .filter(handle__iexact=handle)
        .annotate(
            post_total=Coalesce(F("community_state__post_count"), Value(0)),
            bio_state=Coalesce(F("community_state__bio_state"), Value(PostState.VISIBLE)),
            group_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
        )
        .only(
            "id",
            "display_name",
            "handle",
            "email",
            "bio",
            "avatar_version",
            "date_joined",
            "is_active",
            "is_superuser",
        )
        .first()
    )
    if member is None:
        raise Http404
    # The badges below then cost no query.
    remember_groups(member, member.group_names or [])
    return member


def profile_badges(member: User) -> dict[str, bool]:
    return {
        "is_community_manager": is_community_manager(member),
        "is_ambassador": is_ambassador(member),
    }


def profile_threads(member: User, viewer: Actor) -> list[Thread]:
    """The member's latest visible threads in the spaces the viewer may read."""
    return list(
        Thread.objects.filter(author=member, state=PostState.VISIBLE)
        .filter(visible_spaces_q(viewer, prefix="space__"))
        .select_related("space")
        .only("id", "title", "created_at", "post_count", "space__name", "space__slug", "space__visibility")
        .order_by("-created_at")[:PROFILE_ITEMS]
    )


def profile_posts(member: User, viewer: Actor) -> list[Post]:
    """The member's latest visible replies (opening posts are listed as threads) the viewer may read."""
    posts = list(
        Post.objects.filter(
            author=member, state=PostState.VISIBLE, thread__state=PostState.VISIBLE, position__gt=1
        )
        .filter(visible_spaces_q(viewer, prefix="thread__space__"))
        .select_related("thread")
        .only("id", "position", "thread_id", "body_html", "created_at", "thread__id", "thread__title")
        .order_by("-created_at")[:PROFILE_ITEMS]
    )
    for post in posts:
        excerpt = Truncator(html.unescape(strip_tags(post.body_html))).chars(EXCERPT_CHARS)
        setattr(post, "excerpt", excerpt)  # noqa: B010 - for the template: not a field of Post
    return posts


# Invitations ----------------------------------------------------------------------------------------


def invitation_list(user: AbstractBaseUser) -> list[Invitation]:
    now = timezone.now()
    invitations = list(
        Invitation.objects.filter(inviter_id=user.pk).order_by("-created_at")[:INVITATIONS_SHOWN]
    )
    for invitation in invitations:
        is_active = invitation.use_count < invitation.max_uses and (
            invitation.expires_at is None or invitation.expires_at > now
        )
        setattr(invitation, "is_active", is_active)  # noqa: B010 - for the template: not a field
    return invitations


def referral_list(user: AbstractBaseUser) -> list[User]:
    """The members who signed up through the user's links, newest first."""
    return list(
        User.objects.filter(community_state__invited_by_id=user.pk, is_active=True)
        .only("id", "display_name", "handle", "email", "avatar_version", "date_joined")
        .order_by("-date_joined")[:REFERRALS_SHOWN]
    )


def referral_count(user: AbstractBaseUser) -> int:
    return MemberState.objects.filter(invited_by_id=user.pk).count()


def invitation_for_landing(code: str) -> Invitation:
    """The invitation behind a link, with its inviter; Http404 when the code is unknown."""
    invitation = (
        Invitation.objects.filter(code=code)
        .select_related("inviter")
        .only("id", "code", "max_uses", "use_count", "expires_at", "inviter__display_name", "inviter__email")
        .first()
    )
    if invitation is None:
        raise Http404
    now = timezone.now()
    is_expired = invitation.expires_at is not None and invitation.expires_at <= now
    is_exhausted = invitation.use_count >= invitation.max_uses
    # For the landing page: not fields of Invitation.
    setattr(invitation, "is_expired", is_expired)  # noqa: B010
    setattr(invitation, "is_exhausted", is_exhausted)  # noqa: B010
    return invitation


# The personal data export ---------------------------------------------------------------------------


def _batches(queryset: QuerySet[M], size: int | None = None) -> Iterator[M]:
    """Rows in primary-key order, read a bounded batch at a time (keyset, no OFFSET, no open cursor)."""
    size = size or EXPORT_BATCH
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        yield from batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def _json_array(rows: Iterable[M], shape: Callable[[M], dict[str, Any]]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + json.dumps(shape(row), cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "]"


def member_data_export(user: User, absolute: Callable[[str], str]) -> Iterator[str]:
    """The member's personal data as one JSON document, produced in pieces so memory stays bounded.

    `absolute` turns a site path into a full URL (request.build_absolute_uri).
    """
    state = member_state_get(user)
    account = {
        "email": user.email,
        "display_name": user.display_name,
        "handle": user.handle,
        "bio": user.bio,
        "language": user.language,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "last_seen_at": user.last_seen_at,
        "avatar_url": absolute(user.avatar_url) if user.avatar_url else None,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
    }
    preferences = {
        "email_on_mention": state.email_on_mention,
        "email_on_reply": state.email_on_reply,
        "digest": state.digest,
        "consent_history": consent_history(user.pk),
    }
    # Each section's rows, read and written out a batch at a time as the document is consumed.
    sections: list[tuple[str, Iterator[str]]] = [
        (
            "threads",
            _json_array(
                _batches(Thread.objects.filter(author=user).select_related("space").defer("search_vector")),
                lambda t: {
                    "title": t.title,
                    "space": t.space.name,
                    "state": t.state,
                    "created_at": t.created_at,
                    "url": absolute(t.get_absolute_url()),
                },
            ),
        ),
        (
            "posts",
            _json_array(
                _batches(
                    Post.objects.filter(author=user).only(
                        "id", "thread_id", "position", "body_md", "state", "created_at", "edited_at"
                    )
                ),
                lambda p: {
                    "markdown": p.body_md,
                    "state": p.state,
                    "created_at": p.created_at,
                    "edited_at": p.edited_at,
                    "url": absolute(p.get_absolute_url()),
                },
            ),
        ),
        (
            "reactions",
            _json_array(
                _batches(
                    Reaction.objects.filter(user=user)
                    .select_related("post")
                    .only("id", "kind", "created_at", "post__id", "post__thread_id", "post__position")
                ),
                lambda r: {
                    "kind": r.kind,
                    "created_at": r.created_at,
                    "post_url": absolute(r.post.get_absolute_url()),
                },
            ),
        ),
        (
            "subscriptions",
            _json_array(
                _batches(Subscription.objects.filter(user=user)),
                lambda s: {"thread_url": _thread_url(s.thread_id, absolute), "created_at": s.created_at},
            ),
        ),
        (
            "invitations",
            _json_array(
                _batches(Invitation.objects.filter(inviter=user)),
                lambda i: {
                    "url": absolute(i.get_absolute_url()),
                    "note": i.note,
                    "max_uses": i.max_uses,
                    "use_count": i.use_count,
                    "expires_at": i.expires_at,
                    "created_at": i.created_at,
                },
            ),
        ),
        (
            "notifications",
            _json_array(
                _batches(Notification.objects.filter(recipient=user)),
                lambda n: {
                    "kind": n.kind,
                    "created_at": n.created_at,
                    "read_at": n.read_at,
                    "thread_url": _thread_url(n.thread_id, absolute) if n.thread_id else None,
                },
            ),
        ),
    ]
    encoder = DjangoJSONEncoder
    yield '{"account": ' + json.dumps(account, cls=encoder, ensure_ascii=False)
    yield ', "preferences": ' + json.dumps(preferences, cls=encoder, ensure_ascii=False)
    yield ', "invited_by": ' + json.dumps(_inviter_name(state), ensure_ascii=False)
    for name, pieces in sections:
        yield f', "{name}": '
        yield from pieces
    yield "}\n"


def _thread_url(thread_id: int, absolute: Callable[[str], str]) -> str:
    return absolute(Thread(pk=thread_id).get_absolute_url())


def _inviter_name(state: MemberState) -> str | None:
    if state.invited_by_id is None:
        return None
    inviter = User.objects.filter(pk=state.invited_by_id).only("display_name", "email").first()
    return str(inviter) if inviter else None
