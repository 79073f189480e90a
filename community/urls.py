from django.urls import path

from community.views import forum

urlpatterns = [
    path("", forum.home, name="home"),
]
