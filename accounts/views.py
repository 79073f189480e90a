from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.forms import ProfileForm
from accounts.models import Avatar


@login_required
def profile_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.profile_update(
                        actor=user,
                        user=user,
                        display_name=data["display_name"],
                        bio=data["bio"],
                        language=data["language"],
                        time_zone=data["time_zone"],
                    )
                    if data["avatar"]:
                        services.avatar_set(actor=user, user=user, upload=data["avatar"])
                    elif data["remove_avatar"]:
                        services.avatar_remove(actor=user, user=user)
            except ValidationError as exc:
                form.add_error("avatar" if data["avatar"] else None, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                response = redirect("accounts:settings")
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    data["language"],
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite="Lax",
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                )
                return response
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "bio": user.bio,
                "language": user.language or request.LANGUAGE_CODE,
                "time_zone": user.time_zone,
            }
        )
    avatar = Avatar.objects.filter(user=user).only("user_id", "version").first()
    return render(request, "accounts/settings.html", {"form": form, "avatar": avatar})


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
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response
