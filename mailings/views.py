"""One-click unsubscribe (RFC 8058): a POST to the link unsubscribes at once, without session, cookie
or CSRF token (the signed token is the proof); a GET only shows the page with one button, since mail
scanners follow links."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from mailings import services
from mailings.lists import LISTS, token_member


@csrf_exempt
def unsubscribe(request: HttpRequest, list_key: str, token: str) -> HttpResponse:
    if token_member(list_key, token) is None:
        raise Http404
    context = {"list": LISTS[list_key], "done": False}
    if request.method == "POST":
        # The newsletter's link names its issue: its status page counts who left from it.
        issue = request.GET.get("issue", "")
        source = f"one-click:issue-{int(issue)}" if issue.isdigit() and len(issue) < 12 else "one-click"
        if not services.list_unsubscribe(list_key=list_key, token=token, source=source):
            raise Http404  # the account was deleted since the e-mail was sent
        context["done"] = True
    return render(request, "mailings/unsubscribe.html", context)
