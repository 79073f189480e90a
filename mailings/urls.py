from django.urls import path

from mailings import newsletter_views as newsletter
from mailings import views

app_name = "mailings"

urlpatterns = [
    path("unsubscribe/<slug:list_key>/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletters/", newsletter.newsletter_list, name="newsletters"),
    path("newsletters/new/", newsletter.newsletter_new, name="newsletter-new"),
    path("newsletters/picks/", newsletter.picks_search, name="newsletter-picks"),
    path("newsletters/<int:pk>/", newsletter.newsletter_detail, name="newsletter"),
    path("newsletters/<int:pk>/edit/", newsletter.newsletter_edit, name="newsletter-edit"),
    path("newsletters/<int:pk>/preview/", newsletter.newsletter_preview, name="newsletter-preview"),
    path("newsletters/<int:pk>/test/", newsletter.newsletter_test, name="newsletter-test"),
    path("newsletters/<int:pk>/schedule/", newsletter.newsletter_schedule, name="newsletter-schedule"),
    path("newsletters/<int:pk>/send/", newsletter.newsletter_send, name="newsletter-send"),
    path("newsletters/<int:pk>/cancel/", newsletter.newsletter_cancel, name="newsletter-cancel"),
    path("archive/", newsletter.archive, name="archive"),
    path("archive/<int:pk>/", newsletter.archive_issue, name="archive-issue"),
    path("l/<str:token>/", newsletter.click, name="click"),
    path("privacy/", newsletter.privacy, name="privacy"),
]
