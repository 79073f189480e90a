from django.urls import path

from community.views import notifications

app_name = "community"

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
]
