from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from config.health import health_report
from config.metrics import scrape_registry
from core.observability import bearer_token_matches


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Everyone gets the verdict ({"ok": …}, 200 or 503); staff and `Bearer <HEALTHZ_TOKEN>` also get
    the checks, their errors and the heartbeat's age, which name the servers' state to an attacker."""
    report = health_report()
    status = 200 if report["ok"] else 503
    if request.user.is_staff or bearer_token_matches(request, settings.HEALTHZ_TOKEN):
        return JsonResponse(report, status=status)
    return JsonResponse({"ok": report["ok"]}, status=status)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape, for `Bearer <METRICS_TOKEN>` only; without a token the metrics are off."""
    if not settings.METRICS_TOKEN:
        return HttpResponseNotFound()
    if not bearer_token_matches(request, settings.METRICS_TOKEN):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


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
