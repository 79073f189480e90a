"""The filters of the events page, parsed and validated by django-filter."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from community.selectors.forum import space_list
from events.models import Event, EventFormat, EventKind

MONTHS_AHEAD = 12


def month_choices(today: datetime.date) -> list[tuple[str, str]]:
    """This month and the next eleven, as "2026-12" → "December 2026" in the reader's language."""
    choices, year, month = [], today.year, today.month
    for _index in range(MONTHS_AHEAD):
        first = datetime.date(year, month, 1)
        choices.append((first.strftime("%Y-%m"), formats.date_format(first, "YEAR_MONTH_FORMAT")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return choices


class EventFilter(django_filters.FilterSet):
    format = django_filters.ChoiceFilter(
        label=_("Where"), choices=EventFormat.choices, empty_label=_("Online and in person")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EventKind.choices, empty_label=_("All kinds"))
    month = django_filters.ChoiceFilter(label=_("Month"), empty_label=_("Any month"), method="filter_month")
    space = django_filters.ChoiceFilter(
        label=_("Space"), field_name="space__slug", empty_label=_("All spaces")
    )

    class Meta:
        model = Event
        fields = ["format", "kind", "month", "space"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["month"].extra["choices"] = month_choices(timezone.localdate())
        self.filters["space"].extra["choices"] = [(space.slug, space.name) for space in space_list(user)]

    def filter_month(self, queryset, name, value):
        year, month = map(int, value.split("-"))
        zone = timezone.get_current_timezone()
        start = datetime.datetime(year, month, 1, tzinfo=zone)
        end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)
