from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import views as sitemaps
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from config import csp
from config.health import health_report
from config.metrics import scrape_registry
from core import icons
from core.branding import branding_get
from core.links import absolute_url
from core.observability import bearer_token_matches
from core.ratelimit import retry_after


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
    # Absolute, on the site's canonical origin, as the sitemap's addresses are.
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# The icons, drawn from the branding (core/icons.py). Browsers ask for /favicon.ico by itself and keep
# icons long; the pages' links carry the branding's icon version, so a new branding is fetched anew.
ICON_SECONDS = 86400
icon_cache = cache_control(max_age=ICON_SECONDS, public=True)


@icon_cache
def favicon_ico(request: HttpRequest) -> HttpResponse:
    return HttpResponse(icons.icon_bytes("ico"), content_type="image/x-icon")


@icon_cache
def icon_png(request: HttpRequest, size: int) -> HttpResponse:
    if size not in icons.PNG_SIZES:
        raise Http404
    return HttpResponse(icons.icon_bytes("png", size), content_type="image/png")


def apple_touch_icon(request: HttpRequest) -> HttpResponse:
    return icon_png(request, icons.TOUCH_SIZE)


@icon_cache
def icon_svg(request: HttpRequest) -> HttpResponse:
    colour = branding_get().brand_colour
    context = {"colour": colour, "ink": icons.ink(colour), "letter": icons.monogram(branding_get().name)}
    return HttpResponse(render_to_string("core/icon.svg", context), content_type="image/svg+xml")


@icon_cache
def web_manifest(request: HttpRequest) -> JsonResponse:
    branding = branding_get()
    version = icons.icon_version(branding)
    manifest = {
        "name": branding.name,
        "short_name": branding.name,
        "description": branding.tagline,
        "lang": settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "theme_color": branding.brand_colour,
        "background_color": "#ffffff",
        "icons": [
            *(
                {
                    "src": f"{reverse('icon-png', args=[size])}?v={version}",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in icons.PNG_SIZES
                if size != icons.TOUCH_SIZE
            ),
            {"src": f"{reverse('icon-svg')}?v={version}", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


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
    if wait := retry_after(request, "csp_report"):
        return HttpResponse(status=429, headers={"Retry-After": str(wait)})
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


def sitemap_index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Django's sitemap index, its links on SITE_URL like the sections' own addresses: on another
    allowed host (www. and the bare domain) the index would point to sections of a different host."""
    response = sitemaps.index(request, **kwargs)
    for item in response.context_data["sitemaps"]:  # type: ignore[attr-defined]
        parts = urlsplit(item.location)
        item.location = absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response
