"""User text of the forum: Markdown rendered once on write (core.text, with @mentions on top), then
cleaned by the one allowlist sanitiser; and the text search configurations search shares with the database."""

from __future__ import annotations

import re

from django.urls import reverse
from markdown_it.token import Token

from core.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    headings_shifted,
    markdown_parser,
    sanitize_html,
)

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "sanitize_html"]

# Search is accent-insensitive through PostgreSQL's unaccent dictionary: these text search
# configurations (community migration 0012) copy French and English with unaccent before the stemmer,
# for the indexed columns, the queries and the highlighted snippets alike.
SEARCH_CONFIGS = {"french": "agora_french", "english": "agora_english"}

MENTION_RE = re.compile(r"(?<![\w@/])@([\w.\-]{2,60})", re.UNICODE)

# The project's parser (core.text) with the forum's @mentions on top.
_markdown = markdown_parser()


def _link_mentions(state) -> None:
    """Turn @handle of known members into links to their profile (outside links and code)."""
    known = state.env.get("mentions") or {}
    if not known:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, inside_link = [], 0
        for token in block.children:
            inside_link += token.type == "link_open"
            inside_link -= token.type == "link_close"
            if token.type != "text" or inside_link or "@" not in token.content:
                children.append(token)
                continue
            cursor = 0
            for match in MENTION_RE.finditer(token.content):
                found = known.get(match.group(1).rstrip(".-").lower())
                if found is None:
                    continue
                handle, member_id = found
                children.append(_text(token, token.content[cursor : match.start()]))
                opening = Token(
                    "link_open",
                    "a",
                    1,
                    attrs={"href": reverse("community:profile-by-id", args=[member_id]), "class": "mention"},
                )
                children += [opening, _text(token, f"@{handle}"), Token("link_close", "a", -1)]
                cursor = match.start() + 1 + len(handle)
            children.append(_text(token, token.content[cursor:]))
        block.children = children


def _text(like: Token, content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


_markdown.core.ruler.push("mentions", _link_mentions)


def render_markdown(source: str, mentions: dict[str, tuple[str, int]] | None = None) -> str:
    """CommonMark with raw HTML off, then sanitised; headings shift down so posts never outrank the page.

    ``mentions`` maps lower-cased handles of existing members to (handle, id): those become links to
    the member's profile by id, which outlive a change of handle.
    """
    html = _markdown.render(source, {"mentions": mentions or {}})
    return sanitize_html(headings_shifted(html))


def mentioned_names(source: str) -> list[str]:
    """The @names in a post, outside code, in order, without repeats."""
    without_code = re.sub(r"```.*?```|`[^`]*`", " ", source, flags=re.S)
    seen: dict[str, None] = {}
    for name in MENTION_RE.findall(without_code):
        seen.setdefault(name.rstrip(".-"), None)
    return list(seen)
