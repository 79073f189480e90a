from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from moderation.navigation import netiquette_url, safe_next
from moderation.selectors import netiquette_accepted


def netiquette_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For posting views: a visitor signs in, a member accepts the current netiquette first.

    The member comes back to the page they were on (for a POST, the page the form was on).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if netiquette_accepted(request.user):
            return view(request, *args, **kwargs)
        messages.info(request, _("Please accept the netiquette before posting."))
        if request.headers.get("HX-Request"):
            back = safe_next(request, request.headers.get("HX-Current-URL"), default="/")
            return HttpResponseClientRedirect(netiquette_url(_path_of(back)))
        if request.method == "GET":
            back = request.get_full_path()
        else:
            back = safe_next(request, request.headers.get("Referer"), default="/")
        return HttpResponseRedirect(netiquette_url(_path_of(back)))

    return wrapped


def _path_of(url: str) -> str:
    """Keep the path and query of a same-site absolute URL, so that `next` stays relative."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"
