"""The period (and the space) a report shows: the last 30 days unless chosen, at most three years."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Space, Visibility

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


EARLIEST = date(2000, 1, 1)


class ReportFilter(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    space = forms.ModelChoiceField(
        label=_("Space"),
        required=False,
        empty_label=_("All spaces"),
        queryset=Space.objects.exclude(visibility=Visibility.STAFF).order_by("order", "name"),
    )

    def __init__(self, data=None, *, by_space: bool = False) -> None:
        today = timezone.localdate()
        data = data.copy() if data is not None else {}
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            data["start"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data)
        if not by_space:
            del self.fields["space"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and start < EARLIEST:
            # The previous period is read too: a date near year 1 would have none to compare with.
            self.add_error("start", _("Choose a date from the year 2000 on."))
        elif start and end and start > end:
            self.add_error("end", _("The end date comes before the start date."))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("start", _("Choose a range of at most three years."))
        return data

    def period(self) -> tuple[date, date, int | None]:
        space = self.cleaned_data.get("space")
        return self.cleaned_data["start"], self.cleaned_data["end"], space.pk if space else None
