"""The hourly rollup, run by a real Celery worker against the test database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reporting.models import DailyKPI
from reporting.tasks import rollup_recent_days
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_the_worker_rolls_up_todays_members(celery_worker):
    UserFactory.create_batch(3)
    today = timezone.localdate()

    rollup_recent_days.apply_async(queue=celery_worker.queue)

    row = celery_worker.wait_for(
        lambda: DailyKPI.objects.filter(day=today).first(), what="write today's indicators"
    )
    assert row.members_total == 3
    assert row.members_new == 3
    assert DailyKPI.objects.filter(day__lt=today).count() == 1  # yesterday, from the same run
