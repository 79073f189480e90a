from django.urls import path

from mailings import views

app_name = "mailings"

urlpatterns = [
    path("unsubscribe/<slug:list_key>/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
