"""An issue of the newsletter as each member receives it, built at send time (and for the preview and
the test e-mail, the same way): the introduction, the hand-picked items each member may still see
(their source builds them for the whole batch at once), upcoming events and figures of the month when
asked, in the member's language and time zone. Every link of the issue goes through the signed click
redirect, which counts the click and leads only to a URL stored with the issue. No tracking pixel."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from core.links import absolute_url
from core.text import sanitize_html
from core.timezones import time_zone
from mailings.blocks import DIGEST_BLOCKS, FIGURES, PICK_SOURCES, Period, Pick
from mailings.lists import unsubscribe_url
from mailings.models import Newsletter
from mailings.render import bulk_email
from mailings.services.newsletters import KIND, LIST_KEY, TEST_KIND

TEMPLATE = "mailings/email/newsletter"
EVENTS_DAYS = 30

_CLICK_SALT = "mailings.newsletter.click"
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)")


# The click redirect's signed tokens --------------------------------------------------------------------


def click_token(link_id: int, member_id: int) -> str:
    return signing.Signer(salt=_CLICK_SALT).sign(f"{link_id}.{member_id}")


def click_target(token: str) -> tuple[int, int] | None:
    """(link id, member id) of a token, or None for a forged one."""
    try:
        link_id, member_id = signing.Signer(salt=_CLICK_SALT).unsign(token).split(".")
        return int(link_id), int(member_id)
    except (signing.BadSignature, ValueError):
        return None


def click_url(link_id: int, member_id: int) -> str:
    return absolute_url(reverse("mailings:click", args=[click_token(link_id, member_id)]))


# Blocks ------------------------------------------------------------------------------------------------


def _member_rendered(member, template: str, context: dict) -> tuple[str, str]:
    """A block's HTML and text, in the member's language and time zone (as the e-mail around it); on
    the site (a reader who may be signed out), in the request's."""
    if not isinstance(member, get_user_model()):
        html = render_to_string(f"{template}.html", context)
        return mark_safe(html), render_to_string(f"{template}.txt", context)  # noqa: S308 - our templates
    with (
        translation.override(member.language or settings.LANGUAGE_CODE),
        timezone.override(time_zone(member.time_zone)),
    ):
        html = render_to_string(f"{template}.html", context)
        text = render_to_string(f"{template}.txt", context)
    return mark_safe(html), text  # noqa: S308 - rendered by our templates, which escape


