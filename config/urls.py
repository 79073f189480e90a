from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from community.views.forum import home
from config.views import bench_trivial, csp_report, healthz, robots_txt
from reporting.views import privacy

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots-txt"),
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
