import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import BIO_MAX, DISPLAY_NAME_MAX


class SignupExtraForm(forms.Form):
    """Added to allauth's signup form: the name other members will see."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("Shown next to everything you post. You can change it later."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please choose a display name."))
        return name

    def signup(self, request, user) -> None:
        # The adapter already saved the name; allauth calls this hook after saving the user.
        pass


def _timezone_choices() -> list[tuple[str, str]]:
    return [("", _("Same as the community"))] + [
        (name, name) for name in sorted(zoneinfo.available_timezones())
    ]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=DISPLAY_NAME_MAX)
    bio = forms.CharField(
        label=_("About me"),
        max_length=BIO_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text, up to 600 characters."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_timezone_choices, required=False)
    avatar = forms.ImageField(
        label=_("Picture"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, up to 4 MB; it is cropped to a square."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture"), required=False)

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please choose a display name."))
        return name
