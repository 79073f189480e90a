"""The archive: every published thread by the month it was started, for the whole community or one
space, in the spaces the reader may read. Signed-out visitors share each page for a few seconds, as
they share search results (core/pagecache.py)."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from community.archive import archive_sections
from community.models import Space
from community.selectors import archive as selectors
from community.selectors.forum import access_space
from community.views.forum import thread_rows
from core.pagecache import anonymous_page_cache


def _space(request: HttpRequest, slug: str | None) -> Space | None:
    """The space of a space's archive (404 for a missing or forbidden one alike), None for the whole."""
    return access_space(request.user, slug) if slug else None


def _url(space: Space | None, name: str, *args: int) -> str:
    """An archive page's address: the whole community's, or the space's."""
    if space is None:
        return reverse(f"community:{name}", args=args)
    return reverse(f"community:space-{name}", args=[space.slug, *args])


def _check_year(year: int) -> None:
    # Bounded so that the month after December exists (datetime stops at 9999).
    if not datetime.MINYEAR <= year < datetime.MAXYEAR:
        raise Http404


@anonymous_page_cache()
def archive_index(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The years holding threads, with their counts."""
    space = _space(request, slug)
    years = selectors.archive_years(request.user, space)
    context = {
        "space": space,
        "periods": [(period, _url(space, "archive-year", period.start.year)) for period in years],
    }
    return render(request, "community/archive.html", context)


@anonymous_page_cache()
def archive_year(request: HttpRequest, year: int, slug: str | None = None) -> HttpResponse:
    """The months of a year holding threads, with their counts."""
    _check_year(year)
    space = _space(request, slug)
    months = selectors.archive_months(request.user, space, year)
    if not months:
        raise Http404
    context = {
        "space": space,
        "year": datetime.date(year, 1, 1),
        "index_url": _url(space, "archive"),
        "periods": [(period, _url(space, "archive-month", year, period.start.month)) for period in months],
    }
    return render(request, "community/archive.html", context)


@anonymous_page_cache(params=("after",))
def archive_month(request: HttpRequest, year: int, month: int, slug: str | None = None) -> HttpResponse:
    """The threads started in a month, fifty at a time, and what other apps add for that month."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise Http404
    space = _space(request, slug)
    after = request.GET.get("after")
    page = selectors.archive_threads(request.user, space, year, month, after)
    sections = archive_sections(request.user, space, year, month) if not after else []
    if not page.threads and not sections:
        raise Http404
    context = {
        "space": space,
        "year": datetime.date(year, 1, 1),
        "month": datetime.date(year, month, 1),
        "index_url": _url(space, "archive"),
        "year_url": _url(space, "archive-year", year),
        "page": page,
        "rows": thread_rows(request, page.threads, show_space=space is None, started=True),
        "sections": [mark_safe(section.render(request)) for section in sections],  # noqa: S308 - templates' output
    }
    return render(request, "community/archive_month.html", context)
