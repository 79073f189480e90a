"""What members write, cleaned and rendered once on write: shared by the forum's and moderation's
services."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import POST_MAX, TITLE_MAX
from community.text import mentioned_names, render_markdown
from core.text import clean_text


def clean_body(body: str) -> str:
    body = clean_text(body)
    if not body:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(body) > POST_MAX:
        raise ValidationError(
            {
                "body": _("A post holds at most %(max)s characters; this one has %(n)s.")
                % {"max": POST_MAX, "n": len(body)}
            }
        )
    return body


def render_body(body: str) -> str:
    """Markdown to sanitised HTML, linking the @handles of members who exist (one query)."""
    names = mentioned_names(body)
    known = {}
    if names:
        handles = User.objects.filter(handle__iregex=r"^(" + "|".join(map(re.escape, names[:50])) + r")$")
        known = {h.lower(): (h, pk) for h, pk in handles.filter(is_active=True).values_list("handle", "pk")}
    return render_markdown(body, known)


def clean_title(title: str) -> str:
    title = " ".join(clean_text(title).split())
    if len(title) < 3:
        raise ValidationError({"title": _("Give the thread a title of at least 3 characters.")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("A title holds at most %(max)s characters.") % {"max": TITLE_MAX}})
    return title
