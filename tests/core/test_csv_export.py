"""The formula-injection guard of every CSV export: any cell that is text when written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.functional import lazy

from core.csv_export import cell


class Named:
    def __str__(self) -> str:
        return '=HYPERLINK("http://evil.example")'


def test_every_text_cell_that_a_spreadsheet_would_run_is_defused():
    lazy_text = lazy(lambda: "+33 6 12 34 56 78", str)()
    for value in ("=1+1", "  =1+1", "@SUM(A1)", "-2+3", "\t=x", "|calc", "＝1+1", lazy_text, Named()):
        assert str(cell(value)).startswith("'"), value


def test_numbers_dates_and_plain_text_are_written_as_they_are():
    for value in (-5, 2.5, Decimal("-1.5"), date(2026, 12, 5), True, None, "Camille Martin", "42"):
        assert cell(value) == value
