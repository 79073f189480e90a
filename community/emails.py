"""Notification e-mails, written in the recipient's language and time zone (plain text and HTML)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator

from community.models import Post, PostState, Space
from community.permissions import can_see_thread
from core.branding import branding_get
from core.links import absolute_url
from core.timezones import time_zone
from mailings.lists import unsubscribe_headers, unsubscribe_url

EXCERPT_CHARS = 400


def notification_email(payload: dict) -> EmailMultiAlternatives | None:
    """The e-mail a delivery's payload describes, or None when there is nothing left to tell.

    Nothing is left when the recipient's account is closed, or the post was deleted, hidden by moderation
    or moved where the recipient can no longer read it.
    """
    users = get_user_model().objects
    recipient = users.filter(pk=payload["recipient"], is_active=True).first()
    if recipient is None:
        return None
    kind = payload["kind"]
    post = None
    if payload.get("post"):
        post = (
            Post.objects.select_related("thread__space", "author")
            .defer("search_vector", "body_html", "thread__search_vector")
            .filter(pk=payload["post"])
            .first()
        )
        if post is None or post.state != PostState.VISIBLE or not can_see_thread(recipient, post.thread):
            return None
    actor = None
    if payload.get("actor"):
        actor = post.author if post is not None and post.author_id == payload["actor"] else None
        actor = actor or users.filter(pk=payload["actor"]).first()

    if post is not None:
        link = absolute_url(post.get_absolute_url())
    else:
        introductions = Space.objects.filter(is_introductions=True).only("slug").first()
        link = absolute_url(introductions.get_absolute_url() if introductions else reverse("home"))
    context = {
        "kind": kind,
        "actor_name": actor.public_name if actor else "",
        "thread_title": post.thread.title if post else "",
        "post": post,
        "excerpt": Truncator(post.body_md.strip()).chars(EXCERPT_CHARS) if post else "",
        "link": link,
        "settings_link": absolute_url(reverse("community:settings")),
    }
    list_key = EMAIL_LIST.get(kind)
    headers = unsubscribe_headers(recipient.pk, list_key) if list_key else {}
    if list_key:
        context["unsubscribe_link"] = unsubscribe_url(recipient.pk, list_key)
    return member_email(recipient, "community/email/notification", context, headers=headers)


# Which list an e-mail belongs to, for its one-click unsubscribe (a best answer is news of a reply).
EMAIL_LIST = {"reply": "replies", "solution": "replies", "mention": "mentions"}


def member_email(
    recipient, template: str, context: dict, *, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """An e-mail to a member from `<template>_subject.txt`, `<template>.txt` and `<template>.html`,
    written in their language and time zone, with the site's name and colour."""
    branding = branding_get()
    context = {
        "recipient": recipient,
        "site_name": branding.name,
        "brand_colour": branding.brand_colour,
        **context,
    }
    with (
        translation.override(recipient.language or settings.LANGUAGE_CODE),
        timezone.override(time_zone(recipient.time_zone)),
    ):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    email = EmailMultiAlternatives(
        subject=f"[{branding.name}] {subject}",
        body=text,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    email.attach_alternative(html, "text/html")
    return email
