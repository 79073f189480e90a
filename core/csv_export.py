"""CSV downloads: streamed, readable by spreadsheet programs, and safe to open in them."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to a spreadsheet program (CSV injection), spaces before
# it or not, in ASCII or full-width: such text is prefixed with an apostrophe, which shows it as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Values written as they are: numbers, dates and flags are never formulas.
PLAIN = (bool, int, float, Decimal, date)


class _Echo:
    def write(self, value: str) -> str:
        return value


def cell(value: object) -> object:
    """Any value that will be written as text — a str, a lazy translation, a model with a name — is
    guarded, not only str: a person's name or comment can reach a cell in any of these forms."""
    if value is None or isinstance(value, PLAIN):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Stream a CSV (give rows read in batches, e.g. with iterator(), and memory stays flat)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Exports hold members' and the community's data: kept by no cache, shared or not.
    response["Cache-Control"] = "private, no-store"
    return response
