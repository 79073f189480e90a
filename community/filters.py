"""Filters of the community's lists, parsed and validated by django-filter."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Post, Space
from community.selectors.search import QUERY_MAX, QUERY_MIN, SearchPage, post_search


class SearchForm(forms.Form):
    """The checks that span a field or need the database; django-filter adds the fields."""

    def clean_q(self) -> str:
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if text and len(text) < QUERY_MIN:
            raise forms.ValidationError(_("Type at least 2 characters."), code="too_short")
        if len(text) > QUERY_MAX:
            raise forms.ValidationError(_("Type at most 200 characters."), code="too_long")
        return text

    def clean_author(self):
        handle = (self.cleaned_data.get("author") or "").strip().removeprefix("@")
        if not handle:
            return None
        author = get_user_model().objects.filter(handle__iexact=handle).only("pk", "handle").first()
        if author is None:
            raise forms.ValidationError(
                _("No member has the handle @%(handle)s."), code="unknown", params={"handle": handle}
            )
        return author

    def clean(self) -> dict:
        cleaned = super().clean()
        after, before = cleaned.get("after"), cleaned.get("before")
        if after and before and after > before:
            self.add_error("before", _("The end date comes before the start date."))
        return cleaned


class PostSearchFilter(django_filters.FilterSet):
    """The search form: words, and optionally a space, an author and a date range.

    The search itself is one hand-written SQL statement (`community.selectors.search.post_search`) that
    ranks a bounded set of candidates; this FilterSet parses and validates the filters and hands their
    values to it. Spaces are limited to those the viewer may see.
    """

    q = django_filters.CharFilter(
        label=_("Search for"),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": QUERY_MAX, "autocomplete": "off"}),
        help_text=_('Put words in "quotes" for a phrase; -word leaves out posts with that word.'),
    )
    space = django_filters.ChoiceFilter(label=_("Space"), empty_label=_("All spaces"))
    author = django_filters.CharFilter(
        label=_("Author"), help_text=_("A member's @handle."), widget=forms.TextInput(attrs={"size": 16})
    )
    after = django_filters.DateFilter(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    before = django_filters.DateFilter(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Post
        form = SearchForm
        fields: list[str] = []

    def __init__(self, data=None, *, spaces: list[Space], **kwargs) -> None:
        super().__init__(data, queryset=Post.objects.none(), **kwargs)
        self._spaces = {space.slug: space for space in spaces}
        self.filters["space"].extra["choices"] = [(space.slug, space.name) for space in spaces]
        self.filters["space"].extra["error_messages"] = {
            "invalid_choice": _("Choose one of the spaces in the list.")
        }

    @property
    def text(self) -> str:
        """The cleaned query, or "" when there is none or the form is invalid."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        return self.form.cleaned_data["q"]

    def search(self, *, page: int = 1) -> SearchPage | None:
        """The page of results, or None when there is nothing to search for (or the form is invalid)."""
        if not self.text:
            return None
        data = self.form.cleaned_data
        author = data.get("author")
        return post_search(
            text=self.text,
            spaces=list(self._spaces.values()),
            space=self._spaces.get(data.get("space") or ""),
            author_id=author.pk if author else None,
            after=_start_of(data.get("after")),
            before=_start_of(data["before"] + datetime.timedelta(days=1)) if data.get("before") else None,
            page=page,
        )


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    """Midnight of `day` in the viewer's time zone (dates are inclusive on both ends)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
