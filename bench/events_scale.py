"""Events at scale: a few thousand events, one with 5,000 registrations, and what that costs.

    python -m config.launcher exec -- python bench/events_scale.py [--events 3000] [--big 5000]

1. Seeds --events events over two years (past and future, all kinds, public, members-only and a few
   private ones) in the large seed's public spaces with bulk inserts, and one upcoming meetup ("Big
   meetup") with --big members going (the large seed's members) and a waiting list; the bench member
   (user1@example.com) registers for 40 events and gets a calendar feed. A second run adds nothing.
2. Measures, for the big event: rebuilding its reminders (two offsets: 10,000 rows), sending them when
   due (claimed with SKIP LOCKED, notifications and delivery rows written in batches), and a promotion
   that frees seats for 500 waiting — wall time, SQL statements and the process's peak memory.
3. Prints a Markdown table (also saved under bench/results/). bench/run.py measures the pages
   (events list, event page, feed) once the events exist.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.querycount import setup  # noqa: E402

BIG_TITLE = "Big meetup"
KINDS = ["chat", "interview", "contest", "webinar", "meetup", "conference", "barcamp", "vip"]
ONLINE = {"chat", "interview", "contest", "webinar"}


def seed(events: int, big: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from community.models import Space, Visibility
    from events.models import Audience, Event, EventState, Registration, RegistrationStatus
    from events.services.feeds import feed_renew

    if Event.objects.filter(title=BIG_TITLE).exists():
        return {"seeded": 0}
    users = get_user_model().objects
    spaces = list(Space.objects.filter(visibility=Visibility.PUBLIC).values_list("pk", flat=True))
    rng = random.Random(7)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for n in range(events):
        kind = rng.choice(KINDS)
        start = now + timedelta(hours=rng.randint(-365 * 24, 365 * 24))
        audience = rng.choices([Audience.PUBLIC, Audience.MEMBERS, Audience.INVITED], [70, 27, 3])[0]
        rows.append(
            Event(
                title=f"{kind.capitalize()} n°{n}",
                kind=kind,
                format="online" if kind in ONLINE else "offline",
                state=EventState.PUBLISHED,
                description_md="Un **événement** de la communauté.",
                description_html="<p>Un <strong>événement</strong> de la communauté.</p>",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                time_zone="Europe/Paris",
                venue_name="" if kind in ONLINE else "La Halle",
                capacity=rng.choice([None, 20, 50, 200]),
                audience=audience,
                space_id=rng.choice(spaces),
                reminder_minutes=[1440, 60],
            )  # fmt: skip
        )
    with transaction.atomic():
        Event.objects.bulk_create(rows, batch_size=1000)
        start = now + timedelta(days=10)
        big_event = Event.objects.create(
            title=BIG_TITLE, kind="conference", format="offline", state=EventState.PUBLISHED,
            starts_at=start, ends_at=start + timedelta(hours=8), time_zone="Europe/Paris",
            venue_name="Palais des congrès", capacity=big, seats_taken=big, audience=Audience.PUBLIC,
            space_id=spaces[0], reminder_minutes=[1440, 60],
        )  # fmt: skip
        members = list(users.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[: big + 500])
        Registration.objects.bulk_create(
            [
                Registration(event=big_event, member_id=pk, status=RegistrationStatus.GOING)
                for pk in members[:big]
            ]
            + [
                Registration(
                    event=big_event,
                    member_id=pk,
                    status=RegistrationStatus.WAITLISTED,
                    waitlist_position=i + 1,
                )
                for i, pk in enumerate(members[big:])
            ],
            batch_size=2000,
        )
        member = users.get(email="user1@example.com")
        upcoming = list(
            Event.objects.filter(audience=Audience.PUBLIC, starts_at__gt=now, capacity__isnull=True)
            .exclude(pk=big_event.pk)
            .values_list("pk", flat=True)[:40]
        )
        Registration.objects.bulk_create(
            [Registration(event_id=pk, member=member, status=RegistrationStatus.GOING) for pk in upcoming],
            ignore_conflicts=True,
        )
        feed_renew(member=member)
    return {"seeded": events + 1, "big_event": big_event.pk}


def measure(label: str, work) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = work()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "what": label,
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "peak_mb": round(peak / 2**20, 1),
        "result": result,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--big", type=int, default=5000)
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from community.models import Notification
    from events.models import Event, EventReminder
    from events.services import notices
    from events.services.registrations import event_capacity_set
    from mailings.models import Delivery

    settings.CELERY_TASK_ALWAYS_EAGER = False
    seeded = measure("seed", lambda: seed(args.events, args.big))
    big = Event.objects.get(title=BIG_TITLE)
    rows = [seeded]

    def rebuild() -> int:
        with transaction.atomic():
            notices.reminders_rebuild(big)
        return EventReminder.objects.filter(event=big, sent_at__isnull=True).count()

    rows.append(measure("reminders rebuilt (5,000 going × 2 offsets)", rebuild))
    EventReminder.objects.filter(event=big, minutes_before=1440).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    before = Delivery.objects.count()
    # Dispatch goes to the broker after commit: here, only the writes are measured (mailings' beat run sends).
    from unittest import mock

    with mock.patch("mailings.services.delivery.send_after_commit"):
        rows.append(measure("reminders due sent (5,000)", lambda: notices.reminders_send()))
    rows[-1]["outbox_rows"] = Delivery.objects.count() - before
    from bench.moderation_queue import bench_manager

    manager = bench_manager()
    with mock.patch("mailings.services.delivery.send_after_commit"):
        rows.append(
            measure(
                "500 seats added: 500 promoted",
                lambda: len(event_capacity_set(actor=manager, event=big, capacity=big.capacity + 500)),
            )
        )
    rows.append({"what": "notifications now", "result": Notification.objects.count()})
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rusage:.0f} MB")
    print("| what | seconds | SQL statements | peak Python memory (MB) | result |")
    print("|---|---|---|---|---|")
    for row in rows:
        cells = [
            row["what"],
            row.get("seconds", ""),
            row.get("queries", ""),
            row.get("peak_mb", ""),
            row["result"],
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    stamp = time.strftime("%Y-%m-%d-%H%M")
    out = Path(__file__).resolve().parent / "results" / f"{stamp}-events.json"
    out.write_text(json.dumps({"rows": rows, "max_rss_mb": round(rusage)}, indent=2, default=str))
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
