from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    try:
        services.language_set(user=request.user, language=language)
    except ValidationError:
        return HttpResponse(_("This language is not offered."), status=400)
    response = redirect(next_url)
    services.language_cookie_set(response, language)
    return response
