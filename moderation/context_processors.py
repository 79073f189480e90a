from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from moderation.selectors import netiquette_accepted, netiquette_accepted_before, unread_notice_count


def netiquette(request: HttpRequest) -> dict:
    """`netiquette_pending`: a signed-in member has not accepted the current netiquette (cached).

    `netiquette_changed` (whether they accepted an earlier version) costs a query, so it is only
    computed when the banner shows.
    """
    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated and not netiquette_accepted(user))
    signed_in = user is not None and user.is_authenticated
    return {
        "netiquette_pending": pending,
        "netiquette_changed": SimpleLazyObject(lambda: pending and netiquette_accepted_before(user)),
        # Unread statements of reasons and appeal outcomes (cached per member).
        "moderation_notices": SimpleLazyObject(lambda: unread_notice_count(user) if signed_in else 0),
    }
