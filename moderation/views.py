from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from moderation import services
from moderation.navigation import LOGIN_CHECK_FLAG, netiquette_url, safe_next
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
