"""The Django admin is the community managers' workplace: only they (and superusers) get in."""

from functools import update_wrapper

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import can_use_admin
from core.branding import branding_get


class AgoraAdminSite(admin.AdminSite):
    index_title = gettext_lazy("Community management")

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        name = branding_get().name
        context["site_header"] = context["site_title"] = _("%(name)s administration") % {"name": name}
        return context

    def has_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # A signed-in member or marketer is refused plainly rather than sent to a login page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        # Signing in to the admin goes through allauth, so its rate limits apply there too.
        return secure_admin_login(super().login)(request, extra_context)
