from django.urls import path

from community.views import archive, feeds, forum, members, notifications, search

app_name = "community"

urlpatterns = [
    path("spaces/<slug:slug>/", forum.space_detail, name="space"),
    path("spaces/<slug:slug>/new/", forum.thread_new, name="thread-new"),
    path("spaces/<slug:slug>/feed/", feeds.space_feed, name="space-feed"),
    path("spaces/<slug:slug>/overlay/", forum.space_overlay, name="space-overlay"),
    path("spaces/<slug:slug>/archive/", archive.archive_index, name="space-archive"),
    path("spaces/<slug:slug>/archive/<int:year>/", archive.archive_year, name="space-archive-year"),
    path(
        "spaces/<slug:slug>/archive/<int:year>/<int:month>/",
        archive.archive_month,
        name="space-archive-month",
    ),
    path("threads/<int:pk>/", forum.thread_detail, name="thread"),
    path("threads/<int:pk>/overlay/", forum.thread_overlay, name="thread-overlay"),
    path("threads/<int:pk>/feed/", feeds.thread_feed, name="thread-feed"),
    path("threads/<int:pk>/reply/", forum.post_reply, name="reply"),
    path("threads/<int:pk>/solution/", forum.thread_solution, name="thread-solution"),
    path("threads/<int:pk>/flags/", forum.thread_flags, name="thread-flags"),
    path("threads/<int:pk>/welcome/", forum.thread_welcome, name="thread-welcome"),
    path("threads/<int:pk>/archive/", forum.thread_archive, name="thread-archive"),
    path("posts/<int:pk>/", forum.post_permalink, name="post"),
    path("posts/<int:pk>/edit/", forum.post_edit, name="post-edit"),
    path("posts/<int:pk>/history/", forum.post_history, name="post-history"),
    path("posts/<int:pk>/delete/", forum.post_delete, name="post-delete"),
    path("posts/<int:pk>/react/", forum.post_react, name="post-react"),
    path("welcome/", forum.welcome_list, name="welcome"),
    path("overlay/home/", forum.home_overlay, name="home-overlay"),
    path("members/id/<int:pk>/", members.profile_by_id, name="profile-by-id"),
    path("members/<str:handle>/", members.profile, name="profile"),
    path("me/settings/", members.settings_page, name="settings"),
    path("me/invitations/", members.invitations, name="invitations"),
    path("me/invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation-revoke"),
    path("me/data.json", members.data_export, name="data-export"),
    path("me/delete/", members.account_delete, name="account-delete"),
    path("invite/<str:code>/", members.invitation_landing, name="invitation"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
    path("search/", search.search, name="search"),
    path("archive/", archive.archive_index, name="archive"),
    path("archive/<int:year>/", archive.archive_year, name="archive-year"),
    path("archive/<int:year>/<int:month>/", archive.archive_month, name="archive-month"),
]
