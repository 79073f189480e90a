"""Page views, visitors and the members who came, counted for the dashboards (core/activity.py): full
HTML pages only (not htmx fragments, files or the health check), and not known crawlers."""

from __future__ import annotations

import re

from core import activity
from core.ratelimit import client_address

CRAWLERS = re.compile(
    r"bot|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|headless|python-requests|curl|wget|"
    r"monitor|uptime|lighthouse|preview",
    re.IGNORECASE,
)


class ActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.headers.get("HX-Request")
        ):
            agent = request.headers.get("User-Agent", "")
            if agent and not CRAWLERS.search(agent):
                user = request.user
                if user.is_authenticated:
                    activity.page_viewed(member_id=user.pk, visitor=None)
                else:
                    address = client_address(request)
                    token = activity.visitor_token(address, agent, activity.today())
                    activity.page_viewed(member_id=None, visitor=token)
        return response
