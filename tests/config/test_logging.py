"""Logs as JSON lines with the request id, from the web process and from a real Celery worker; ADMINS."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from io import StringIO
from logging.config import dictConfig

import pytest
from django.conf import settings as django_settings

from config.celery import heartbeat
from config.observability import addresses, logging_config
from core.observability import request_id
from tests.conftest import running_worker


@pytest.fixture
def json_log():
    """The project's logging in JSON, its console handler writing to a buffer; settings' logging after."""
    dictConfig(logging_config(log_format="json", level="INFO"))
    stream = StringIO()
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
def test_a_request_writes_json_lines_carrying_the_id_of_its_response(client, json_log):
    response = client.get("/no/such/page/here/", headers={"X-Request-ID": "not a safe id"})

    assert response.status_code == 404
    lines = [line for line in json_log() if line["logger"] == "django.request"]
    assert len(lines) == 1
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["message"] == "Not Found: /no/such/page/here/"
    assert lines[0]["request_id"] == response["X-Request-ID"] != "not a safe id"


@pytest.mark.django_db
def test_each_request_is_one_access_line_with_its_route_never_the_token_in_its_path(
    client, json_log, settings
):
    settings.ACCESS_LOG = True

    response = client.get("/events/feed/7/s3cr3t-calendar-token.ics")

    [line] = [line for line in json_log() if line["logger"] == "agora.access"]
    assert line["message"].startswith("GET /events/feed/<int:member_id>/<str:token>.ics 404 ")
    assert line["request_id"] == response["X-Request-ID"]
    assert "s3cr3t" not in line["message"]


def test_json_lines_never_carry_an_e_mail_address(json_log):
    logging.getLogger("mailings.delivery").warning("refused: {'camille@example.com': (550, b'no')}")

    [line] = json_log()
    assert line["message"] == "refused: {'[email]': (550, b'no')}"


@pytest.mark.django_db
def test_a_server_error_is_one_json_line_with_its_traceback(client, json_log, settings, monkeypatch):
    from config import views

    def broken():
        raise RuntimeError("the health check broke")

    monkeypatch.setattr(views, "health_report", broken)
    client.raise_request_exception = False

    response = client.get("/healthz")

    assert response.status_code == 500
    [line] = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["level"] == "ERROR" and line["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: the health check broke" in line["exception"]


def test_admins_are_read_as_names_and_addresses():
    assert addresses("Ann <ann@example.com>, Bob <bob@example.com>") == [
        ("Ann", "ann@example.com"),
        ("Bob", "bob@example.com"),
    ]
    assert addresses("carol@example.com") == [("", "carol@example.com")]
    assert addresses("") == []
    assert addresses("nobody, <>") == []


def settings_of_a_new_process(**env: str) -> dict:
    """Settings as a freshly started process reads them from this environment (and what it imported)."""
    script = """
import json, sys
import django
django.setup()
from django.conf import settings
report = {
    "ADMINS": settings.ADMINS,
    "SERVER_EMAIL": settings.SERVER_EMAIL,
    "formatter": settings.LOGGING["handlers"]["console"]["formatter"],
    "sentry_imported": "sentry_sdk" in sys.modules,
}
if report["sentry_imported"]:
    import sentry_sdk
    client = sentry_sdk.get_client()
    report["sentry"] = {
        "active": client.is_active(),
        "send_default_pii": client.should_send_default_pii(),
        "user_info": client.options["data_collection"]["user_info"],
        "cookies": client.options["data_collection"]["cookies"],
        "environment": client.options["environment"],
        "release": client.options["release"],
        "traces_sample_rate": client.options["traces_sample_rate"],
        "integrations": sorted(client.integrations),
    }
print(json.dumps(report))
"""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "LOG_", "ADMINS", "SERVER_"))}
    full = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com"}


def test_production_logs_json_mails_admins_and_does_not_load_sentry_without_a_dsn():
    seen = settings_of_a_new_process(
        **PRODUCTION,
        ADMINS="Ann <ann@example.com>, Bob <bob@example.com>",
        DEFAULT_FROM_EMAIL="Agora <noreply@example.com>",
    )

    assert seen == {
        "ADMINS": [["Ann", "ann@example.com"], ["Bob", "bob@example.com"]],
        "SERVER_EMAIL": "Agora <noreply@example.com>",
        "formatter": "json",
        "sentry_imported": False,
    }
    assert settings_of_a_new_process(DEBUG="1", SERVER_EMAIL="errors@example.com") == {
        "ADMINS": [],
        "SERVER_EMAIL": "errors@example.com",
        "formatter": "plain",
        "sentry_imported": False,
    }
    assert settings_of_a_new_process(**PRODUCTION, LOG_FORMAT="plain")["formatter"] == "plain"


def test_a_dsn_turns_sentry_on_without_personal_data():
    seen = settings_of_a_new_process(
        **PRODUCTION,
        SENTRY_DSN="https://public@127.0.0.1:9/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="agora@1.2.3",
        SENTRY_TRACES_SAMPLE_RATE="0.25",
    )

    sentry = seen["sentry"]
    assert sentry["active"] is True
    assert sentry["send_default_pii"] is False
    assert sentry["user_info"] is False and sentry["cookies"] == {"mode": "off"}
    assert (sentry["environment"], sentry["release"], sentry["traces_sample_rate"]) == (
        "staging",
        "agora@1.2.3",
        0.25,
    )
    assert {"django", "celery", "logging"} <= set(sentry["integrations"])
    # Redis commands name their keys, which hold session ids.
    assert "redis" not in sentry["integrations"]


@pytest.mark.django_db
def test_a_real_worker_logs_a_task_sent_during_a_request_under_that_request_id(django_db_setup, tmp_path):
    with running_worker(tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO") as worker:
        token = request_id.set("req-from-the-web")
        try:
            heartbeat.apply_async(queue=worker.queue)
        finally:
            request_id.reset(token)
        heartbeat.apply_async(queue=worker.queue)

        def succeeded() -> list[dict]:
            lines = []
            for text in worker.log.read_text(errors="replace").splitlines():
                if text.startswith("{"):
                    line = json.loads(text)
                    if line["logger"] == "celery.app.trace" and "succeeded" in line["message"]:
                        lines.append(line)
            return lines if len(lines) == 2 else []

        first, second = worker.wait_for(succeeded, what="log both heartbeats")

    assert first["request_id"] == "req-from-the-web"
    # Sent outside a request: the task's own id, which the line names too.
    assert second["request_id"] and second["request_id"] in second["message"]
