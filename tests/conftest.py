"""Fixtures for the whole suite: people in each role, fast hashing, an isolated cache, English pages.

The suite runs against the real PostgreSQL and Redis (embedded ones under `make test`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, MARKETING
from tests.factories import UserFactory, user_with_role


def pytest_configure(config: pytest.Config) -> None:
    # The .mo files are build products (git-ignored): compile them so that running pytest directly,
    # not only through `make test`, renders the current French catalogue.
    call_command("compiletranslations", verbosity=0)
    # Forget any catalogue read before the compilation (as Django does when LOCALE_PATHS changes).
    trans_real._translations = {}
    trans_real._default = None


def cache_key_prefix() -> str:
    return f"agora-test-{uuid.uuid4().hex[:12]}"


def forget_cache_keys(prefix: str) -> None:
    """Delete one namespace's keys (never FLUSHDB: the Redis may be `make run`'s as well)."""
    with contextlib.suppress(redis.RedisError, ValueError):
        server = redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)
        keys = list(server.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            server.unlink(*keys)


def forget_queue(queue: str) -> None:
    """Delete the broker's keys for a test queue (kombu keeps a binding set per queue name)."""
    with contextlib.suppress(redis.RedisError, ValueError):
        server = redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)
        keys = [queue, *server.scan_iter(match=f"_kombu.binding*.{queue}", count=1000)]
        server.unlink(*keys)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Fast password hashing, and a cache namespace of the test's own.

    Rate limits, the cached branding and member count and the Celery heartbeat all live in Redis;
    a fresh key prefix per test keeps them from leaking between tests (or into `make run`'s data).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read pages right after changing data; the shared copies for visitors have tests of their own.
    settings.ANONYMOUS_PAGE_SECONDS = 0
    settings.SEARCH_RESULTS_SECONDS = 0
    # Shared thread pages are on, as in production (their keys follow every change).
    settings.SHARED_PAGE_SECONDS = 600
    prefix = cache_key_prefix()
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "KEY_PREFIX": prefix}}
    # Messages raised outside a request are in the active language: English, whichever test ran before.
    with translation.override("en"):
        yield
    forget_cache_keys(prefix)


@pytest.fixture(autouse=True)
def _outside_any_request():
    """Each test starts outside any request: a streamed response a test did not read to its end is never
    closed, so its request id (core.observability) would otherwise reach the next test's log lines."""
    from core.observability import request_id

    request_id.set(None)


@pytest.fixture(autouse=True)
def _member_limits_off(request):
    """Tests write many posts from one member in a loop: the link, mention and rate limits of screening
    are off unless a test is marked `screening_limits` (tests/moderation/test_screening.py)."""
    if request.node.get_closest_marker("screening_limits"):
        yield
        return
    from moderation.screening import member_limits_off

    with member_limits_off():
        yield


@pytest.fixture
def client() -> Client:
    """The community's default language is French; tests read English unless they ask for French."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def member(db):
    return UserFactory(display_name="Camille Martin")


@pytest.fixture
def community_manager(db):
    return user_with_role(COMMUNITY_MANAGERS, display_name="Sacha Dubois")


@pytest.fixture
def marketing(db):
    return user_with_role(MARKETING, display_name="Alex Moreau")


@pytest.fixture
def ambassador(db):
    return user_with_role(AMBASSADORS, display_name="Inès Laurent")


# A real Celery worker -----------------------------------------------------------------------------


def database_url(db: dict) -> str:
    """A URL for the database Django is connected to; a Unix-socket folder is percent-encoded."""
    host = db["HOST"] or ""
    if host.startswith("/"):
        host = quote(host, safe="")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    auth = f"{user}{password}@" if user or password else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Worker:
    queue: str
    cache_prefix: str
    process: subprocess.Popen
    log: Path

    def wait_for(self, condition: Callable[[], object], *, timeout: float = 20, what: str = "") -> object:
        """Poll until condition() is truthy; fail with the worker's log when it dies or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker did not {what or 'finish'} within {timeout}s:\n{self.output()}"
                )
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def running_worker(log_dir: Path, **extra_env: str):
    """`celery worker -P solo` on a queue of its own, against the test database and the same Redis;
    extra_env overrides settings read from the environment (an SMTP server, a claim timeout)."""
    from django.db import connection

    queue = f"agora-test-{uuid.uuid4().hex[:8]}"
    prefix = cache_key_prefix()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_QUEUE": queue,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": django_settings.REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        # Kept in the worker's memory unless a test gives it an SMTP server to talk to.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **extra_env,
    }
    log = log_dir / f"worker-{queue}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queue, "-l", "warning",
        "-n", f"{queue}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield Worker(queue=queue, cache_prefix=prefix, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        forget_cache_keys(prefix)
        forget_queue(queue)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory) -> Worker:
    """A worker for the whole session. Depending on django_db_setup makes it stop before the test
    database is dropped."""
    with running_worker(tmp_path_factory.mktemp("celery")) as worker:
        yield worker
