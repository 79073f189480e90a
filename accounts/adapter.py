from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from accounts.models import free_handle, save_with_free_handle
from core.text import clean_name


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = clean_name(form.cleaned_data.get("display_name", ""))
        # Remember the language the member signed up in: e-mails and pages follow it afterwards.
        user.language = translation.get_language() or ""
        if commit:
            save_with_free_handle(user, user.display_name or "member")
        else:
            user.handle = free_handle(user.display_name or "member")
        return user

    def format_email_subject(self, subject: str) -> str:
        from core.branding import branding_get

        return f"[{branding_get().name}] {subject}"
