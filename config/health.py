"""What /healthz reports: PostgreSQL, Redis and the last Celery beat heartbeat."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from config.celery import HEARTBEAT_KEY


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return {
            "ok": False,
            "error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
        }


def _redis() -> tuple[dict, str | None]:
    try:
        return {"ok": True}, cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc) or type(exc).__name__}, None


def _beat(raw: str | None, redis_ok: bool) -> dict:
    if not redis_ok:
        return {"ok": False, "error": "Redis is unreachable"}
    if raw is None:
        return {"ok": False, "error": "no heartbeat yet"}
    last = datetime.fromisoformat(raw)
    age = (timezone.now() - last).total_seconds()
    return {
        "ok": age <= settings.HEARTBEAT_MAX_AGE.total_seconds(),
        "last_heartbeat": last.isoformat(),
        "age_seconds": round(age, 1),
    }


def beat_state() -> dict:
    """The heartbeat check alone (the beat container's health check)."""
    redis_state, heartbeat = _redis()
    return _beat(heartbeat, redis_state["ok"])


def health_report() -> dict:
    redis_state, heartbeat = _redis()
    checks = {
        "database": _database(),
        "redis": redis_state,
        "celery_beat": _beat(heartbeat, redis_state["ok"]),
    }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
