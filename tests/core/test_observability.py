"""Request ids: given to every request, repeated in the response, carried to the Celery tasks it sends."""

from __future__ import annotations

import json
import logging
import re
from io import StringIO

import pytest
from celery.app.task import Context

from core.observability import (
    TASK_HEADER,
    JsonFormatter,
    RequestIdFilter,
    adopt_task_request_id,
    release_task_request_id,
    request_id,
    stamp_task_headers,
)

NEW_ID = re.compile(r"[0-9a-f]{32}")


class FakeTask:
    def __init__(self, **headers: str) -> None:
        self.request = Context(headers)


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_Z"})

    assert response["X-Request-ID"] == "lb-7f3a.2_Z"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["", "two words", "x" * 65, "<script>", "id\nforged: line", "é"])
def test_an_unsafe_incoming_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert NEW_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_each_request_gets_an_id_of_its_own_which_ends_with_the_response(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert NEW_ID.fullmatch(first["X-Request-ID"]) and NEW_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert request_id.get() is None


def json_lines(logger_name: str, emit) -> list[dict]:
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_json_formatter_writes_one_line_per_record_with_the_exception():
    def emit(logger):
        token = request_id.set("req-1")
        try:
            raise ValueError("bad\nvalue")
        except ValueError:
            logger.exception("Lookup of %s failed", "thread 12")
        finally:
            request_id.reset(token)
        logger.warning("outside any request")

    failed, outside = json_lines("agora.test.json", emit)

    assert set(failed) == {"time", "level", "logger", "message", "request_id", "exception"}
    assert failed["level"] == "ERROR" and failed["logger"] == "agora.test.json"
    assert failed["message"] == "Lookup of thread 12 failed"
    assert failed["request_id"] == "req-1"
    assert failed["exception"].startswith("Traceback") and "ValueError: bad\nvalue" in failed["exception"]
    assert failed["time"].endswith("+00:00")
    assert outside["request_id"] is None and "exception" not in outside


def test_a_task_sent_during_a_request_runs_in_the_worker_under_the_request_id():
    headers: dict = {}
    token = request_id.set("req-abc")
    try:
        stamp_task_headers(sender="agora.heartbeat", headers=headers, body={})
    finally:
        request_id.reset(token)
    assert headers == {TASK_HEADER: "req-abc"}

    task = FakeTask(id="task-1", **headers)
    adopt_task_request_id(task_id="task-1", task=task)
    during = request_id.get()
    release_task_request_id(task_id="task-1", task=task)

    assert during == "req-abc"
    assert request_id.get() is None


def test_a_task_sent_outside_a_request_runs_under_its_own_task_id():
    headers: dict = {}
    stamp_task_headers(sender="agora.heartbeat", headers=headers, body={})
    assert headers == {}

    adopt_task_request_id(task_id="task-2", task=FakeTask(id="task-2"))
    assert request_id.get() == "task-2"
    release_task_request_id(task_id="task-2")

    # A header that is not a safe id is not repeated in the logs.
    adopt_task_request_id(task_id="task-3", task=FakeTask(id="task-3", **{TASK_HEADER: "a b\nc"}))
    assert request_id.get() == "task-3"
    release_task_request_id(task_id="task-3")
    assert request_id.get() is None
