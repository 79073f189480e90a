"""Reads of moderation shaped for their pages; other apps import these names from here. Cache keys and
timeouts stay inside moderation (its services import them from the submodules)."""

from moderation.selectors.netiquette import (
    NetiquettePage,
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
)
from moderation.selectors.queue import (
    flaggable_item,
    flagged_by,
    flagged_ids,
    my_flag,
)
from moderation.selectors.standing import (
    active_points,
    ladder_proposal,
    member_restriction,
    policy_get,
)

__all__ = [
    "Statement",
    "access_notice",
    "flaggable_item",
    "flagged_by",
    "flagged_ids",
    "my_flag",
    "notice_from_token",
    "notice_list",
    "notice_token",
    "statement_for",
    "unread_notice_count",
    "NetiquettePage",
    "active_points",
    "ladder_proposal",
    "member_restriction",
    "netiquette_accepted",
    "netiquette_accepted_before",
    "netiquette_current_version",
    "netiquette_page",
    "netiquette_rules",
    "policy_get",
]
