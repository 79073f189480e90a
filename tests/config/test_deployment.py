"""What an operator relies on in the deployment files: docker-compose.yml, the Dockerfile, .env.example,
.dockerignore, config/gunicorn.conf.py and the containers' health checks (config/healthcheck.py)."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import runpy
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from config import healthcheck
from config.celery import HEARTBEAT_KEY, heartbeat
from tests.conftest import running_worker

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")


def load_yaml(path: Path) -> dict:
    """PyYAML when the environment has it; else the system Python's (Debian's python3-yaml), which the
    project's machines carry, so that the test does not need a package of its own."""
    text = path.read_text()
    try:
        import yaml
    except ImportError:
        pass
    else:
        return yaml.safe_load(text)
    for python in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not Path(python).exists():
            continue
        result = subprocess.run(
            [python, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
            input=text,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.returncode == 0:
            return json.loads(result.stdout)
    pytest.skip("reading docker-compose.yml needs PyYAML (Debian: apt-get install python3-yaml)")


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(ROOT / "docker-compose.yml")


def strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in [str(key), *strings(value)]]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [str(node)] if node is not None else []


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


# docker-compose.yml ---------------------------------------------------------------------------------


def test_web_worker_and_beat_start_after_the_one_shot_migrate_service(compose):
    services = compose["services"]
    migrate = services["migrate"]

    assert "manage.py migrate --noinput" in command_text(migrate)
    # A one-shot: restarting it after it exits 0 would run it again and again.
    assert migrate["restart"] == "no"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        # Nobody else applies migrations or waits for them in a loop.
        assert "migrate" not in command_text(services[name])


def test_every_long_running_service_has_a_health_check(compose):
    services = compose["services"]
    for name in ("postgres", "redis", *APP_SERVICES):
        check = services[name]["healthcheck"]
        assert check["test"], name
        assert check["interval"] and check["timeout"], name

    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.healthcheck", "web"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "-m", "config.healthcheck", "beat"]


def test_the_file_holds_no_password_and_requires_the_secrets(compose):
    environments = [compose["x-app"]["environment"]]
    environments += [service.get("environment", {}) for service in compose["services"].values()]
    secrets = 0
    for environment in environments:
        for name, value in environment.items():
            if "PASSWORD" in name or "SECRET" in name:
                # From .env or the shell, and compose refuses to start without it (":?").
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", value), f"{name}: {value}"
                secrets += 1
    assert secrets >= 4
    url = compose["x-app"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://${POSTGRES_USER:-agora}:${POSTGRES_PASSWORD:?")
    assert "agora:agora@" not in (ROOT / "docker-compose.yml").read_text()


def test_images_are_pinned_and_postgresql_is_major_18_with_its_volume_on_the_new_path(compose):
    services = compose["services"]
    for name, service in services.items():
        image = service.get("image")
        if image is None:
            continue
        assert ":" in image and not image.endswith(":latest"), name
        if "build" not in service:
            # A patch release of an upstream image, not a moving major tag.
            assert re.search(r":\d+\.\d+(\.\d+)?(-|$)", image), image

    assert services["postgres"]["image"].startswith("postgres:18.")
    assert services["backup"]["image"] == services["postgres"]["image"]
    assert services["redis"]["image"].startswith("redis:7.")
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11\.\d+-slim-bookworm$", dockerfile, re.MULTILINE)
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"]' in dockerfile


def test_only_one_beat_and_gunicorn_published_on_the_loopback_by_default(compose):
    services = compose["services"]

    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["ports"] == ["${WEB_ADDRESS:-127.0.0.1}:${WEB_PORT:-8000}:8000"]


# .env.example -------------------------------------------------------------------------------------

READ = re.compile(
    r"""(?:\benv|\benv_bool|\benv_list|\b_int|os\.environ\.get|os\.getenv|os\.environ\.setdefault)"""
    r"""\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[["']([A-Z][A-Z0-9_]*)["']\]"""
)
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def variables_read() -> set[str]:
    names = set()
    for path in [*ROOT.joinpath("config").glob("*.py"), ROOT / "manage.py"]:
        for match in READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    compose_text = (ROOT / "docker-compose.yml").read_text()
    names |= set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", compose_text))
    return names - NOT_SETTINGS


def documented() -> dict[str, tuple[str, str]]:
    """NAME -> (value, the comment line above it), for `NAME=…` and `# NAME=…` lines."""
    found = {}
    previous = ""
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match.group(1)] = (match.group(2), previous)
        previous = line
    return found


def test_env_example_documents_every_variable_the_settings_and_compose_read():
    names = variables_read()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST", "POSTGRES_PASSWORD", "WEB_CONCURRENCY"} <= names

    missing = names - set(documented())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_gives_each_variable_a_comment_and_no_secret():
    entries = documented()
    for name, (_value, above) in entries.items():
        assert above.startswith("#"), f"{name} has no comment line above it"
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD"):
        assert entries[name][0] == "", f"{name} must be left for the operator to fill in"
    for name in ("SENTRY_DSN", "HEALTHZ_TOKEN", "METRICS_TOKEN", "ADMINS", "LOG_FORMAT"):
        assert name in entries


# .dockerignore ------------------------------------------------------------------------------------


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, near enough: a pattern matching a path or one of its folders leaves it out."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.removeprefix("**/")
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p.split("/")[-1], pattern) for p in prefixes):
            return True
    return False


