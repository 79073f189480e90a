"""The Celery heartbeat, run by a real worker, is what /healthz reads."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from config.celery import HEARTBEAT_KEY, heartbeat


@pytest.mark.django_db
def test_a_heartbeat_run_by_the_worker_makes_healthz_green(celery_worker, client, settings):
    # Read the cache namespace the worker writes to.
    settings.CACHES = {
        "default": {**django_settings.CACHES["default"], "KEY_PREFIX": celery_worker.cache_prefix}
    }
    settings.HEALTHZ_TOKEN = "healthz-test-token"
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer healthz-test-token"
    cache.delete(HEARTBEAT_KEY)
    assert client.get(reverse("healthz")).status_code == 503

    heartbeat.apply_async(queue=celery_worker.queue)

    celery_worker.wait_for(lambda: cache.get(HEARTBEAT_KEY), what="write the heartbeat")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["celery_beat"]["ok"] is True
