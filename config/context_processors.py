from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.permissions import can_use_admin, can_view_reporting, is_ambassador, is_community_manager
from core.branding import branding_get
from core.icons import icon_version
from mailings.permissions import can_manage_newsletter


def site(request: HttpRequest) -> dict:
    """Branding and the booleans the navigation needs; nothing here costs a query when cached. An error
    page raised before the middleware ran (a bogus Host header) has no user: it renders as signed out."""
    user = getattr(request, "user", None) or AnonymousUser()
    branding = branding_get()
    return {
        "branding": branding,
        "icon_version": icon_version(branding),
        "nav_can_admin": can_use_admin(user),
        "nav_can_reporting": can_view_reporting(user),
        "nav_can_welcome": is_community_manager(user) or is_ambassador(user),
        "nav_can_newsletter": can_manage_newsletter(user),
    }
