"""Text from people, made safe to show: CommonMark with raw HTML off, then the project's one allowlist
sanitiser (nh3). Apps add their own syntax on top (community links @mentions); what needs none (the
newsletter's introduction) renders here."""

from __future__ import annotations

import html as html_entities
import re
import unicodedata
from collections.abc import Callable

import nh3
from django.utils.html import strip_tags
from django.utils.text import Truncator
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _image_as_link(tokens, idx, options, env) -> str:
    """Images become links to them: an <img> would load on every reader's page, and a same-site one
    would send a GET in their name (an invitation link, a view count) just by being seen."""
    token = tokens[idx]
    src = escapeHtml(token.attrGet("src") or "")
    label = escapeHtml(token.content or token.attrGet("src") or "")
    return f'<a href="{src}">{label}</a>'


def markdown_parser() -> MarkdownIt:
    """A CommonMark parser with raw HTML off, tables and strikethrough, images shown as links; each
    caller gets its own, so an app's extra rules (mentions) stay its own."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    parser.renderer.rules["image"] = _image_as_link  # type: ignore[attr-defined]
    return parser


_markdown = markdown_parser()


def sanitize_html(html: str, *, rewrite_link: Callable[[str], str] | None = None) -> str:
    """The project's one HTML cleaner (nh3, an allowlist): only http, https, mailto and relative links.

    ``rewrite_link`` maps each link's target to another (the newsletter's click redirect), inside the
    same pass, so the result is as clean as the input."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        return rewrite_link(value) if rewrite_link and tag == "a" and name == "href" else value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=attribute if rewrite_link else None,
    )


def headings_shifted(html: str) -> str:
    """User text never outranks the page: its top headings become second-level ones."""
    return re.sub(r"<(/?)h1>", r"<\1h2>", html)


def render_markdown(source: str) -> str:
    """Markdown to safe HTML, without any app's extra syntax."""
    return sanitize_html(headings_shifted(_markdown.render(source)))


def html_links(html: str) -> list[str]:
    """The link targets of (sanitised) HTML, in order, without repeats."""
    found: dict[str, None] = {}

    def keep(tag: str, name: str, value: str) -> str:
        if tag == "a" and name == "href":
            found.setdefault(value, None)
        return value

    nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=keep)
    return list(found)


def clean_text(value: str) -> str:
    """Normalise what a member typed: NFC, no NUL, control or format characters (among them the
    right-to-left override and the other bidirectional controls, which would reverse what follows),
    trimmed."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return value.strip()


def clean_name(value: str) -> str:
    """A name as shown beside posts and in titles: cleaned as any text, on one line."""
    return " ".join(clean_text(value).split())


# Where one block of text ends and the next begins: a space there, so that paragraphs do not run together.
_BLOCK_END = re.compile(r"<(?:br\s*/?|/(?:p|li|h[2-6]|blockquote|pre|tr|td|th|table))>", re.IGNORECASE)


def plain_excerpt(text: str, chars: int) -> str:
    """Plain text on one line, cut at `chars` with an ellipsis (a page's description, an excerpt)."""
    return Truncator(" ".join(text.split())).chars(chars)


def html_excerpt(html: str, chars: int) -> str:
    """The plain text of (sanitised) HTML, as plain_excerpt: a page's description for search engines
    and link previews. Plain text: the template escapes it."""
    return plain_excerpt(html_entities.unescape(strip_tags(_BLOCK_END.sub(" ", html))), chars)
