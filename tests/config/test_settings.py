"""Production start-up refuses plainly: one sentence on stderr, exit code 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SETUP_DJANGO = [sys.executable, "-c", "import django; django.setup()"]
PRODUCTION_ONLY = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE")
SECRET = "k" * 50


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {name: value for name, value in os.environ.items() if name not in PRODUCTION_ONLY}
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_plain_line(stderr: str, *words: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0]


def test_production_without_a_secret_key_refuses_to_start():
    result = run(SETUP_DJANGO, DEBUG="0", ALLOWED_HOSTS="community.example.com")

    assert result.returncode == 1
    assert_one_plain_line(result.stderr, "SECRET_KEY")


def test_production_without_allowed_hosts_refuses_to_start():
    result = run(SETUP_DJANGO, DEBUG="0", SECRET_KEY=SECRET)

    assert result.returncode == 1
    assert_one_plain_line(result.stderr, "ALLOWED_HOSTS")


def test_production_with_a_secret_key_and_hosts_starts():
    result = run(SETUP_DJANGO, DEBUG="0", SECRET_KEY=SECRET, ALLOWED_HOSTS="community.example.com")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_waiting_for_an_unreachable_postgresql_says_so_in_one_line():
    result = run(
        [sys.executable, "-m", "config.launcher", "wait"],
        DEBUG="1",
        WAIT_ATTEMPTS="1",
        DATABASE_URL="postgres://x@127.0.0.1:1/x",
    )

    assert result.returncode == 1
    assert_one_plain_line(result.stderr, "PostgreSQL", "127.0.0.1")


def test_waiting_for_an_unreachable_redis_says_so_in_one_line():
    result = run(
        [sys.executable, "-m", "config.launcher", "wait"],
        DEBUG="1",
        WAIT_ATTEMPTS="1",
        REDIS_URL="redis://127.0.0.1:1/0",
    )

    assert result.returncode == 1
    assert_one_plain_line(result.stderr, "Redis", "127.0.0.1:1")


def test_waiting_for_reachable_services_succeeds_quietly():
    result = run([sys.executable, "-m", "config.launcher", "wait"], DEBUG="1", WAIT_ATTEMPTS="1")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
