"""/healthz: what a load balancer and an operator read about PostgreSQL, Redis and Celery beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.celery import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")


def test_all_checks_pass_when_the_heartbeat_is_fresh(client):
    heartbeat()

    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "redis", "celery_beat"}
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"] == {"ok": True}
    beat = body["checks"]["celery_beat"]
    assert beat["ok"] is True
    assert 0 <= beat["age_seconds"] < 60
    assert beat["last_heartbeat"] == cache.get(HEARTBEAT_KEY)


def test_a_missing_heartbeat_makes_the_site_unhealthy(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_beat"] == {"ok": False, "error": "no heartbeat yet"}


def test_a_heartbeat_older_than_the_limit_makes_the_site_unhealthy(client, settings):
    settings.HEARTBEAT_MAX_AGE = timedelta(seconds=120)
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(seconds=200)).isoformat())

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    beat = response.json()["checks"]["celery_beat"]
    assert beat["ok"] is False
    assert beat["age_seconds"] >= 200


def test_an_unreachable_redis_is_reported_without_an_error_page(client, settings, tmp_path):
    heartbeat()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"unix://{tmp_path / 'nobody-listens.sock'}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"]
    assert body["checks"]["celery_beat"] == {"ok": False, "error": "Redis is unreachable"}
