from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.decorators.cache import cache_control

from community.sitemaps import ProfileSitemap, SpaceSitemap, ThreadSitemap
from community.views.forum import home
from config import views
from config.views import bench_trivial, csp_report, healthz, metrics, robots_txt
from events.sitemaps import EventSitemap
from reporting.views import privacy

# The sitemap's sections, each made per request (classes: their cached reads live one request).
SITEMAPS = {
    "spaces": SpaceSitemap,
    "threads": ThreadSitemap,
    "events": EventSitemap,
    "members": ProfileSitemap,
}
# Crawlers come back for them; an hour old is fresh enough, and a cache in front may keep them.
sitemap_cache = cache_control(public=True, max_age=3600)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        sitemap_cache(views.sitemap_index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_cache(sitemaps.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "core/sitemap.xml"},
        name="sitemap-section",
    ),
    path("favicon.ico", views.favicon_ico, name="favicon"),
    path("icon.svg", views.icon_svg, name="icon-svg"),
    path("apple-touch-icon.png", views.apple_touch_icon, name="apple-touch-icon"),
    path("icon-<int:size>.png", views.icon_png, name="icon-png"),
    path("site.webmanifest", views.web_manifest, name="web-manifest"),
    path(settings.CSP_REPORT_PATH.lstrip("/"), csp_report, name="csp-report"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("reporting/", include("reporting.urls")),
    path("privacy/", privacy, name="privacy"),
    path("events/", include("events.urls")),
    path("mailings/anymail/", include("anymail.urls")),
    path("mailings/", include("mailings.urls")),
    path("", include("moderation.urls")),
    path("", home, name="home"),
    path("", include("community.urls")),
]

if settings.BENCHMARK_VIEWS:
    urlpatterns.insert(0, path("bench/trivial/", bench_trivial, name="bench-trivial"))
