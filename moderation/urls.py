from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.netiquette, name="netiquette"),
    path("accept/", views.netiquette_accept, name="netiquette-accept"),
]
