from django.urls import path

from events.views import live, manage
from events.views import pages as views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.event_list, {"past": True}, name="past"),
    path("calendar/", views.event_calendar, name="calendar"),
    path("new/", manage.event_new, name="new"),
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
    path("<int:pk>/edit/", manage.event_edit, name="edit"),
    path("<int:pk>/state/", manage.event_state, name="state"),
    path("<int:pk>/repeat/", manage.event_repeat, name="repeat"),
    path("<int:pk>/questions/", live.questions, name="questions"),
    path("<int:pk>/questions/<int:question_id>/upvote/", live.upvote, name="upvote"),
    path("<int:pk>/questions/<int:question_id>/answer/", live.answer, name="answer"),
    path(
        "<int:pk>/contributions/<int:item_id>/delete/", live.contribution_delete, name="contribution-delete"
    ),
    path("<int:pk>/chat/", live.chat, name="chat"),
    path("<int:pk>/chat/messages/", live.chat_messages, name="chat-messages"),
    path("<int:pk>/contest/", live.contest, name="contest"),
    path("<int:pk>/contest/draw/", live.contest_draw, name="contest-draw"),
    path("<int:pk>/recap/", live.recap, name="recap"),
    path("<int:pk>/survey/", live.survey, name="survey"),
]
