from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.event_list, {"past": True}, name="past"),
    path("calendar/", views.event_calendar, name="calendar"),
    path("overlay/", views.list_overlay, name="list-overlay"),
    path("feed/", views.feed_settings, name="feed"),
    path("feed/<int:member_id>/<str:token>.ics", views.feed_ics, name="feed-ics"),
    path("ticket/<int:registration_id>/<str:token>/", views.ticket_check_in, name="ticket-check-in"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>/overlay/", views.event_overlay, name="event-overlay"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/interested/", views.interest, name="interest"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
    path("<int:pk>/ticket/", views.ticket, name="ticket"),
    path("<int:pk>/check-in/", views.check_in, name="check-in"),
    path("<int:pk>/registrations.csv", views.attendees_csv, name="attendees-csv"),
    path("<int:pk>/duplicate/", views.duplicate, name="duplicate"),
]
