"""The Celery application: JSON only, late acks, beat schedules editable in the admin (django-celery-beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_KEY = "agora:beat:heartbeat"


@app.task(name="agora.heartbeat", acks_late=True, ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat and run by a worker: its timestamp proves Redis, beat and a worker all work."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
