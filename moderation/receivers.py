"""Framework hooks only: nothing of the domain's main flow happens here."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from moderation.navigation import LOGIN_CHECK_FLAG
from moderation.selectors import netiquette_accepted


@receiver(user_logged_in, dispatch_uid="moderation.netiquette_check_after_login")
def netiquette_check_after_login(sender, request, user, **kwargs) -> None:
    """A signal cannot redirect: leave a flag for NetiquetteMiddleware to act on at the next page."""
    if request is not None and hasattr(request, "session") and not netiquette_accepted(user):
        request.session[LOGIN_CHECK_FLAG] = True