def figures_month(moment: datetime) -> datetime:
    """The figures of the newsletter are those of the last whole month before it is sent."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first - timedelta(days=1)).replace(day=1)


def issue_blocks(issue: Newsletter, members: list, *, moment: datetime) -> dict:
    """What the issue holds beyond its introduction, for a batch of members, in a fixed number of
    queries: each pick source and the events block are asked once for the whole batch.

    Returns {"picks": {member pk: [(source, [Pick])]}, "events": {member pk: context}, "figures": [...]}.
    """
    refs: dict[str, list[str]] = defaultdict(list)
    for pick in issue.picks:
        refs[pick["source"]].append(pick["ref"])
    picks: dict = defaultdict(list)
    for source_key, source_refs in refs.items():
        source = PICK_SOURCES.get(source_key)
        if source is None:
            continue
        built = source.build(source_refs, members)
        for member in members:
            items = (built.get(member.pk) or {}).get("items") or []
            if items:
                picks[member.pk].append((source, items))
    events: dict = {}
    block = DIGEST_BLOCKS.get("events")
    readers = [member for member in members if member.is_authenticated]
    if issue.include_events and block is not None and readers:
        events = block.build(readers, Period(moment, moment + timedelta(days=EVENTS_DAYS), "newsletter"))
    figures: list = []
    if issue.include_figures and FIGURES:
        figures = FIGURES[0](figures_month(moment))
    return {"picks": picks, "events": events, "figures": figures, "events_block": block}


def member_context(issue: Newsletter, member, blocks: dict, *, link=None) -> dict:
    """The template context of the issue for one member; `link` maps a URL to the one to show (the
    click redirect in e-mails; the URL itself on the site)."""
    link = link or absolute_url
    sections = []
    for source, items in blocks["picks"].get(member.pk, []):
        shown = [replace(item, url=link(item.url)) for item in items]
        html, text = _member_rendered(member, source.template, {"picks": shown, "label": source.label})
        sections.append({"html": html, "text": text})
    events = None
    block, events_context = blocks["events_block"], blocks["events"].get(member.pk)
    if block is not None and events_context:
        html, text = _member_rendered(member, block.template, events_context)
        events = {"html": html, "text": text}
    intro_html = sanitize_html(issue.intro_html, rewrite_link=lambda url: link(absolute_url(url)))
    # The text part shows the Markdown source: its link targets go through the redirect too.
    intro_text = MARKDOWN_LINK.sub(lambda match: f"]({link(match.group(1))}", issue.intro_md)
    return {
        "intro_text": intro_text,
        "issue": issue,
        "intro_html": mark_safe(intro_html),  # noqa: S308 - sanitised just above
        "pick_sections": sections,
        "events": events,
        "figures": blocks["figures"],
    }


# E-mails -----------------------------------------------------------------------------------------------


def _tracked(links: dict[str, int], member_id: int):
    def link(url: str) -> str:
        url = absolute_url(url)
        return click_url(links[url], member_id) if url in links else url

    return link


def newsletter_emails(
    issue: Newsletter, members: list, *, test: bool = False, tracked: bool = True
) -> dict[int, EmailMessage]:
    """The issue's e-mail for each member (a batch): what each may see of the picks, every link
    through the click redirect (but in the preview, whose clicks must not count), the issue's own
    unsubscribe link (counted on its status page)."""
    moment = issue.started_at or timezone.now()
    blocks = issue_blocks(issue, members, moment=moment)
    links = {link.url: link.pk for link in issue.links.all()}
    emails: dict[int, EmailMessage] = {}
    for member in members:
        link = _tracked(links, member.pk) if tracked else None
        context = member_context(issue, member, blocks, link=link)
        plain = unsubscribe_url(member.pk, LIST_KEY)
        tagged = f"{plain}?issue={issue.pk}"
        context |= {"unsubscribe_link": tagged, "test": test}
        email: EmailMultiAlternatives = bulk_email(member, TEMPLATE, context, list_key=LIST_KEY)
        email.extra_headers["List-Unsubscribe"] = email.extra_headers["List-Unsubscribe"].replace(
            f"<{plain}>", f"<{tagged}>", 1
        )
        emails[member.pk] = email
    return emails


def preview(issue: Newsletter, member, language: str) -> EmailMultiAlternatives:
    """The e-mail exactly as `member` would receive it, in the given language (its links lead
    straight to their pages: looking at the preview counts no click)."""
    reader = copy.copy(member)
    reader.language = language
    emails = newsletter_emails(issue, [reader], test=False, tracked=False)
    return emails[member.pk]  # type: ignore[return-value]


def _build(rows: list, *, test: bool) -> dict[int, EmailMessage | None]:
    by_issue: dict[int, list] = defaultdict(list)
    for row in rows:
        by_issue[int(row.payload.get("issue") or 0)].append(row)
    issues = Newsletter.objects.prefetch_related("links").in_bulk(list(by_issue))
    members = get_user_model().objects.in_bulk({row.member_id for row in rows})
    built: dict[int, EmailMessage | None] = {}
    for issue_id, of_issue in by_issue.items():
        issue = issues.get(issue_id)
        batch = [members[row.member_id] for row in of_issue if row.member_id in members]
        emails = newsletter_emails(issue, batch, test=test) if issue is not None else {}
        for row in of_issue:
            built[row.pk] = emails.get(row.member_id)
    return built


def build_newsletter(rows: list) -> dict[int, EmailMessage | None]:
    return _build(rows, test=False)


def build_newsletter_test(rows: list) -> dict[int, EmailMessage | None]:
    return _build(rows, test=True)


KINDS = {KIND: build_newsletter, TEST_KIND: build_newsletter_test}
__all__ = ["Pick", "click_target", "click_url", "newsletter_emails", "preview"]
