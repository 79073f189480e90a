from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("avatars/<int:user_id>/<str:version>.webp", views.avatar, name="avatar"),
    path("language/", views.language_switch, name="language"),
]
