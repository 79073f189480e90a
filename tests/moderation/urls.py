"""The site's URLs plus one posting view guarded by netiquette_required, for the decorator's tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from moderation.decorators import netiquette_required


@netiquette_required
def post_reply(request: HttpRequest) -> HttpResponse:
    return HttpResponse("reply form")


urlpatterns = [path("test/reply/", post_reply, name="test-reply"), *site_urlpatterns]
