"""Error reports to Sentry carry no e-mail address, no cookie, no credentials and no client address.

Settings turn Sentry on only with SENTRY_DSN (tests/config/test_logging.py starts processes with and
without one); here the same init_sentry() reports to a transport that keeps what would have been sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.observability import EMAIL_REPLACEMENT, scrub_event
from tests.conftest import database_url, forget_cache_keys


def test_the_scrubber_removes_e_mail_addresses_cookies_credentials_and_the_user():
    event = {
        "message": "No member ann.o'neil+x@mail.example.com",
        "logentry": {
            "message": "Lookup %s",
            "params": ["bob@example.org"],
            "formatted": "Lookup bob@example.org",
        },
        "exception": {"values": [{"type": "ValueError", "value": "carol@example.fr is suspended"}]},
        "breadcrumbs": {
            "values": [{"message": "sent to dan@example.com", "data": {"to": ["eve@example.com"]}}]
        },
        "extra": {"contact": "fay@example.com", "count": 3, "eve@example.com": True},
        "transaction": "/events/feed/{member_id}/{token}.ics",
        "request": {
            "url": "https://community.example.com/events/feed/7/s3cr3t-calendar-token.ics",
            "query_string": "t=another-token",
            "cookies": {"sessionid": "secret-session"},
            "headers": {
                "Authorization": "Bearer s3cret",
                "Cookie": "sessionid=x",
                "X-Forwarded-For": "10.1.2.3",
            },
            "env": {"REMOTE_ADDR": "10.1.2.3", "SERVER_NAME": "web"},
        },
        "user": {"id": "42", "email": "gus@example.com", "ip_address": "10.1.2.3", "username": "gus"},
    }

    scrubbed = scrub_event(event, {})
    text = json.dumps(scrubbed)

    assert "@" not in text.replace("agora@", "")
    assert scrubbed["message"] == f"No member {EMAIL_REPLACEMENT}"
    assert scrubbed["exception"]["values"][0]["value"] == f"{EMAIL_REPLACEMENT} is suspended"
    assert scrubbed["breadcrumbs"]["values"][0]["data"]["to"] == [EMAIL_REPLACEMENT]
    assert scrubbed["extra"]["count"] == 3
    assert "secret-session" not in text and "s3cret" not in text and "10.1.2.3" not in text
    assert scrubbed["request"]["headers"] == {}
    assert scrubbed["request"]["env"] == {"SERVER_NAME": "web"}
    assert scrubbed["user"] == {"id": "42"}
    # The route, not the path: paths and queries carry calendar, ticket and unsubscribe tokens.
    assert scrubbed["request"]["url"] == "/events/feed/{member_id}/{token}.ics"
    assert "s3cr3t-calendar-token" not in text and "another-token" not in text


# Run in a process of its own: sentry_sdk's Django integration patches Django for the whole process.
REPORTING_PROCESS = """
import json, logging, sys
import django
django.setup()
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport
from accounts.models import User
from config import views
from config.observability import init_sentry


class KeepingTransport(Transport):
    envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


transport = KeepingTransport()
init_sentry(dsn="https://public@127.0.0.1:9/1", environment="test", transport=transport)
member = User.objects.get(pk=int(sys.argv[1]))


def broken():
    logging.getLogger("agora.test").warning("looking for bob@example.com")
    sentry_sdk.set_extra("contact", "carol@example.com")
    raise ValueError(f"no standing for {member.email}")


views.health_report = broken
client = Client(raise_request_exception=False)
client.force_login(member)
response = client.get(
    "/healthz?t=s3cret-in-query",
    headers={"Authorization": "Bearer s3cret-token", "X-Forwarded-For": "10.1.2.3"},
    REMOTE_ADDR="10.9.8.7",
)
sentry_sdk.flush()
print(json.dumps({
    "status": response.status_code,
    "session": client.cookies["sessionid"].value,
    "events": [e for env in transport.envelopes if (e := env.get_event()) is not None],
    "payload": [env.serialize().decode(errors="replace") for env in transport.envelopes],
}))
"""


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_view_is_reported_without_personal_data(member):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CACHE_KEY_PREFIX": f"agora-test-{uuid.uuid4().hex[:12]}",
    }
    done = subprocess.run(
        [sys.executable, "-c", REPORTING_PROCESS, str(member.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    forget_cache_keys(env["CACHE_KEY_PREFIX"])

    assert report["status"] == 500
    [event] = [e for e in report["events"] if e.get("exception")]
    assert event["exception"]["values"][-1]["value"] == f"no standing for {EMAIL_REPLACEMENT}"
    assert event["environment"] == "test"
    messages = [crumb.get("message") for crumb in event["breadcrumbs"]["values"]]
    assert f"looking for {EMAIL_REPLACEMENT}" in messages
    assert event["extra"]["contact"] == EMAIL_REPLACEMENT
    payload = json.dumps(report["payload"])
    assert "@example.com" not in payload and member.email not in payload
    assert "10.1.2.3" not in payload and "10.9.8.7" not in payload
    assert "s3cret-token" not in payload and "s3cret-in-query" not in payload
    assert report["session"] not in payload
    assert "email" not in event.get("user", {}) and "ip_address" not in event.get("user", {})
