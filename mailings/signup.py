"""The sign-up form: accounts' fields, and the newsletter's explicit opt-in (never ticked in advance)."""

from __future__ import annotations

from django import forms

from accounts.forms import SignupExtraForm
from mailings.lists import NEWSLETTER, NEWSLETTER_OPT_IN
from mailings.services.consent import consent_record


class SignupForm(SignupExtraForm):
    newsletter = forms.BooleanField(label=NEWSLETTER_OPT_IN, required=False, initial=False)

    def signup(self, request, user) -> None:
        super().signup(request, user)
        if self.cleaned_data.get("newsletter"):
            consent_record(member_id=user.pk, list_key=NEWSLETTER, given=True, source="signup")
