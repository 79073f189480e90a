"""Expired sessions are deleted every night, in batches; sessions still valid stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import tasks
from accounts.services import sessions_clear_expired

pytestmark = pytest.mark.django_db


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["member"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_expired_sessions_go_and_valid_ones_stay():
    expired = [session(-timedelta(minutes=1)) for _n in range(5)]
    valid = session(timedelta(days=1))

    assert sessions_clear_expired(batch_size=2) == 5

    assert not Session.objects.filter(pk__in=expired).exists()
    assert Session.objects.filter(pk=valid).exists()
    assert sessions_clear_expired() == 0


def test_a_signed_in_members_session_survives_the_clearing(client, member):
    client.force_login(member)

    assert sessions_clear_expired() == 0
    assert Session.objects.filter(pk=client.session.session_key).exists()


def test_sessions_kept_elsewhere_than_the_database_are_left_to_expire_by_themselves(settings):
    session(-timedelta(minutes=1))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    assert sessions_clear_expired() == 0
    assert Session.objects.count() == 1


def test_beat_clears_expired_sessions_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-sessions-clear-expired"]
    assert entry["task"] == tasks.sessions_clear_expired.name == "accounts.sessions_clear_expired"
    assert entry["schedule"] == crontab(hour=4, minute=0)
