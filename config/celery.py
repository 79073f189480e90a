"""The Celery application: JSON only, late acks, beat schedules editable in the admin (django-celery-beat)."""

import os

from celery import Celery, signals

from core.observability import adopt_task_request_id, release_task_request_id, stamp_task_headers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("agora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_KEY = "agora:beat:heartbeat"

# A task sent during a request logs, in the worker, under that request's id (core/observability.py).
signals.before_task_publish.connect(stamp_task_headers, dispatch_uid="agora.stamp_task_headers")
signals.task_prerun.connect(adopt_task_request_id, dispatch_uid="agora.adopt_task_request_id")
signals.task_postrun.connect(release_task_request_id, dispatch_uid="agora.release_task_request_id")


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log through settings.LOGGING (JSON lines or plain, with request ids), at
    LOG_LEVEL, instead of Celery's own handlers: with a receiver here, Celery configures nothing."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.task(name="agora.heartbeat", acks_late=True, ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat and run by a worker: its timestamp proves Redis, beat and a worker all work."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
