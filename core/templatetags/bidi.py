"""`|bdi`: a member's name or title isolated from the text around it.

A name written right to left (Arabic, Hebrew) would otherwise pull the neutral characters beside it —
the "@" of the handle that follows, a comma, a date — into its own direction and reorder them.
Built into every Django template (settings.TEMPLATES) and the Jinja2 environment (core.jinja).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value: Any) -> SafeString | str:
    # Nothing stays nothing, so that {% firstof %} and defaults still see an empty name.
    return format_html("<bdi>{}</bdi>", value) if value else ""
