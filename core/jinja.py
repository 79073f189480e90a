"""The Jinja2 environment of the few hot templates (a thread page's posts: docs/benchmarks.md measured
Django's template language at about 430 µs a post, Jinja2 at a fraction of it).

The same tools as the Django templates, under the same names where it can be: `url()` reverses,
`_()` and `ngettext()` translate with Django's catalogues (`{{ _("…") }}` is also what
`makemessages -e jinja` extracts), `localdate` formats a datetime in the reader's time zone with
Django's localised formats, and `csrf_input` comes from Django's Jinja2 backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def localdate(value: datetime, format_name: str = "DATETIME_FORMAT") -> str:
    """As `{{ value|date:"DATETIME_FORMAT" }}` in a Django template; "c" is ISO 8601."""
    value = timezone.localtime(value)
    return value.isoformat() if format_name == "c" else formats.date_format(value, format_name)


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - the backend sets autoescape
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals.update(url=url)
    env.filters.update(localdate=localdate)
    return env
