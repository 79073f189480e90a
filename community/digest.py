"""What the forum puts in a member's digest (mailings.blocks), built for a batch of members at once.

- Threads of the period: the most active and most reacted threads in the spaces the member may read,
  computed once per set of readable spaces and period (members and the team read different sets) and
  kept for the whole send, then checked still visible once per batch: 100,000 members cost two
  queries per set, and one per batch.
- Replies to the member's threads, mentions and best answers they have not read: one query per batch.
- Introductions waiting for a welcome, for ambassadors and the team: one query per batch.
- The unread count: one query per batch; shown beside news, never a reason to send on its own.

Only what the member could see on the site now is shown: visible posts in visible threads of spaces
they may read; held, removed and archived content never appears.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Count, F, Q, Sum
from django.utils.text import Truncator

from accounts.models import User
from accounts.permissions import groups_remember_many, is_ambassador, is_community_manager, role_reader
from community.models import (
    DigestFrequency,
    Notification,
    NotificationKind,
    Post,
    PostState,
    Thread,
    Visibility,
)
from community.permissions import visible_spaces_q
from community.selectors.forum import introductions_to_welcome
from core.links import absolute_url
from mailings.blocks import DigestBlock, Period, digest_block_register

THREADS = 6
# Threads looked at for the period: the most recently active ones (the recent-activity index).
CANDIDATES = 300
NEWS_PER_MEMBER = 8
WELCOME_SHOWN = 5
EXCERPT = 160


# Threads of the period -----------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _threads_of_period(team: bool, start, end) -> tuple[dict, ...]:
    """The most active then most reacted threads of [start, end) that a member (or the team) may read;
    shared by every member who reads the same spaces, for the whole send."""
    reader = role_reader(team=team)
    candidates = list(
        Thread.objects.filter(
            visible_spaces_q(reader, prefix="space__"),
            state=PostState.VISIBLE,
            archived_at__isnull=True,
            last_activity_at__gte=start,
        )
        .order_by("-last_activity_at")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    activity = (
        Post.objects.filter(
            thread_id__in=candidates, state=PostState.VISIBLE, created_at__gte=start, created_at__lt=end
        )
        .values("thread_id")
        .annotate(posts=Count("pk"), reactions=Sum(F("like_count") + F("helpful_count")))
    )
    ranked = sorted(activity, key=lambda row: (-row["posts"], -(row["reactions"] or 0), -row["thread_id"]))
    most_reacted = sorted(activity, key=lambda row: (-(row["reactions"] or 0), -row["thread_id"]))
    chosen: dict[int, dict] = {}
    for row in ranked[: THREADS // 2] + [row for row in most_reacted if row["reactions"]] + ranked:
        if len(chosen) >= THREADS:
            break
        chosen.setdefault(row["thread_id"], row)
    threads = Thread.objects.filter(pk__in=chosen).select_related("space").only("title", "space__name")
    by_pk = {thread.pk: thread for thread in threads}
    return tuple(
        {
            "pk": pk,
            "title": by_pk[pk].title,
            "space": by_pk[pk].space.name,
            "url": absolute_url(by_pk[pk].get_absolute_url()),
            "posts": row["posts"],
            "reactions": row["reactions"] or 0,
        }
        for pk, row in chosen.items()
        if pk in by_pk
    )


def _still_shown(team: bool, threads: tuple[dict, ...]) -> dict[int, str]:
    """The shared threads still visible now, with their current titles (moderation may have removed
    or retitled one since they were read)."""
    reader = role_reader(team=team)
    return dict(
        Thread.objects.filter(
            visible_spaces_q(reader, prefix="space__"),
            pk__in=[thread["pk"] for thread in threads],
            state=PostState.VISIBLE,
            archived_at__isnull=True,
        ).values_list("pk", "title")
    )


def threads_block(members: list[User], period: Period) -> dict[int, dict]:
    groups_remember_many(members)
    shown: dict[bool, tuple[dict, ...]] = {}
    found = {}
    for member in members:
        team = is_community_manager(member)
        if team not in shown:
            threads = _threads_of_period(team, period.start, period.end)
            still = _still_shown(team, threads) if threads else {}
            shown[team] = tuple(
                {**thread, "title": still[thread["pk"]]} for thread in threads if thread["pk"] in still
            )
        if shown[team]:
            found[member.pk] = {"threads": shown[team]}
    return found


# The member's own news -----------------------------------------------------------------------------


def news_block(members: list[User], period: Period) -> dict[int, dict]:
    """Replies in threads they follow, mentions and best answers they have not read, still visible."""
    groups_remember_many(members)
    by_pk = {member.pk: member for member in members}
    unread = (
        Notification.objects.filter(
            recipient_id__in=list(by_pk),
            read_at__isnull=True,
            kind__in=[NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.SOLUTION],
            created_at__gte=period.start,
            post__state=PostState.VISIBLE,
            thread__state=PostState.VISIBLE,
        )
        .select_related("post", "thread__space", "actor")
        .only(
            "kind", "recipient_id", "created_at", "post__body_md", "post__position", "post__thread_id",
            "thread__title", "thread__space__visibility", "actor__display_name", "actor__handle",
        )
        .order_by("recipient_id", "-created_at")
    )  # fmt: skip
    found: dict[int, dict] = {}
    for notification in unread:
        member = by_pk[notification.recipient_id]
        if not reads_space(member, notification.thread.space.visibility):
            continue  # the thread moved to a space the member may not read
        items = found.setdefault(member.pk, {"news": []})["news"]
        if len(items) < NEWS_PER_MEMBER:
            items.append(
                {
                    "kind": notification.kind,
                    "actor": notification.actor.public_name if notification.actor else "",
                    "title": notification.thread.title,
                    "excerpt": Truncator(notification.post.body_md.strip()).chars(EXCERPT),
                    "url": absolute_url(notification.post.get_absolute_url()),
                }
            )
    return found


def reads_space(member: User, visibility: str) -> bool:
    """Whether a signed-in member reads a space of this visibility (as community.permissions says)."""
    return is_community_manager(member) or visibility in (Visibility.PUBLIC, Visibility.MEMBERS)


def welcome_block(members: list[User], period: Period) -> dict[int, dict]:
    """Introductions nobody welcomed yet, for the members who welcome newcomers."""
    groups_remember_many(members)
    welcomers = [member for member in members if is_ambassador(member) or is_community_manager(member)]
    if not welcomers:
        return {}
    waiting = introductions_to_welcome(limit=50)
    if not waiting:
        return {}
    context = {
        "count": len(waiting),
        "names": [thread.author.public_name for thread in waiting[:WELCOME_SHOWN] if thread.author],
        "url": absolute_url(waiting[0].space.get_absolute_url()),
    }
    return {member.pk: context for member in welcomers}


def unread_block(members: list[User], period: Period) -> dict[int, dict]:
    counts = (
        Notification.objects.filter(recipient_id__in=[member.pk for member in members], read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("pk"))
    )
    return {row["recipient_id"]: {"count": row["count"]} for row in counts if row["count"]}


# Registration --------------------------------------------------------------------------------------


def frequency_q(frequency: str) -> Q:
    """Members who chose this digest frequency (without a saved choice: the weekly default)."""
    chose = Q(community_state__digest=frequency)
    if frequency == DigestFrequency.WEEKLY:
        return chose | Q(community_state__isnull=True)
    return chose


def register() -> None:
    from mailings.digests import frequency_register

    frequency_register(frequency_q)
    digest_block_register(DigestBlock("news", 10, "community/email/digest_news", news_block))
    digest_block_register(DigestBlock("threads", 20, "community/email/digest_threads", threads_block))
    digest_block_register(DigestBlock("welcome", 40, "community/email/digest_welcome", welcome_block))
    digest_block_register(
        DigestBlock("unread", 90, "community/email/digest_unread", unread_block, news=False)
    )
