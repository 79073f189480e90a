import uuid

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import POST_MAX, TITLE_MAX, Thread

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
