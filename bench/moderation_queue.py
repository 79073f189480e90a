"""The moderation queue at scale: 100,000 open cases, the queue list and "next case".

    python -m config.launcher exec -- python bench/moderation_queue.py [--cases 100000] [--runs 30]

1. Seeds open cases (one per visible post, with one flag each) with COPY until --cases are open; run the
   large seed first (manage.py seed_demo --scale large) so that they point at real posts. Cases beyond the
   posts available point at synthetic ids (the list and "next case" never read the items).
2. Requests the admin queue list as a community manager with Django's test Client, in-process, and
   records each request's SQL queries and their time (CaptureQueriesContext); the filter counts are
   measured warm (the 30-second copy) and cold.
3. Runs case_claim_next --runs times (each claim releases the previous one), recording queries and SQL
   time, and prints EXPLAIN ANALYZE of its SELECT … FOR UPDATE SKIP LOCKED.
4. Puts every claimed case back in the queue, and prints a Markdown table (also saved under bench/results/).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.querycount import setup  # noqa: E402

CM_EMAIL = "bench-cm@example.com"


def seed_cases(target: int) -> int:
    """Open cases until `target` are open (COPY); returns how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from moderation.models import QUEUED, Case, NetiquetteRule

    open_now = Case.objects.filter(state__in=QUEUED).count()
    missing = target - open_now
    if missing <= 0:
        return 0
    rules = list(NetiquetteRule.objects.values_list("pk", "severity"))
    rng = random.Random(4)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.id, p.author_id, s.slug, s.name FROM community_post p
               JOIN community_thread t ON t.id = p.thread_id JOIN community_space s ON s.id = t.space_id
               WHERE p.state = 'visible' AND NOT EXISTS (
                   SELECT 1 FROM moderation_case c WHERE c.item_type = 'post' AND c.item_id = p.id)
               ORDER BY p.id DESC LIMIT %s""",
            [missing],
        )
        posts = cursor.fetchall()
        cursor.execute("SELECT coalesce(max(item_id), 0) FROM moderation_case WHERE item_type = 'post'")
        synthetic = max([cursor.fetchone()[0], *(p[0] for p in posts)], default=0) + 10_000_000
        cursor.execute("SELECT id FROM accounts_user WHERE is_active ORDER BY id LIMIT 5000")
        flaggers = [row[0] for row in cursor.fetchall()]
    while len(posts) < missing:
        synthetic += 1
        posts.append((synthetic, None, "synthetic", "Synthetic"))
    with transaction.atomic(), connection.cursor() as cursor:
        first_id = None
        columns = (
            "kind, item_type, item_id, author_id, scope, scope_label, excerpt, item_url, state, score, rank, "
            "sources, rule_id, flag_count, hidden_by_score, opened_at, first_flag_at"
        )
        with cursor.copy(f"COPY moderation_case ({columns}) FROM STDIN") as copy:
            for item_id, author_id, slug, name in posts:
                rule_id, severity = rng.choice(rules)
                opened = now - timedelta(seconds=rng.randint(0, 30 * 86400))
                score = float(severity * rng.choice((1, 1, 1, 2, 3)))
                rank = round(score * 3600) - int(opened.timestamp())
                copy.write_row(
                    (
                        "content", "post", item_id, author_id, slug, name, f"Bench case for post {item_id}",
                        f"/posts/{item_id}/", "open", score, rank, "{flag}", rule_id, 1, False, opened,
                        opened,
                    )
                )  # fmt: skip
        cursor.execute(
            "SELECT min(id) FROM moderation_case WHERE excerpt LIKE 'Bench case%%' AND flag_count = 1"
        )
        first_id = cursor.fetchone()[0]
        if flaggers:
            # One flag per case, from a member who is not its author (unique per member and item).
            cursor.execute(
                """INSERT INTO moderation_flag
                       (case_id, item_type, item_id, flagger_id, rule_id, comment, weight, outcome,
                        created_at)
                   SELECT c.id, c.item_type, c.item_id, (%s::bigint[])[1 + (c.id %% %s)], c.rule_id, '', 1,
                          'pending', c.opened_at
                   FROM moderation_case c
                   WHERE c.id >= %s
                     AND NOT EXISTS (SELECT 1 FROM moderation_flag f WHERE f.case_id = c.id)""",
                [flaggers, len(flaggers), first_id],
            )

    # As autovacuum would after a bulk load: the visibility map lets the pager's count scan the index only.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) moderation_case")
        cursor.execute("VACUUM (ANALYZE) moderation_flag")
    return len(posts)


def bench_manager():
    from django.contrib.auth import get_user_model

    from accounts.roles import COMMUNITY_MANAGERS
    from accounts.services import role_grant

    users = get_user_model().objects
    manager = users.filter(email=CM_EMAIL).first()
    if manager is None:
        manager = users.create_user(
            CM_EMAIL, "agora-bench", display_name="Bench CM", language="fr", is_staff=True
        )
        owner = get_user_model()(email="owner@example.invalid", is_superuser=True, is_staff=True)
        role_grant(actor=owner, user=manager, role=COMMUNITY_MANAGERS)
    return manager


class SqlTimer:
    """Times every query on the connection with perf_counter (Django's own log rounds to milliseconds):
    the time seen by the application, round trip and row decoding included."""

    def __init__(self):
        self.timings: list[float] = []
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append((time.perf_counter() - started) * 1000)


LAST_STATEMENTS: list[tuple[str, object]] = []


def timed(call):
    """Run call() and return (its result, number of queries, total SQL ms, slowest query ms)."""
    from django.db import connection

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        result = call()
    LAST_STATEMENTS[:] = timer.statements
    return result, len(timer.timings), sum(timer.timings), max(timer.timings, default=0)


def server_ms(statements) -> float:
    """Planning plus execution time that PostgreSQL reports for the SELECTs (EXPLAIN ANALYZE)."""
    from django.db import connection, transaction

    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            total += plan["Planning Time"] + plan["Execution Time"]
        transaction.set_rollback(True)  # SELECT … FOR UPDATE locked rows while explained
    return total


def measure_list(manager, runs: int) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from moderation.selectors.queue import COUNTS_KEY

    client = Client(headers={"Accept-Language": "fr"}, HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    url = "/admin/moderation/case/"
    client.get(url)
    warm, counts, slowest, walls = [], [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        response, n, total, slow = timed(lambda: client.get(url))
        walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        warm.append(total)
        counts.append(n)
        slowest.append(slow)
    server = [server_ms(LAST_STATEMENTS) for _ in range(5)]
    cold = []
    for _ in range(max(3, runs // 5)):
        cache.delete(COUNTS_KEY)
        _response, n, total, _slow = timed(lambda: client.get(url))
        cold.append((n, total))
    return {
        "queries": max(counts),
        "sql_ms_median": statistics.median(warm),
        "sql_ms_max": max(warm),
        "slowest_query_ms": max(slowest),
        "server_sql_ms_median": statistics.median(server),
        "wall_ms_median": statistics.median(walls),
        "cold_counts_queries": max(c[0] for c in cold),
        "cold_counts_sql_ms_median": statistics.median(c[1] for c in cold),
    }


def measure_next(manager, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from moderation.models import Case, CaseState
    from moderation.services import case_claim_next

    case_claim_next(actor=manager)
    timings, counts = [], []
    for _ in range(runs):
        case, n, total, _slow = timed(lambda: case_claim_next(actor=manager))
        assert case is not None
        timings.append(total)
        counts.append(n)
    claim_statements = list(LAST_STATEMENTS)
    server = [server_ms(claim_statements) for _ in range(5)]
    with CaptureQueriesContext(connection) as queries:
        case_claim_next(actor=manager)
    Case.objects.filter(claimed_by=manager, state=CaseState.CLAIMED).update(
        state=CaseState.OPEN, claimed_by=None, claimed_until=None
    )
    select = next(q["sql"] for q in queries.captured_queries if "SKIP LOCKED" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + select)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("ROLLBACK")
    return {
        "queries": max(counts),
        "sql_ms_median": statistics.median(timings),
        "sql_ms_max": max(timings),
        "server_sql_ms_median": statistics.median(server),
        "plan": plan,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    added = seed_cases(args.cases)
    seeded_s = time.perf_counter() - started
    from moderation.models import QUEUED, Case

    open_cases = Case.objects.filter(state__in=QUEUED).count()
    manager = bench_manager()
    results = {
        "open_cases": open_cases,
        "seeded": added,
        "seed_seconds": round(seeded_s, 1),
        "queue_list": measure_list(manager, args.runs),
        "next_case": measure_next(manager, args.runs),
    }
    plan = results["next_case"].pop("plan")
    stamp = time.strftime("%Y-%m-%d-%H%M")
    out = Path(__file__).resolve().parent / "results" / f"{stamp}-moderation.json"
    out.write_text(json.dumps({**results, "next_case_plan": plan}, indent=2))
    q, n = results["queue_list"], results["next_case"]
    print(f"open cases: {open_cases:,} (seeded now: {added:,} in {seeded_s:.1f} s)")
    print("| measure | queries | SQL in PostgreSQL, ms (median) | SQL seen by Django, ms (median / max) |")
    print("|---|---|---|---|")
    print(
        f"| queue list, counts warm | {q['queries']} | {q['server_sql_ms_median']:.2f} | "
        f"{q['sql_ms_median']:.2f} / {q['sql_ms_max']:.2f} |"
    )
    print(
        f"| queue list, counts cold | {q['cold_counts_queries']} | | {q['cold_counts_sql_ms_median']:.2f} |"
    )
    print(
        f"| next case | {n['queries']} | {n['server_sql_ms_median']:.2f} | "
        f"{n['sql_ms_median']:.2f} / {n['sql_ms_max']:.2f} |"
    )
    print(f"queue list wall time (median, in-process): {q['wall_ms_median']:.1f} ms")
    print(plan)
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
