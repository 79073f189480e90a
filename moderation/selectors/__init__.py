"""Reads of moderation shaped for their pages; other apps import these names from here."""

from moderation.selectors.netiquette import (
    ACCEPTED_TIMEOUT,
    PENDING_TIMEOUT,
    VERSION_KEY,
    VERSION_TIMEOUT,
    NetiquettePage,
    accepted_cache_key,
    netiquette_accepted,
    netiquette_accepted_before,
    netiquette_current_version,
    netiquette_page,
    netiquette_rules,
)
from moderation.selectors.notices import (
    Statement,
    access_notice,
    notice_from_token,
    notice_list,
    notice_token,
    statement_for,
    unread_notice_count,
    unread_notices_key,
)
from moderation.selectors.queue import FLAGGED_ITEMS_SQL, flaggable_item, flagged_ids, my_flag
from moderation.selectors.standing import (
    active_points,
    ladder_proposal,
    member_restriction,
    policy_get,
    restriction_cache_key,
)

__all__ = [
    "Statement",
    "access_notice",
    "flaggable_item",
    "flagged_ids",
    "FLAGGED_ITEMS_SQL",
    "my_flag",
    "notice_from_token",
    "notice_list",
    "notice_token",
    "statement_for",
    "unread_notice_count",
    "unread_notices_key",
    "ACCEPTED_TIMEOUT",
    "PENDING_TIMEOUT",
    "VERSION_KEY",
    "VERSION_TIMEOUT",
    "NetiquettePage",
    "accepted_cache_key",
    "active_points",
    "ladder_proposal",
    "member_restriction",
    "netiquette_accepted",
    "netiquette_accepted_before",
    "netiquette_current_version",
    "netiquette_page",
    "netiquette_rules",
    "policy_get",
    "restriction_cache_key",
]
