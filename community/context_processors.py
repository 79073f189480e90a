from django.http import HttpRequest

from community.selectors.notifications import unread_count


def notifications(request: HttpRequest) -> dict:
    """The unread count for the header's bell: one Redis read per page, a counted query once a minute."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
