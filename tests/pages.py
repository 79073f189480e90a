"""Reading a shared page as a member's browser does: the page, then its overlay."""

from __future__ import annotations

import html
import re

from django.test import Client

OVERLAY = re.compile(r'hx-get="([^"]*overlay/[^"]*)"')


def page_with_overlay(client: Client, url: str, **params) -> str:
    """The page and, when it asks for one, its overlay (what htmx fetches on load), as one text."""
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    found = OVERLAY.search(page)
    if found is None:
        return page
    overlay = client.get(html.unescape(found.group(1)), headers={"HX-Request": "true"})
    assert overlay.status_code in (200, 204), overlay.status_code
    return page + overlay.content.decode()


thread_page_with_overlay = page_with_overlay


def signed_in(user) -> Client:
    """A browser of its own, signed in as the user, reading English."""
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client
