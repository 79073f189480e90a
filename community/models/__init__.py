"""The forum's models, in three modules re-exported here: the forum itself, what it tells members,
and members' own state."""

from community.models.forum import (
    POST_MAX,
    POSTS_PER_PAGE,
    TITLE_MAX,
    Post,
    PostRevision,
    PostState,
    Reaction,
    ReactionKind,
    Space,
    SpaceMonth,
    Thread,
    Visibility,
)
from community.models.members import DigestFrequency, Invitation, MemberState, PurgedSignupDay
from community.models.notifications import Notification, NotificationKind, Subscription

__all__ = [
    "POST_MAX",
    "POSTS_PER_PAGE",
    "TITLE_MAX",
    "DigestFrequency",
    "Invitation",
    "MemberState",
    "Notification",
    "NotificationKind",
    "Post",
    "PostRevision",
    "PostState",
    "PurgedSignupDay",
    "Reaction",
    "ReactionKind",
    "Space",
    "SpaceMonth",
    "Subscription",
    "Thread",
    "Visibility",
]
