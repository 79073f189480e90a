from django.urls import path

from community.views import members

app_name = "community"

urlpatterns = [
    path("members/<str:handle>/", members.profile, name="profile"),
    path("me/settings/", members.settings_page, name="settings"),
    path("me/invitations/", members.invitations, name="invitations"),
    path("me/invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation-revoke"),
    path("me/data.json", members.data_export, name="data-export"),
    path("me/delete/", members.account_delete, name="account-delete"),
    path("invite/<str:code>/", members.invitation_landing, name="invitation"),
]
