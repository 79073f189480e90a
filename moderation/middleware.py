from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from moderation.navigation import EXEMPT_PREFIXES, LOGIN_CHECK_FLAG, netiquette_url
from moderation.selectors import netiquette_accepted


class NetiquetteMiddleware:
    """Send a member who just signed in to the netiquette once, if they have not accepted it yet.

    Placed after AuthenticationMiddleware. It only reads a session flag, so it costs nothing for
    everyone else; posting views are guarded by `moderation.decorators.netiquette_required`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and request.user.is_authenticated
            and request.session.get(LOGIN_CHECK_FLAG)
            and not request.headers.get("HX-Request")
            and not request.path_info.startswith(EXEMPT_PREFIXES)
        ):
            del request.session[LOGIN_CHECK_FLAG]
            if not netiquette_accepted(request.user):
                return HttpResponseRedirect(netiquette_url(request.get_full_path()))
        return self.get_response(request)
