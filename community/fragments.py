"""Rendered fragments of the forum's lists, cached in Redis.

Rendering dominates the forum's pages (SQL is 1–2 ms; a post card costs about 1 ms to render, a thread
row about 0.7 ms: docs/benchmarks.md). The parts of a post or a row that are the same for every viewer
are rendered once and fetched with one MGET per page; what depends on the viewer (reaction buttons,
edit links) is rendered live around them. Keys carry every value the fragment shows that can change, so
a change makes a new key instead of needing an invalidation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")


def _viewer_key() -> str:
    """Fragments show dates and words: one copy per language and time zone."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def digest(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=10).hexdigest()


def render_many(
    template_name: str,
    items: Iterable[T],
    key: Callable[[T], str],
    context: Callable[[T], dict],
    timeout: int,
    load: Callable[[list[T]], list[T]] | None = None,
) -> list[SafeString]:
    """Each item's fragment, from the cache or rendered (without request: no context processors).

    ``load`` turns the items whose fragment is missing into the fuller objects their template needs,
    so that a page can fetch lean rows and load the rest only on a miss.
    """
    items = list(items)
    viewer = _viewer_key()
    keys = [f"fragment:{template_name}:{viewer}:{key(item)}" for item in items]
    found = cache.get_many(keys)
    missing = {k: item for k, item in zip(keys, items, strict=True) if k not in found}
    if missing:
        template = get_template(template_name)
        sources = load(list(missing.values())) if load else list(missing.values())
        rendered = {k: template.render(context(item)) for k, item in zip(missing, sources, strict=True)}
        cache.set_many(rendered, timeout=timeout)
        found.update(rendered)
    # The fragments are our own templates' output, auto-escaped when rendered.
    return [mark_safe(found[k]) for k in keys]  # noqa: S308
