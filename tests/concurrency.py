"""Real concurrency for tests: each worker a thread with its own database connection, all released at
once by a barrier, so that PostgreSQL (locks, constraints, SKIP LOCKED) settles the race."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection


def at_once(work: Callable[[Any], Any], items: Iterable[Any], *, timeout: float = 30) -> list[Any]:
    """Run work(item) for every item at the same moment; returns each one's result or the exception it
    raised, in the items' order. Needs a transactional test (django_db(transaction=True))."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    outcomes: list[Any] = [None] * len(items)

    def run(index: int, item: Any) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = work(item)
        except Exception as exc:  # noqa: BLE001 - the test asserts on what each worker met
            outcomes[index] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(index, item)) for index, item in enumerate(items)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout)
    return outcomes
