from django.contrib import admin
from django.urls import include, path

from community.views.forum import home
from config.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("reporting/", include("reporting.urls")),
    path("", home, name="home"),
    path("", include("community.urls")),
]
