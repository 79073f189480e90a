import zoneinfo

from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from accounts.services import member_seen


class MemberPreferencesMiddleware:
    """A signed-in member sees the site in their own language and time zone, wherever they sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if user.is_authenticated:
            member_seen(user)
        if user.is_authenticated and user.time_zone:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class PrivateCacheMiddleware:
    """A signed-in member's pages hold what is theirs (notifications, settings, private spaces): no
    shared cache or browser may keep them. A response that set its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
