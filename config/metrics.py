"""Prometheus metrics at /metrics: requests and latency by view, and backlogs read at scrape time.

Requests are counted by the URL pattern's name (`community:thread-detail`), never by path, so that the
number of series stays bounded; a request that matched no pattern counts as "unmatched". Under gunicorn,
whose workers are separate processes, set PROMETHEUS_MULTIPROC_DIR (an empty folder, cleared when
gunicorn starts; see the README): each worker then writes its counts there and a scrape adds them up.
The backlogs (Celery's queue, the e-mails still to send, the moderation queue) are read when scraped,
by whichever worker answers, so they exist once whatever the number of workers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import redis
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from mailings.models import TODO as DELIVERY_TODO
from mailings.models import Delivery
from moderation.models import Case
from moderation.models.cases import QUEUED as CASE_QUEUED

REQUESTS = Counter(
    "agora_http_requests",
    "HTTP requests answered, by view (URL pattern name) and status code.",
    ["view", "status"],
)
LATENCY = Histogram(
    "agora_http_request_duration_seconds",
    "Time to answer an HTTP request, through the whole middleware stack, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Probes and scrapes would drown the site's own traffic.
NOT_MEASURED = {"healthz", "metrics"}
UNMATCHED = "unmatched"
# kombu's Redis transport keeps a queue's prioritised messages in sibling lists "<queue>\x06\x16<step>".
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
KOMBU_PRIORITY_STEPS = (3, 6, 9)


class RequestMetricsMiddleware:
    """Second in MIDDLEWARE, so the latency covers nearly the whole stack. Without METRICS_TOKEN nobody
    can read the metrics, so the middleware takes itself out of the chain."""

    def __init__(self, get_response):
        if not settings.METRICS_TOKEN:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match is not None else UNMATCHED
        if view not in NOT_MEASURED:
            LATENCY.labels(view=view).observe(time.perf_counter() - started)
            REQUESTS.labels(view=view, status=str(response.status_code)).inc()
        return response


def _broker_redis_url() -> str | None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return url
    return None


def celery_queue_lengths(queues: Iterable[str]) -> dict[str, int] | None:
    """Messages waiting in each queue (all priorities), in one round trip; None when Redis is away."""
    url = _broker_redis_url()
    if url is None:
        return None
    queues = list(queues)
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1) as client:
            pipe = client.pipeline(transaction=False)
            for queue in queues:
                pipe.llen(queue)
                for step in KOMBU_PRIORITY_STEPS:
                    pipe.llen(f"{queue}{KOMBU_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
    except (redis.RedisError, OSError):
        return None
    per_queue = 1 + len(KOMBU_PRIORITY_STEPS)
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}


def _counts_by_state(queryset) -> dict[str, int] | None:
    try:
        return dict(queryset.values_list("state").annotate(n=Count("id")).order_by())
    except DatabaseError:
        return None


class BacklogCollector(Collector):
    """Gauges computed when scraped: one Redis round trip and two counts on partial indexes (the rows
    still to send, the cases still queued), so a scrape costs the same whatever the tables hold. A
    source that does not answer leaves its gauge out of the scrape instead of failing it."""

    def describe(self) -> Iterable[GaugeMetricFamily]:
        # Without it the registry would call collect(), hence the database, when this is registered.
        return self._families()

    def _families(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "agora_celery_queue_length",
                "Celery messages waiting in the broker, by queue.",
                labels=["queue"],
            ),
            GaugeMetricFamily(
                "agora_mail_outbox",
                "E-mails (delivery rows) not yet dispatched, by state: pending or sending.",
                labels=["state"],
            ),
            GaugeMetricFamily(
                "agora_moderation_queue",
                "Moderation cases still to decide, by state: open or claimed.",
                labels=["state"],
            ),
        ]

    def collect(self) -> Iterable[GaugeMetricFamily]:
        queue, outbox, moderation = self._families()
        lengths = celery_queue_lengths([settings.CELERY_TASK_DEFAULT_QUEUE])
        if lengths is not None:
            for name, length in lengths.items():
                queue.add_metric([name], length)
            yield queue
        pending = _counts_by_state(Delivery.objects.filter(state__in=DELIVERY_TODO))
        if pending is not None:
            for state in DELIVERY_TODO:
                outbox.add_metric([str(state)], pending.get(state, 0))
            yield outbox
        cases = _counts_by_state(Case.objects.filter(state__in=CASE_QUEUED))
        if cases is not None:
            for case_state in CASE_QUEUED:
                moderation.add_metric([str(case_state)], cases.get(case_state, 0))
            yield moderation


BACKLOG = BacklogCollector()
REGISTRY.register(BACKLOG)


def scrape_registry() -> CollectorRegistry:
    """What a scrape reads: this process's registry, or every gunicorn worker's files in multiprocess mode."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(BACKLOG)
    return registry
