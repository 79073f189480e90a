"""A year of activity on the large seed, rolled up, and every report read over two years.

    python -m config.launcher exec -- python bench/reporting.py [--days 365] [--reads 20]

1. Generates activity for the seed's members over --days days ending yesterday (not measured): each
   member comes on about 4 % of the days (members' days), the day's page views and visitors, the
   views of each space and 200 search terms a day.
2. Times the nightly rollup of one day (every theme: what beat runs), then the backfill of the whole
   range a month at a time (what `kpi_backfill` does): seconds, SQL statements, peak Python memory.
3. Reads every report over the two years ending today as marketing, --reads times each, in this
   process through Django's test client (DEBUG off): p50 and p90 in milliseconds,
   beside the trivial view read the same way in the same run.
4. Prints a Markdown table and saves it as JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.events_scale import measure  # noqa: E402
from bench.querycount import setup  # noqa: E402

ACTIVE_SHARE = 0.04
TERMS = 200


def generate(first, last) -> dict:
    """Members' days, traffic, space views and searches for the days, with INSERT … SELECT."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reporting_memberday WHERE day BETWEEN %s AND %s", [first, last])
        cursor.execute(
            """
            INSERT INTO reporting_memberday (member_id, day)
            SELECT u.id, d::date FROM accounts_user u
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
            WHERE random() < %s ON CONFLICT DO NOTHING
            """,
            [first, last, ACTIVE_SHARE],
        )
        member_days = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO reporting_trafficday (day, views, visitors)
            SELECT d::date, 20000 + (random() * 20000)::int, 3000 + (random() * 3000)::int
            FROM generate_series(%s::date, %s::date, interval '1 day') d
            ON CONFLICT (day) DO UPDATE SET views = EXCLUDED.views, visitors = EXCLUDED.visitors
            """,
            [first, last],
        )
        cursor.execute(
            """
            INSERT INTO reporting_spaceday (day, space_id, views)
            SELECT d::date, s.id, (random() * 3000)::int
            FROM generate_series(%s::date, %s::date, interval '1 day') d CROSS JOIN community_space s
            ON CONFLICT (day, space_id) DO UPDATE SET views = EXCLUDED.views
            """,
            [first, last],
        )
        cursor.execute(
            """
            INSERT INTO reporting_searchday (day, term, searches, empty)
            SELECT d::date, 'term ' || t, 1 + (random() * 50)::int, (random() * 3)::int
            FROM generate_series(%s::date, %s::date, interval '1 day') d
            CROSS JOIN generate_series(1, %s) t
            ON CONFLICT (day, term) DO UPDATE SET searches = EXCLUDED.searches, empty = EXCLUDED.empty
            """,
            [first, last, TERMS],
        )
        cursor.execute("ANALYZE reporting_memberday")
    return {"member_days": member_days}


def rollups(first, last, days: int) -> list[dict]:
    from django.core.management import call_command

    from reporting.services import kpi_rollup

    return [
        measure(
            f"backfill of {days} days, a month at a time",
            lambda: call_command("kpi_backfill", "--from", first.isoformat(), "--to", last.isoformat()),
        ),
        measure("nightly rollup of one day, every theme", lambda: kpi_rollup(first_day=last, last_day=last)),
    ]


def timed_reads(client, url: str, reads: int) -> dict:
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    durations = []
    for _ in range(reads):
        started = time.perf_counter()
        client.get(url, secure=True)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return {
        "p50_ms": round(statistics.median(durations), 1),
        "p90_ms": round(durations[int(len(durations) * 0.9) - 1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--reads-only", action="store_true", help="read the reports of an earlier run")
    args = parser.parse_args()
    setup()
    from django.test import Client
    from django.utils import timezone

    from accounts.roles import MARKETING
    from reporting.reports import REPORTS

    today = timezone.localdate()
    first, last = today - timedelta(days=args.days), today - timedelta(days=1)
    generated: dict = {}
    rows: list[dict] = []
    if not args.reads_only:
        started = time.perf_counter()
        generated = generate(first, last)
        print(
            f"generated {generated['member_days']:,} members' days in {time.perf_counter() - started:.0f} s"
        )
        rows = rollups(first, last, args.days)
        print(json.dumps(rows, default=str))

    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.filter(groups__name=MARKETING).first()
    client = Client(headers={"Accept-Language": "en"}, HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    client.get("/", secure=True)  # a first request after signing in is sent to the netiquette once
    period = f"?start={(today - timedelta(days=729)).isoformat()}&end={today.isoformat()}"
    # The trivial view read signed out (a reader who has not accepted the netiquette is sent to it).
    reads = {"trivial view": timed_reads(Client(HTTP_HOST="127.0.0.1"), "/bench/trivial/", args.reads)}
    for key in REPORTS:
        reads[f"report: {key}"] = timed_reads(client, f"/reporting/{key}/{period}", args.reads)
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"process max RSS: {rusage:.0f} MB")
    print("| what | seconds | SQL statements | peak Python memory (MB) |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['what']} | {row['seconds']} | {row['queries']} | {row['peak_mb']} |")
    trivial = reads["trivial view"]["p50_ms"]
    # Each page's statements are pinned (≤ 10) by tests/reporting, whatever the range.
    print("\n| page (two years) | p50 ms | p90 ms | p50 ÷ trivial |")
    print("|---|---:|---:|---:|")
    for name, read in reads.items():
        ratio = read["p50_ms"] / trivial if trivial else 0
        print(f"| {name} | {read['p50_ms']} | {read['p90_ms']} | {ratio:.1f} |")
    stamp = time.strftime("%Y-%m-%d-%H%M", time.gmtime())
    out = Path(__file__).resolve().parent / "results" / f"{stamp}-reporting.json"
    payload = {"generated": generated, "rows": rows, "reads": reads, "max_rss_mb": round(rusage)}
    out.write_text(json.dumps(payload, indent=2, default=str))
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
