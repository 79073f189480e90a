"""The weekly digest and a newsletter for every member of the large seed, end to end to an SMTP server.

    python -m config.launcher exec -- python bench/mailings.py [--senders 2] [--only digest|newsletter]

1. Starts a local SMTP sink (aiosmtpd, in a process of its own) that accepts and counts messages.
2. Digest: queues the weekly digest as if it were next Monday 09:00 in the community's time zone (one
   row per member who chose weekly and has a confirmed address; a member who visited since the week
   began gets none) — seconds, SQL statements, peak Python memory, rows.
3. Newsletter: every member opts in (bench data), an issue to everyone (three picked threads, the
   upcoming events) is started by mailings.newsletters_start — the same figures.
4. Sends each through the one delivery engine, --senders processes side by side as Celery workers
   would be, until nothing is due: wall time, messages the sink accepted, messages per second, and
   each sender's peak RSS (memory is bounded by the batch, not by the list).
5. Prints a Markdown table, saved under bench/results/. Earlier runs' rows are deleted first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import socket
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.events_scale import measure  # noqa: E402
from bench.querycount import setup  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sink(port: int, count, ready) -> None:
    """An SMTP server that accepts everything and counts it (the messages themselves are dropped)."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def sender(port: int, out) -> None:
    """One sender, as a Celery worker's process would run the task, until nothing is due."""
    setup()
    from django.conf import settings

    from mailings.services.delivery import deliveries_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    sent = 0
    while True:
        done, more = deliveries_send(budget_seconds=3600)
        sent += done
        if not more:
            break
    out.put((sent, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def send_all(label: str, port: int, senders: int, count) -> dict:
    from django.db import connection

    connection.close()  # the senders open their own
    before = count.value
    out = multiprocessing.Queue()
    started = time.perf_counter()
    workers = [multiprocessing.Process(target=sender, args=(port, out)) for _ in range(senders)]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    accepted = count.value - before
    return {
        "what": label,
        "seconds": round(seconds, 1),
        "result": f"{accepted} accepted by the SMTP server, {accepted / seconds:.0f}/s",
        "peak_rss_mb": [round(rss) for _sent, rss in results],
    }


def digest_rows() -> dict:
    from django.conf import settings

    from core.timezones import time_zone
    from mailings import digests
    from mailings.models import Delivery

    Delivery.objects.filter(kind=digests.KIND).delete()
    zone = time_zone(settings.TIME_ZONE)
    today = datetime.now(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    written = digests.digests_queue(now=datetime(monday.year, monday.month, monday.day, 9, tzinfo=zone))
    return {"rows": written}


def consents() -> None:
    """Every member opted in (bench data, written once, in SQL: outside what is measured)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO mailings_consent (member_id, list_key, given, wording_version, source, created_at)
            SELECT id, 'newsletter', true, '1', 'bench', now() FROM accounts_user
            WHERE NOT EXISTS (SELECT 1 FROM mailings_consent WHERE source = 'bench')
            """
        )


def newsletter_rows() -> dict:
    from unittest import mock

    from django.db import transaction

    from accounts.models import User
    from mailings.blocks import PICK_SOURCES
    from mailings.models import Delivery, Newsletter
    from mailings.services import newsletters

    Delivery.objects.filter(kind=newsletters.KIND).delete()
    Newsletter.objects.filter(subject="Bench issue").delete()
    manager = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
    manager.is_superuser = True  # in memory only: the bench's community manager
    picks = [pick.__dict__ for pick in PICK_SOURCES["threads"].search(manager, "question")[:3]]
    issue = Newsletter(
        subject="Bench issue",
        preheader="The month in the community",
        intro_md="Hello! **Three threads** we liked, and [the events](https://example.com/events/).",
        include_events=True,
    )
    newsletters.newsletter_save(actor=manager, issue=issue, picks=picks)
    with mock.patch("mailings.tasks.newsletters_start.delay"), transaction.atomic():
        newsletters.newsletter_send_now(actor=manager, issue=issue)
    newsletters.newsletters_start()
    return {
        "issue": issue.pk,
        "picks": len(picks),
        "rows": Delivery.objects.filter(kind=newsletters.KIND).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--only", choices=["digest", "newsletter"])
    args = parser.parse_args()
    setup()
    # Spawned, not forked: each sender's peak memory is its own, as a Celery worker's would be.
    multiprocessing.set_start_method("spawn")
    port, count, ready = free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=sink, args=(port, count, ready), daemon=True)
    server.start()
    ready.wait(10)
    rows = []
    if args.only in (None, "digest"):
        rows.append(measure("weekly digest queued (rows)", digest_rows))
        rows.append(send_all("weekly digest built and sent", port, args.senders, count))
    if args.only in (None, "newsletter"):
        consents()
        rows.append(measure("newsletter to every member queued", newsletter_rows))
        rows.append(send_all("newsletter built and sent", port, args.senders, count))
    server.terminate()
    print("| what | seconds | SQL statements | peak Python memory (MB) | senders' peak RSS (MB) | result |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        cells = [row["what"], row.get("seconds", ""), row.get("queries", ""), row.get("peak_mb", "")]
        cells += [row.get("peak_rss_mb", ""), row["result"]]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    stamp = time.strftime("%Y-%m-%d-%H%M")
    out = Path(__file__).resolve().parent / "results" / f"{stamp}-mailings.json"
    out.write_text(json.dumps({"rows": rows, "senders": args.senders}, indent=2, default=str))
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
