from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from config.health import health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


TRIVIAL_BODY = ("Agora benchmark ceiling. " * 205)[:5120]


def bench_trivial(request: HttpRequest) -> HttpResponse:
    """A 5 KB response through the whole middleware stack: the ceiling the benchmark compares pages to."""
    return HttpResponse(TRIVIAL_BODY, content_type="text/plain; charset=utf-8")
