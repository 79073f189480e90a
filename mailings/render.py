"""Bulk e-mail (digests, newsletters) as members read it: HTML with its CSS inlined (css-inline; mail
clients drop <style>), a plain-text part, both in the member's language and time zone, with absolute
links, the RFC 8058 unsubscribe headers and a footer to leave the list or open all e-mail settings."""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.branding import branding_get
from core.links import absolute_url
from core.timezones import time_zone
from mailings.lists import PREFERENCES, unsubscribe_headers, unsubscribe_url

# Keeps the <style> too, for the clients that read it (media queries, dark mode); no remote CSS.
INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def bulk_context(member, *, list_key: str) -> dict:
    branding = branding_get()
    return {
        "recipient": member,
        "site_name": branding.name,
        "brand_colour": branding.brand_colour,
        "site_url": settings.SITE_URL,
        "unsubscribe_link": unsubscribe_url(member.pk, list_key),
        "preferences_link": absolute_url(reverse(PREFERENCES["url_name"])) if PREFERENCES else "",
    }


def render_parts(member, template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML (CSS inlined) of `<template>_subject.txt`, `.txt`, `.html`, rendered
    in the member's language and time zone."""
    with (
        translation.override(member.language or settings.LANGUAGE_CODE),
        timezone.override(time_zone(member.time_zone)),
    ):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = INLINER.inline(render_to_string(f"{template}.html", context))
    return subject, text, html


def bulk_email(member, template: str, context: dict, *, list_key: str) -> EmailMultiAlternatives:
    context = {**bulk_context(member, list_key=list_key), **context}
    subject, text, html = render_parts(member, template, context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[member.email],
        headers={**unsubscribe_headers(member.pk, list_key), "Precedence": "bulk"},
    )
    email.attach_alternative(html, "text/html")
    return email
