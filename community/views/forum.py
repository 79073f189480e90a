from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.selectors.forum import member_count


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "community/home.html", {"member_count": member_count()})
