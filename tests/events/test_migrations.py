"""events 0005: registrations promoted before the field existed get promoted_at from their e-mails."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("events", "0004_list_by_start")]
AFTER = [("events", "0005_registration_promoted_at")]


@pytest.mark.django_db(transaction=True)
def test_promotions_are_read_back_from_the_promotion_emails():
    from events.models import Registration
    from tests.events.helpers import published_event
    from tests.factories import UserFactory

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        event = published_event(title="Meetup", capacity=1)
        promoted, waiting = UserFactory(), UserFactory()
        with connection.cursor() as cursor:
            ids = []
            for member in (promoted, waiting):
                cursor.execute(
                    "INSERT INTO events_registration (event_id, member_id, status, answers, listed, "
                    "created_at, updated_at) VALUES (%s, %s, 'going', '{}', true, now(), now()) RETURNING id",
                    [event.pk, member.pk],
                )
                ids.append(cursor.fetchone()[0])
            cursor.execute(
                "INSERT INTO mailings_delivery (kind, ref, member_id, payload, priority, state, not_before, "
                "attempts, last_error, message_id, created_at) VALUES ('event_email', %s, %s, %s, 0, "
                "'sent', now(), 1, '', '', %s)",
                [
                    f"promoted:{event.pk}:1",
                    promoted.pk,
                    f'{{"kind": "promoted", "event": {event.pk}, "registration": {ids[0]}}}',
                    timezone.now(),
                ],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)

    assert Registration.objects.get(pk=ids[0]).promoted_at is not None
    assert Registration.objects.get(pk=ids[1]).promoted_at is None
