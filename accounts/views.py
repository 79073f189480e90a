from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services
from accounts.models import Avatar


@require_GET
def avatar(request: HttpRequest, user_id: int, version: str) -> HttpResponse:
    found = Avatar.objects.filter(user_id=user_id, version=version).only("image", "content_type").first()
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.image), content_type=found.content_type)
    # The version is in the URL: a new picture gets a new URL, so this one never changes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_http_methods(["GET", "POST"])
def language_switch(request: HttpRequest) -> HttpResponse:
    """POST (a signed-in member's form) saves the preference; GET (the signed-out visitor's link,
    which needs no CSRF token) only sets the language cookie."""
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    next_url = data.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponse(_("This language is not offered."), status=400)
    if request.method == "POST":
        services.language_set(user=request.user, language=language)
    response = redirect(next_url)
    services.language_cookie_set(response, language)
    return response
