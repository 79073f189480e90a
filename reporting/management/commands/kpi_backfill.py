"""Roll up a range of past days, e.g. after installing Agora on an existing community:

    python manage.py kpi_backfill --from 2025-01-01 [--to 2025-12-31]

A month at a time (each theme's month in one transaction, memory bounded by a month), with a progress
line; a rerun, or the hourly rollup running meanwhile, writes the same rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.services import kpi_rollup

CHUNK_DAYS = 31


class Command(BaseCommand):
    help = "Roll up the community's indicators for a range of past days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD (today when left out)")

    def handle(self, *args, first: str, last: str | None, **options) -> None:
        try:
            first_day = date.fromisoformat(first)
            last_day = date.fromisoformat(last) if last else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Dates are written YYYY-MM-DD: {exc}") from exc
        if first_day > last_day:
            raise CommandError("--from comes after --to.")
        total = (last_day - first_day).days + 1
        done, start = 0, first_day
        while start <= last_day:
            end = min(last_day, start + timedelta(days=CHUNK_DAYS - 1))
            kpi_rollup(first_day=start, last_day=end)
            done += (end - start).days + 1
            bar = "#" * (30 * done // total)
            self.stdout.write(f"\r[{bar:<30}] {done}/{total} days (to {end.isoformat()})", ending="")
            self.stdout.flush()
            start = end + timedelta(days=1)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{total} days rolled up."))
