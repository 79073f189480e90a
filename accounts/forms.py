from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import DISPLAY_NAME_MAX
from core.text import clean_name


class SignupExtraForm(forms.Form):
    """Added to allauth's signup form: the name other members will see."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("Shown next to everything you post. You can change it later."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        name = clean_name(self.cleaned_data["display_name"])
        if not name:
            raise forms.ValidationError(_("Please choose a display name."))
        return name

    def signup(self, request, user) -> None:
        # The adapter already saved the name; allauth calls this hook after saving the user.
        pass
