"""/metrics: Prometheus' scrape of requests by view, latency, and the backlogs read at scrape time."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from community.models import Space
from community.services import forum
from config.celery import heartbeat
from mailings.models import Delivery
from moderation.models import Case
from tests.community.test_forum import accept_netiquette
from tests.conftest import database_url, forget_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token"


@pytest.fixture
def scraper(settings) -> Client:
    settings.METRICS_TOKEN = TOKEN
    return Client(headers={"Authorization": f"Bearer {TOKEN}"})


def scrape(scraper: Client) -> dict[tuple[str, tuple], float]:
    response = scraper.get("/metrics")
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def thread(db):
    author = UserFactory(display_name="Alice Aubert")
    accept_netiquette(author)
    space = Space.objects.create(name="Entraide", slug="entraide")
    return forum.thread_create(actor=author, space=space, title="Heat pump noise", body="It hums.")


def test_requests_are_counted_by_view_and_status_with_their_latency(scraper, thread):
    visitor = Client(headers={"Accept-Language": "en"})
    before = scrape(scraper)

    for _ in range(2):
        assert visitor.get(thread.get_absolute_url()).status_code == 200
    assert visitor.get("/no/such/page/here/").status_code == 404
    visitor.get("/healthz")
    after = scrape(scraper)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("agora_http_requests_total", view="community:thread", status="200") == 2
    assert grew("agora_http_request_duration_seconds_count", view="community:thread") == 2
    assert grew("agora_http_request_duration_seconds_bucket", view="community:thread", le="+Inf") == 2
    assert grew("agora_http_request_duration_seconds_sum", view="community:thread") > 0
    # The path is never a label: what matched no URL pattern is counted as one.
    assert grew("agora_http_requests_total", view="unmatched", status="404") == 1
    # Probes and scrapes are left out.
    assert not any(dict(labels).get("view") in {"healthz", "metrics"} for _name, labels in after)


def test_the_backlogs_are_read_when_scraped(scraper, settings):
    member = UserFactory()
    for state, count in (("pending", 3), ("sending", 1), ("sent", 2), ("failed", 1)):
        for n in range(count):
            Delivery.objects.create(kind="test", ref=f"{state}-{n}", member=member, state=state)
    for n, state in enumerate(["open", "open", "claimed", "resolved"]):
        Case.objects.create(item_type="post", item_id=n, state=state, opened_at=timezone.now())
    settings.CELERY_TASK_DEFAULT_QUEUE = queue = f"agora-test-{uuid.uuid4().hex[:8]}"
    try:
        for _ in range(2):
            heartbeat.apply_async(queue=queue)  # No worker reads this queue: both wait.
        heartbeat.apply_async(queue=queue, priority=6)
        samples = scrape(scraper)
    finally:
        forget_queue(queue)
        forget_queue(f"{queue}\x06\x166")

    assert value(samples, "agora_mail_outbox", state="pending") == 3
    assert value(samples, "agora_mail_outbox", state="sending") == 1
    assert value(samples, "agora_moderation_queue", state="open") == 2
    assert value(samples, "agora_moderation_queue", state="claimed") == 1
    assert value(samples, "agora_celery_queue_length", queue=queue) == 3


def test_a_scrape_costs_two_queries_whatever_the_rows(scraper, django_assert_num_queries):
    member = UserFactory()
    Delivery.objects.bulk_create(
        Delivery(kind="test", ref=str(n), member=member, state="pending") for n in range(50)
    )
    with django_assert_num_queries(2):
        scrape(scraper)


def test_an_unreachable_broker_leaves_the_queue_gauge_out_and_the_rest_in(scraper, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    samples = scrape(scraper)

    assert not any(name == "agora_celery_queue_length" for name, _labels in samples)
    assert value(samples, "agora_mail_outbox", state="pending") == 0
    assert ("agora_moderation_queue", (("state", "open"),)) in samples


def test_without_a_token_configured_metrics_are_off_and_nothing_is_counted(settings, thread):
    settings.METRICS_TOKEN = ""
    quiet = Client(headers={"Authorization": "Bearer "})
    assert quiet.get("/metrics").status_code == 404
    quiet.get(thread.get_absolute_url())

    settings.METRICS_TOKEN = TOKEN
    before = scrape(Client(headers={"Authorization": f"Bearer {TOKEN}"}))
    quiet.get(thread.get_absolute_url())  # Its middleware was set up without a token: not counted.
    after = scrape(Client(headers={"Authorization": f"Bearer {TOKEN}"}))

    labels = {"view": "community:thread", "status": "200"}
    assert value(after, "agora_http_requests_total", **labels) == value(
        before, "agora_http_requests_total", **labels
    )


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_scrape_without_the_token_is_refused(settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": authorization} if authorization else {}

    response = Client(headers=headers).get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"agora_" not in response.content


def test_gunicorn_workers_counts_are_added_up_in_multiprocess_mode(tmp_path):
    """Two processes count into PROMETHEUS_MULTIPROC_DIR; a third one's scrape shows the sum."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    count = (
        "import sys, django; django.setup(); from config.metrics import REQUESTS; "
        "REQUESTS.labels(view='community:thread', status='200').inc(int(sys.argv[1]))"
    )
    show = (
        "import django; django.setup(); from prometheus_client import generate_latest; "
        "from config.metrics import scrape_registry; print(generate_latest(scrape_registry()).decode())"
    )
    for times in ("3", "2"):
        subprocess.run(
            [sys.executable, "-c", count, times], cwd=django_settings.BASE_DIR, env=env, check=True
        )
    done = subprocess.run(
        [sys.executable, "-c", show],
        cwd=django_settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )

    assert 'agora_http_requests_total{status="200",view="community:thread"} 5.0' in done.stdout
    assert "agora_moderation_queue" in done.stdout
