from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.models import DailyKPI

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class KPIRangeFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = DailyKPI
        fields = ["start", "end"]

    def __init__(self, data=None, *args, **kwargs):
        today = timezone.localdate()
        data = data.copy() if data is not None else {}
        data.setdefault("end", today.isoformat())
        data.setdefault("start", (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        form = self.form
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            if start and end and start > end:
                form.add_error("end", _("The end date comes before the start date."))
            elif start and end and (end - start).days > MAX_DAYS:
                form.add_error("start", _("Choose a range of at most three years."))
        if form.errors:
            return self.queryset.none()
        return super().qs
