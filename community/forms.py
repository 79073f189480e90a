import uuid
import zoneinfo

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import BIO_MAX, DISPLAY_NAME_MAX, HANDLE_MAX, handle_validator
from community.models import POST_MAX, TITLE_MAX, DigestFrequency, Invitation, Thread
from mailings.lists import NEWSLETTER_OPT_IN

BODY_HELP = _(
    "Markdown: **bold**, *italic*, [link](https://…), lists, > quotes, `code`. Mention with @handle."
)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, strip=True)
    body = forms.CharField(
        label=_("Message"),
        max_length=POST_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=BODY_HELP,
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=POST_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
    )
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    body = forms.CharField(
        label=_("Message"),
        max_length=POST_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=BODY_HELP,
    )


class ThreadListFilter(django_filters.FilterSet):
    """The filters of a space's thread list."""

    SHOW_CHOICES = [
        ("", _("All threads")),
        ("unanswered", _("Unanswered")),
        ("solved", _("Solved")),
        ("featured", _("Featured")),
        ("mine", _("Mine")),
    ]
    show = django_filters.ChoiceFilter(
        label=_("Show"), choices=SHOW_CHOICES[1:], empty_label=SHOW_CHOICES[0][1], method="filter_show"
    )

    class Meta:
        model = Thread
        fields = ["show"]

    def filter_show(self, queryset, name, value):
        if value == "unanswered":
            return queryset.filter(post_count__lte=1)
        if value == "solved":
            return queryset.filter(solution__isnull=False)
        if value == "featured":
            return queryset.filter(featured_at__isnull=False)
        if value == "mine":
            user = self.request.user if self.request else None
            return queryset.filter(author=user) if user and user.is_authenticated else queryset.none()
        return queryset


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
        label=_("Digest of what I missed"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Sent in the morning after each period, in your time zone; not sent when you came to the site "
            "since the period began, nor when there is nothing new for you."
        ),
    )
    newsletter = forms.BooleanField(label=NEWSLETTER_OPT_IN, required=False)

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
