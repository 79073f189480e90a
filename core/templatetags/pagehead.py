"""`{% page_head %}`: the head's tags for search engines, link previews and browsers' icons (core.head).
Built into every Django template (settings.TEMPLATES)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.head import head_tags, icon_links

register = template.Library()


@register.simple_tag(takes_context=True)
def page_head(context: Any) -> SafeString:
    branding, version = context.get("branding"), context.get("icon_version", "")
    if branding is None:  # error pages rendered with no context processor
        return mark_safe("")
    tags = head_tags(context.get("head"), site_name=branding.name, icon_version=version)
    icons = icon_links(version, branding.brand_colour)
    return format_html("{}\n  {}", tags, icons) if tags else icons
