from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import form_errors_add
from core.ratelimit import is_post, rate_limited
from moderation import selectors, services
from moderation.forms import AppealForm, FlagForm
from moderation.navigation import LOGIN_CHECK_FLAG, netiquette_url, safe_next
from moderation.permissions import member_can_flag
from moderation.selectors import netiquette_page


@require_GET
def netiquette(request: HttpRequest) -> HttpResponse:
    page = netiquette_page(request.user)
    next_url = safe_next(request, request.GET.get("next"), default="")
    back = urlencode({"next": request.get_full_path()})
    context = {
        "page": page,
        "next_url": next_url,
        "login_url": f"{reverse('account_login')}?{back}",
        "signup_url": f"{reverse('account_signup')}?{back}",
        # The page itself asks for the acceptance: no banner on top of it.
        "netiquette_pending": False,
    }
    return render(request, "moderation/netiquette.html", context)


@require_POST
@login_required
def netiquette_accept(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next"), default=reverse("home"))
    try:
        read = request.POST.get("version", "")
        services.netiquette_accept(actor=request.user, version_read=int(read) if read.isdigit() else None)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(netiquette_url(next_url))
    request.session.pop(LOGIN_CHECK_FLAG, None)
    messages.success(request, _("Thank you for accepting the netiquette. Welcome to the conversation!"))
    return redirect(next_url)


# Flags and notices -------------------------------------------------------------------------------


@login_required
@rate_limited("flag", when=is_post)
def flag(request: HttpRequest, item_type: str, item_id: int) -> HttpResponse:
    """Flag a post, thread or profile citing a rule; a member who flagged it sees so instead."""
    info = selectors.flaggable_item(request.user, item_type, item_id)
    existing = selectors.my_flag(request.user, item_type, item_id)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.flag_create(
                actor=request.user,
                item_type=item_type,
                item_id=item_id,
                rule=form.cleaned_data["rule"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: the community team will review what you flagged."))
            return redirect(info.url)
    status = 400 if request.method == "POST" else 200
    context = {"info": info, "form": form, "existing": existing, "can_flag": member_can_flag(request.user)}
    return render(request, "moderation/flag.html", context, status=status)


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/notices.html", {"notices": selectors.notice_list(request.user)})


def _notice_for(request: HttpRequest, pk: int):
    """The member's own notice, or one opened through the signed link of its e-mail (no sign-in)."""
    token = request.GET.get("t") or request.POST.get("t")
    if token:
        notice = selectors.notice_from_token(token)
        if notice.pk != pk:
            raise Http404
        return notice, token
    if not request.user.is_authenticated:
        return None, ""
    return selectors.access_notice(request.user, pk), ""


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice, token = _notice_for(request, pk)
    if notice is None:
        return redirect_to_login(request.get_full_path())
    if request.user.is_authenticated and notice.recipient_id == request.user.pk:
        services.notice_mark_read(actor=request.user, notice=notice)
    statement = selectors.statement_for(notice)
    form = AppealForm() if statement.can_appeal else None
    return render(request, "moderation/notice.html", {"statement": statement, "form": form, "token": token})


@require_POST
def notice_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    notice, token = _notice_for(request, pk)
    if notice is None:
        return redirect_to_login(reverse("moderation:notice", args=[pk]))
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_create(
                actor=request.user if request.user.is_authenticated else None,
                decision=notice.decision,
                text=form.cleaned_data["text"],
                by_link=bool(token),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your appeal is sent. You will be told the outcome."))
            url = reverse("moderation:notice", args=[pk])
            return redirect(f"{url}?{urlencode({'t': token})}" if token else url)
    statement = selectors.statement_for(notice)
    context = {"statement": statement, "form": form, "token": token}
    return render(request, "moderation/notice.html", context, status=400)
