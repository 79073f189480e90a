import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import BIO_MAX, DISPLAY_NAME_MAX, HANDLE_MAX, handle_validator
from community.models import DigestFrequency, Invitation

# Account and preferences ----------------------------------------------------------------------------


def _timezone_choices() -> list[tuple[str, str]]:
    return [("", _("Same as the community"))] + [
        (name, name) for name in sorted(zoneinfo.available_timezones())
    ]


class MemberSettingsForm(forms.Form):
    """The one settings page: the profile (accounts) and the community preferences (MemberState)."""

    display_name = forms.CharField(label=_("Display name"), max_length=DISPLAY_NAME_MAX)
    handle = forms.CharField(
        label=_("Handle"),
        max_length=HANDLE_MAX,
        validators=[handle_validator],
        help_text=_("Others mention you with @handle: letters, digits, dots, dashes and underscores."),
    )
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
    email_on_mention = forms.BooleanField(label=_("E-mail me when someone mentions me"), required=False)
    email_on_reply = forms.BooleanField(label=_("E-mail me replies in threads I follow"), required=False)
    digest = forms.ChoiceField(
        label=_("Digest of what I missed"), choices=DigestFrequency.choices, widget=forms.RadioSelect
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please choose a display name."))
        return name


# Invitations ----------------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=Invitation._meta.get_field("note").max_length,
        required=False,
        help_text=_("Who is it for? Only you see it."),
    )
    max_uses = forms.IntegerField(
        label=_("How many people can join with it"), min_value=1, max_value=100, initial=5
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Leave empty for a link that does not expire."),
    )


# Privacy --------------------------------------------------------------------------------------------


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm that you want to delete your account."),
    )
