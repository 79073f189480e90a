"""A registration's ticket: a signed check-in address, shown as a QR code the door's phone scans.

The address carries the registration's id signed with the site's key (no column to keep, nothing to
guess); opening it is only of use to the community team, who check the member in from it.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse

from events.models import Registration

SALT = "events.ticket"


def ticket_token(registration: Registration) -> str:
    return signing.Signer(salt=SALT).sign(str(registration.pk)).split(":", 1)[1]


def ticket_registration_id(registration_id: int, token: str) -> int | None:
    """The registration the token was signed for, or None for a forged or mistyped one."""
    try:
        return int(signing.Signer(salt=SALT).unsign(f"{registration_id}:{token}"))
    except signing.BadSignature:
        return None


def ticket_url(registration: Registration) -> str:
    path = reverse("events:ticket-check-in", args=[registration.pk, ticket_token(registration)])
    return f"{settings.SITE_URL}{path}"


def ticket_svg(registration: Registration) -> str:
    """The QR code as inline SVG (the member's ticket on the site)."""
    return segno.make(ticket_url(registration), error="m").svg_inline(scale=5, border=2)


def ticket_png(registration: Registration) -> bytes:
    """The QR code as PNG (attached to the confirmation e-mail)."""
    out = io.BytesIO()
    segno.make(ticket_url(registration), error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()
