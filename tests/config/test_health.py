"""/healthz: what a load balancer and an operator read about PostgreSQL, Redis and Celery beat.

Anyone gets the verdict only; staff and `Authorization: Bearer <HEALTHZ_TOKEN>` get the details.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.celery import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("healthz")
TOKEN = "healthz-test-token"


@pytest.fixture
def operator(client, settings):
    """A client sending the configured token, as .ci/run and an operator's curl do."""
    settings.HEALTHZ_TOKEN = TOKEN
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


def test_all_checks_pass_when_the_heartbeat_is_fresh(operator):
    heartbeat()

    response = operator.get(HEALTHZ)

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


def test_a_missing_heartbeat_makes_the_site_unhealthy(operator):
    response = operator.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_beat"] == {"ok": False, "error": "no heartbeat yet"}


def test_a_heartbeat_older_than_the_limit_makes_the_site_unhealthy(operator, settings):
    settings.HEARTBEAT_MAX_AGE = timedelta(seconds=120)
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(seconds=200)).isoformat())

    response = operator.get(HEALTHZ)

    assert response.status_code == 503
    beat = response.json()["checks"]["celery_beat"]
    assert beat["ok"] is False
    assert beat["age_seconds"] >= 200


def test_an_unreachable_redis_is_reported_without_an_error_page(operator, settings, tmp_path):
    heartbeat()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"unix://{tmp_path / 'nobody-listens.sock'}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = operator.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"]
    assert body["checks"]["celery_beat"] == {"ok": False, "error": "Redis is unreachable"}


def test_anyone_gets_only_the_verdict(client, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    heartbeat()

    healthy = client.get(HEALTHZ)
    cache.delete(HEARTBEAT_KEY)
    unhealthy = client.get(HEALTHZ)

    assert (healthy.status_code, healthy.json()) == (200, {"ok": True})
    assert (unhealthy.status_code, unhealthy.json()) == (503, {"ok": False})


@pytest.mark.parametrize(
    "authorization", ["Bearer not-the-token", "Basic aGVhbHRoeg==", "Bearer", "Bearer é"]
)
def test_a_wrong_token_gets_only_the_verdict(client, settings, authorization):
    settings.HEALTHZ_TOKEN = TOKEN

    response = client.get(HEALTHZ, headers={"Authorization": authorization})

    assert response.json() == {"ok": False}


def test_without_a_configured_token_no_bearer_gets_the_details(client, settings):
    settings.HEALTHZ_TOKEN = ""

    response = client.get(HEALTHZ, headers={"Authorization": "Bearer "})

    assert response.json() == {"ok": False}


def test_staff_get_the_details_without_a_token(client, community_manager, member):
    client.force_login(member)
    assert set(client.get(HEALTHZ).json()) == {"ok"}

    client.force_login(community_manager)
    body = client.get(HEALTHZ).json()

    assert body["checks"]["celery_beat"] == {"ok": False, "error": "no heartbeat yet"}
