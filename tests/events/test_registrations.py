"""Registrations, the waiting list and capacity, settled by PostgreSQL whatever the concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS
from events.models import Audience, Event, Registration
from events.permissions import can_see_event
from events.services import registrations
from moderation.services.sanctions import sanction_apply
from tests.concurrency import at_once
from tests.events.helpers import published_event
from tests.factories import UserFactory, user_with_role


def statuses(event: Event) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Registration.objects.filter(event=event).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


@pytest.mark.django_db(transaction=True)
def test_fifty_members_clicking_for_the_last_seats_at_once_fill_them_exactly_and_queue_the_rest():
    event = published_event(capacity=5)
    members = [UserFactory() for _ in range(50)]
    outcomes = at_once(lambda member: registrations.registration_register(actor=member, event=event), members)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    event.refresh_from_db()
    assert event.seats_taken == 5 and statuses(event) == {"going": 5, "waitlisted": 45}
    positions = sorted(
        Registration.objects.filter(event=event, status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, 46))  # A place each, in order, none twice.


@pytest.mark.django_db(transaction=True)
def test_two_cancellations_at_once_promote_the_first_two_of_the_waiting_list_once_each():
    event = published_event(capacity=2)
    going = [UserFactory() for _ in range(2)]
    waiting = [UserFactory() for _ in range(3)]
    for member in going + waiting:
        registrations.registration_register(actor=member, event=event)
    seats = [Registration.objects.get(event=event, member=member) for member in going]
    outcomes = at_once(
        lambda registration: registrations.registration_cancel(
            actor=registration.member, registration=registration
        ),
        seats,
    )
    promoted = [registration.member_id for outcome in outcomes for registration in outcome]
    assert sorted(promoted) == sorted(member.pk for member in waiting[:2])
    event.refresh_from_db()
    assert event.seats_taken == 2
    assert Registration.objects.get(event=event, member=waiting[2]).waitlist_position == 3


def test_registering_twice_keeps_one_registration_and_a_cancelled_member_joins_the_end_of_the_queue(db):
    event = published_event(capacity=1)
    first, second = UserFactory(), UserFactory()
    seat = registrations.registration_register(actor=first, event=event)
    assert registrations.registration_register(actor=first, event=event).pk == seat.pk
    queued = registrations.registration_register(actor=second, event=event)
    assert (seat.status, queued.status, queued.waitlist_position) == ("going", "waitlisted", 1)
    assert registrations.registration_cancel(actor=first, registration=seat) == [queued]
    again = registrations.registration_register(actor=first, event=event)
    assert again.pk == seat.pk and again.status == "waitlisted"
    assert Registration.objects.filter(event=event).count() == 2


def test_registration_outside_its_window_is_refused_with_a_clear_message(db):
    now = timezone.now()
    member = UserFactory()
    later = published_event(registration_opens_at=now + timedelta(days=1))
    with pytest.raises(ValidationError, match="Registration has not opened yet."):
        registrations.registration_register(actor=member, event=later)
    closed = published_event(registration_closes_at=now - timedelta(minutes=1), registration_opens_at=None)
    with pytest.raises(ValidationError, match="Registration is closed."):
        registrations.registration_register(actor=member, event=closed)
    assert not Registration.objects.exists()


def test_a_suspended_member_cannot_register(db):
    member = UserFactory()
    sanction_apply(
        actor=None, decision=None, user_id=member.pk, kind="suspension", days=3, now=timezone.now()
    )
    with pytest.raises(ValidationError, match="cannot register"):
        registrations.registration_register(
            actor=type(member).objects.get(pk=member.pk), event=published_event()
        )


def test_raising_the_seats_promotes_from_the_waiting_list_and_they_cannot_fall_below_the_taken(db):
    manager = user_with_role(COMMUNITY_MANAGERS)
    event = published_event(capacity=1)
    members = [UserFactory() for _ in range(3)]
    for member in members:
        registrations.registration_register(actor=member, event=event)
    promoted = registrations.event_capacity_set(actor=manager, event=event, capacity=2)
    assert [registration.member_id for registration in promoted] == [members[1].pk]
    with pytest.raises(ValidationError, match="2 members are registered"):
        registrations.event_capacity_set(actor=manager, event=event, capacity=1)
    with pytest.raises(PermissionDenied):
        registrations.event_capacity_set(actor=members[0], event=event, capacity=10)
    assert statuses(event) == {"going": 2, "waitlisted": 1}


def test_interest_gives_up_a_seat_to_the_waiting_list(db):
    event = published_event(capacity=1)
    first, second = UserFactory(), UserFactory()
    registrations.registration_register(actor=first, event=event)
    registrations.registration_register(actor=second, event=event)
    assert registrations.registration_interest(actor=first, event=event).status == "interested"
    assert Registration.objects.get(event=event, member=second).status == "going"


def test_a_private_event_does_not_exist_for_others(db):
    ambassador, member, invited = user_with_role(AMBASSADORS), UserFactory(), UserFactory()
    for_group = published_event(audience=Audience.GROUP, group=Group.objects.get(name=AMBASSADORS))
    for_invited = published_event(audience=Audience.INVITED)
    for_invited.invitees.add(invited)
    assert can_see_event(ambassador, for_group) and not can_see_event(member, for_group)
    assert can_see_event(invited, for_invited) and not can_see_event(member, for_invited)
    with pytest.raises(ValidationError, match="This event does not exist."):
        registrations.registration_register(actor=member, event=for_invited)


def test_a_member_promoted_twice_is_told_twice(db):
    from mailings.models import Delivery

    event = published_event(capacity=1)
    holder, waiting = UserFactory(), UserFactory()
    for _round in range(2):
        registrations.registration_register(actor=holder, event=event)
        registrations.registration_register(actor=waiting, event=event)
        for member in (holder, waiting):  # the promoted member leaves too: the next round starts afresh
            registrations.registration_cancel(
                actor=member, registration=Registration.objects.get(member=member)
            )
    told = Delivery.objects.filter(ref__startswith="promoted:", member=waiting)
    assert told.count() == 2
