"""The Django admin is the community managers' workplace: only they (and superusers) get in."""

from functools import update_wrapper

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_use_admin


class AgoraAdminSite(admin.AdminSite):
    site_header = _("Agora administration")
    site_title = _("Agora administration")
    index_title = _("Community management")

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
