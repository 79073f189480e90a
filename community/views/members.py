"""Member-facing account pages: public profiles, settings, invitations, data export and deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import services as account_services
from accounts.models import User
from accounts.permissions import is_community_manager
from community.forms import AccountDeleteForm, InvitationForm, MemberSettingsForm
from community.models import Invitation
from community.selectors.members import (
    invitation_for_landing,
    invitation_list,
    member_data_export,
    member_state_get,
    profile_badges,
    profile_get,
    profile_posts,
    profile_threads,
    referral_count,
    referral_list,
)
from community.services import members as services
from core.branding import branding_get
from core.forms import form_errors_add
from core.head import PageHead
from core.pagecache import anonymous_page_cache
from core.ratelimit import is_post, rate_limited
from mailings.lists import NEWSLETTER
from mailings.services import consent_given
from moderation.permissions import member_can_post

INVITATION_SESSION_KEY = "community:invitation-code"


@require_GET
def profile_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Mentions link here: a member who changes handle keeps the links, and a freed handle taken by
    someone else never inherits them."""
    handle = User.objects.filter(pk=pk, is_active=True).values_list("handle", flat=True).first()
    if handle is None:
        raise Http404
    return redirect("community:profile", handle=handle)


@anonymous_page_cache()
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    member = profile_get(handle)
    if member.handle != handle:
        return redirect("community:profile", handle=member.handle, permanent=True)
    context = {
        "member": member,
        "threads": profile_threads(member, request.user),
        "posts": profile_posts(member, request.user),
        "is_me": request.user.pk == member.pk,
        # A bio held or removed by moderation shows to its author (and the team) only.
        "show_bio": member.bio_state == "visible"
        or request.user.pk == member.pk
        or is_community_manager(request.user),
        **profile_badges(member),
        # Every active member's profile is public; only a published bio describes it.
        "head": PageHead(
            path=reverse("community:profile", args=[member.handle]),
            title=f"{member.public_name} (@{member.handle})",
            description=member.bio if member.bio_state == "visible" else "",
            kind="profile",
        ),
    }
    return render(request, "community/profile.html", context)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = MemberSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.member_settings_update(actor=user, user=user, **data)
            except ValidationError as exc:
                # The transaction rolled back; forget the values the failed save put on the user.
                user.refresh_from_db()
                form_errors_add(form, exc, "avatar" if data["avatar"] else None)
            else:
                messages.success(request, _("Your profile and preferences are saved."))
                response = redirect("community:settings")
                account_services.language_cookie_set(response, data["language"])
                return response
    else:
        state = member_state_get(user)
        form = MemberSettingsForm(
            initial={
                "display_name": user.display_name,
                "handle": user.handle,
                "bio": user.bio,
                "language": user.language or request.LANGUAGE_CODE,
                "time_zone": user.time_zone,
                "email_on_mention": state.email_on_mention,
                "email_on_reply": state.email_on_reply,
                "digest": state.digest,
                "newsletter": consent_given(user.pk, NEWSLETTER),
            }
        )
    return render(request, "community/settings.html", {"form": form})


@login_required
@rate_limited("invitation", when=is_post)
def invitations(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_invite = member_can_post(user) or is_community_manager(user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your invitation link is ready: copy it and send it."))
            return redirect("community:invitations")
    links = invitation_list(user)
    for link in links:
        link.absolute_url = request.build_absolute_uri(link.get_absolute_url())
    context = {
        "form": form,
        "can_invite": can_invite,
        "invitations": links,
        "referrals": referral_list(user),
        "referral_count": referral_count(user),
    }
    return render(request, "community/invitations.html", context)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the member's own links are found: someone else's id is a 404, like an unknown one.
    invitation = get_object_or_404(Invitation, pk=pk, inviter=request.user)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("The link is revoked: nobody else can join with it."))
    return redirect("community:invitations")


@require_GET
def invitation_landing(request: HttpRequest, code: str) -> HttpResponse:
    invitation = invitation_for_landing(code)
    usable = not (invitation.is_expired or invitation.is_exhausted)
    if usable and not request.user.is_authenticated and request.session.get(INVITATION_SESSION_KEY) != code:
        request.session[INVITATION_SESSION_KEY] = invitation.code
    context = {"invitation": invitation, "usable": usable, "welcome": branding_get().welcome}
    return render(request, "community/invitation_landing.html", context, status=200 if usable else 410)


@login_required
@require_GET
@rate_limited("data_export")
def data_export(request: HttpRequest) -> StreamingHttpResponse:
    user = request.user
    response = StreamingHttpResponse(
        member_data_export(user, request.build_absolute_uri), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{user.pk}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_delete(actor=user, user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. Your posts stay, shown as from a deleted member.")
            )
            return redirect("home")
    context = {
        "form": form,
        "is_community_manager": is_community_manager(user),
        "export_url": reverse("community:data-export"),
    }
    return render(request, "community/delete_account.html", context)
