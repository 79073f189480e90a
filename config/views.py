from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache

from config.health import health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


# What crawlers leave alone: members' own pages, the team's tools, sign-in forms, and the redirects and
# one-click links of e-mails. Public spaces and threads are theirs to index.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/me/", "/reporting/", "/mailings/", "/notifications/", "/search"]


@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


TRIVIAL_BODY = ("Agora benchmark ceiling. " * 205)[:5120]


def bench_trivial(request: HttpRequest) -> HttpResponse:
    """A 5 KB response through the whole middleware stack: the ceiling the benchmark compares pages to."""
    return HttpResponse(TRIVIAL_BODY, content_type="text/plain; charset=utf-8")
