from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config import csp
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


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """A browser's report of what the Content-Security-Policy blocked, in either form (config.csp):
    204 once counted; 429 past the client's rate, 413 for a body too large, 415 for another kind of
    body, 400 for one that is no report (nothing is written then)."""
    if not csp.report_allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponse(status=429)
    if request.content_type not in csp.CONTENT_TYPES:
        return HttpResponse(status=415)
    limit = settings.CSP_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        return HttpResponse(status=413)
    try:
        violations = csp.violations_parse(body, request.content_type)
    except csp.BadReport:
        return HttpResponse(status=400)
    csp.violations_record(violations)
    return HttpResponse(status=204)
