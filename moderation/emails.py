"""Moderation's e-mails to authors, written in the recipient's language (plain text)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.branding import branding_get
from moderation.models import Notice
from moderation.selectors.notices import notice_token, statement_for


def notice_email(payload: dict) -> EmailMessage | None:
    """The notice's e-mail (a delivery's payload names it), or None when the notice is gone."""
    notice = (
        Notice.objects.select_related("decision__case", "recipient", "appeal")
        .filter(pk=payload["notice"])
        .first()
    )
    if notice is None:
        return None
    recipient = notice.recipient
    if not recipient.email:
        return None
    site = branding_get().name
    link = settings.SITE_URL + reverse("moderation:notice", args=[notice.pk]) + "?t=" + notice_token(notice)
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {"statement": statement_for(notice), "notice": notice, "link": link, "site_name": site}
        subject = " ".join(render_to_string("moderation/email/notice_subject.txt", context).split())
        body = render_to_string("moderation/email/notice.txt", context)
    # Sent even to a banned (inactive) account: the statement of reasons is owed all the same.
    return EmailMessage(
        subject=f"[{site}] {subject}",
        body=body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
