"""Bounces and complaints from a provider's webhook stop all e-mail to the address (django-anymail)."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail

from community.services.notifications import member_welcome
from mailings.models import AddressState, Delivery
from mailings.services import SOFT_BOUNCE_LIMIT, address_suppressed, delivery_event_record, suppression_lift
from tests.factories import UserFactory
from tests.mail import send_due

pytestmark = pytest.mark.django_db
SECRET = "agora:webhook-secret"
WEBHOOK = "/mailings/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def postmark(client, payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK,
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )


def bounce(address: str, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce", "Type": kind, "TypeCode": 1, "Email": address, "MessageID": "abc",
        "BouncedAt": "2026-12-05T10:00:00Z", "Description": "The address does not exist.", "Details": "550",
    }  # fmt: skip


def test_a_hard_bounce_stops_every_e_mail_to_the_address_until_the_team_lifts_it(client):
    member = UserFactory(email="Camille@Example.com")
    assert postmark(client, bounce("camille@example.com")).status_code == 200
    assert address_suppressed(member.email)
    mail.outbox.clear()
    member_welcome(user=member)
    assert send_due() == 0
    message = Delivery.objects.get()
    assert mail.outbox == [] and message.state == "skipped" and "suppressed" in message.last_error
    suppression_lift(address=member.email)
    assert not address_suppressed(member.email)


def test_a_complaint_suppresses_and_a_forged_webhook_changes_nothing(client):
    assert postmark(client, bounce("lou@example.com"), secret="agora:wrong").status_code in (400, 401, 403)
    assert not AddressState.objects.exists()
    complaint = {
        "RecordType": "SpamComplaint",
        "Email": "lou@example.com",
        "MessageID": "x",
        "BouncedAt": "2026-12-05T10:00:00Z",
    }
    postmark(client, complaint)
    assert AddressState.objects.get(address="lou@example.com").suppressed == "complaint"


def test_soft_bounces_count_up_to_a_limit_and_a_delivery_resets_them():
    for _n in range(SOFT_BOUNCE_LIMIT - 1):
        delivery_event_record(address="nour@example.com", event_type="deferred")
    assert not address_suppressed("nour@example.com")
    delivery_event_record(address="nour@example.com", event_type="delivered")
    for _n in range(SOFT_BOUNCE_LIMIT):
        delivery_event_record(address="nour@example.com", event_type="deferred")
    assert AddressState.objects.get(address="nour@example.com").suppressed == "soft"
