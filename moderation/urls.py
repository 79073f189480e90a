from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("netiquette/", views.netiquette, name="netiquette"),
    path("netiquette/accept/", views.netiquette_accept, name="netiquette-accept"),
    path("moderation/flag/<slug:item_type>/<int:item_id>/", views.flag, name="flag"),
    path("moderation/notices/", views.notice_list, name="notices"),
    path("moderation/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("moderation/notices/<int:pk>/appeal/", views.notice_appeal, name="appeal"),
]
