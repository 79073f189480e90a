from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.filters import PostSearchFilter
from community.selectors.search import MAX_PAGES, search_spaces
from core import activity
from core.pagecache import anonymous_page_cache
from core.ratelimit import rate_limited


@anonymous_page_cache(params=("q", "space", "author", "after", "before", "page"))
# Inside the shared copy: a copy served costs nothing and is not counted.
@rate_limited("search", when=lambda request: bool(request.GET.get("q")))
def search(request: HttpRequest) -> HttpResponse:
    """The search page, open to everyone; each viewer searches only the spaces they may read.

    Signed-out visitors all read the public spaces: they share a copy of each results page for a few
    seconds, like the other public pages (core/pagecache.py).
    """
    filterset = PostSearchFilter(request.GET or None, spaces=search_spaces(request.user))
    page = _page_number(request)
    results = filterset.search(page=page)
    if results is not None and page == 1:
        activity.search_made(filterset.text, results.total)  # top searches, and those finding nothing
    return render(request, "community/search.html", {"filter": filterset, "results": results})


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), MAX_PAGES)
    except ValueError:
        return 1