def test_dockerignore_keeps_tests_and_secrets_out_and_what_runs_in():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in ("tests/conftest.py", "bench/run.py", ".ci/run", ".env", "backups/agora.dump", "ci-logs/x"):
        assert ignored(path, patterns), path
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    runtime_folders = {"config", "core", "accounts", "community", "moderation", "events", "mailings"}
    runtime_folders |= {"reporting", "templates", "static", "locale"}
    runtime = [
        path
        for path in tracked
        if path.split("/")[0] in runtime_folders or path in {"manage.py", "requirements.txt"}
    ]
    assert "locale/fr/LC_MESSAGES/django.po" in runtime
    assert [path for path in runtime if ignored(path, patterns)] == []


# config/gunicorn.conf.py --------------------------------------------------------------------------

GUNICORN_VARIABLES = (
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "PROMETHEUS_MULTIPROC_DIR",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DEBUG",
)


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))


def test_gunicorn_reads_its_workers_threads_timeouts_and_port_from_the_environment(monkeypatch):
    conf = gunicorn_settings(
        monkeypatch,
        PORT="9001",
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="45",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
    )

    assert conf["bind"] == ["0.0.0.0:9001"]
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (5, 4, "gthread")
    assert (conf["timeout"], conf["max_requests"], conf["max_requests_jitter"]) == (45, 500, 50)


def test_gunicorn_defaults_are_two_sync_workers_on_port_8000(monkeypatch):
    conf = gunicorn_settings(monkeypatch)

    assert conf["bind"] == ["0.0.0.0:8000"]
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (2, 1, "sync")
    assert (conf["timeout"], conf["max_requests"], conf["max_requests_jitter"]) == (30, 1000, 100)
    # Requests are logged by Django with their route (tokens stay out of logs); gunicorn's own lines as JSON.
    assert (conf["accesslog"], conf["errorlog"]) == (None, "-")
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "core.observability.JsonFormatter"


def test_gunicorn_keeps_its_workers_when_metrics_add_up_their_files(monkeypatch, tmp_path):
    # Each replaced worker would leave its counter files behind in the metrics folder.
    conf = gunicorn_settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))

    assert conf["max_requests"] == 0


def test_gunicorn_starts_the_metrics_folder_empty_when_one_is_set(monkeypatch, tmp_path):
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    conf = gunicorn_settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    conf["on_starting"](None)
    assert (tmp_path / "metrics").is_dir()

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf["on_starting"](None)
    assert list(tmp_path.glob("*.db")) == []


# The containers' health checks --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_web_check_is_healthy_only_when_healthz_answers_200(live_server, monkeypatch):
    monkeypatch.setenv("PORT", live_server.url.rsplit(":", 1)[1])
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")

    assert healthcheck.web().endswith("/healthz answered 503")  # no heartbeat yet
    heartbeat()
    assert healthcheck.web() is None


def test_the_web_check_sends_a_host_name_the_site_answers_to(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " *, .community.example.com,example.org")
    assert healthcheck._allowed_host() == "community.example.com"
    monkeypatch.setenv("ALLOWED_HOSTS", "*")
    assert healthcheck._allowed_host() == "localhost"


def test_the_web_check_says_when_nothing_listens(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PORT", str(port))

    assert "did not answer" in healthcheck.web()


def test_the_beat_check_follows_the_heartbeat_age():
    from django.core.cache import cache

    assert "no beat heartbeat" in healthcheck.beat()
    heartbeat()
    assert healthcheck.beat() is None
    cache.set(HEARTBEAT_KEY, (timezone.now() - settings.HEARTBEAT_MAX_AGE - timedelta(seconds=5)).isoformat())
    assert "s old" in healthcheck.beat()


def test_the_health_check_command_exits_0_or_1_with_one_line(monkeypatch):
    result = subprocess.run(
        [sys.executable, "-m", "config.healthcheck", "web"],
        cwd=ROOT,
        env={**os.environ, "PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_check_gets_an_answer_from_a_running_worker(tmp_path):
    with running_worker(tmp_path) as worker:
        node = f"{worker.queue}@{socket.gethostname()}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": settings.REDIS_URL}

        def ping(destination: str, seconds: int) -> subprocess.CompletedProcess:
            command = [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping"]
            command += ["-d", destination, "--timeout", str(seconds)]
            return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

        # The worker answers once it has connected to the broker.
        deadline = timezone.now() + timedelta(seconds=40)
        while (result := ping(node, 10)).returncode and timezone.now() < deadline:
            pass
        assert result.returncode == 0, result.stdout + result.stderr + worker.output()
        assert "pong" in result.stdout
        assert ping(f"nobody-{node}", 2).returncode != 0


# Behind the proxy ---------------------------------------------------------------------------------


def test_behind_one_proxy_the_sign_in_limits_count_the_address_the_proxy_saw(rf, settings):
    from allauth.account.adapter import get_adapter

    # nginx appends the address it saw to whatever the client sent (docs/nginx.conf.example).
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.2", REMOTE_ADDR="172.18.0.1")
    assert get_adapter(request).get_client_ip(request) == "172.18.0.1"

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert get_adapter(request).get_client_ip(request) == "198.51.100.2"
