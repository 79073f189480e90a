"""The Jinja2 environment of the few hot templates (a thread page's posts: docs/benchmarks.md measured
Django's template language at about 430 µs a post, Jinja2 at a fraction of it).

The same tools as the Django templates, under the same names where it can be: `url()` reverses,
`_()` translates with Django's catalogues (`{{ _("…") }}`, with no argument, is what
`makemessages -e jinja` extracts: sentences with values and plurals are passed in from Python, where
makemessages finds them), `localdate` formats a datetime in the reader's time zone with
Django's localised formats, and `csrf_input` comes from Django's Jinja2 backend.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment

from core.templatetags.bidi import bdi

# Stand-ins for integer arguments: no real id reaches them, and no route contains them otherwise.
_SENTINEL = 9_876_543_210


@functools.lru_cache(maxsize=256)
def _url_parts(prefix: str, name: str, shape: tuple) -> tuple[str, ...]:
    """The URL of `name` reversed once, cut where its integer arguments go (`shape`: each argument,
    or `int` where an integer goes). A post list reverses three URLs a post: a third of its time."""
    args = [_SENTINEL + index if part is int else part for index, part in enumerate(shape)]
    parts = [reverse(name, args=args)]
    for index, part in enumerate(shape):
        if part is int:
            parts[-1:] = parts[-1].split(str(_SENTINEL + index), 1)
    return tuple(parts)


def url(name: str, *args: Any) -> str:
    """reverse(name, args): integer arguments are filled into the URL reversed once per process."""
    if not any(type(arg) is int for arg in args):
        return reverse(name, args=args)
    shape = tuple(int if type(arg) is int else arg for arg in args)
    parts = _url_parts(get_script_prefix(), name, shape)
    numbers = [str(arg) for arg in args if type(arg) is int]
    return "".join(
        part + (numbers[index] if index < len(numbers) else "") for index, part in enumerate(parts)
    )


def localdate(value: datetime, format_name: str = "DATETIME_FORMAT") -> str:
    """As `{{ value|date:"DATETIME_FORMAT" }}` in a Django template; "c" is ISO 8601."""
    value = timezone.localtime(value)
    return value.isoformat() if format_name == "c" else formats.date_format(value, format_name)


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - the backend sets autoescape
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals.update(url=url)
    env.filters.update(localdate=localdate, intcomma=intcomma, bdi=bdi)
    return env
