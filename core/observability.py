"""What ties one request's log lines together, in the web process and in the Celery tasks it sends.

Each request gets an id (the caller's `X-Request-ID` when it is safe to repeat, else a new one), kept in
a context variable from the first middleware until the response is closed, so that Django's own
"Not Found" / "Internal Server Error" lines, written after the middleware returns, carry it too. A
logging filter copies it onto every record; the JSON formatter writes one object per line. Tasks sent
while it is set carry it in a message header, and the worker adopts it while the task runs.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str | None] = ContextVar("agora_request_id", default=None)

# What an incoming X-Request-ID may be: short, and nothing a log reader or a header could misread.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"
# The Celery message header carrying the id from the web process to the worker.
TASK_HEADER = "agora_request_id"
# E-mail addresses are replaced in log lines and error reports (an SMTP error names its recipient).
# (An apostrophe may be inside an address, as in o'brien@, but not open one: quotes around it stay.)
EMAIL = re.compile(r"[A-Za-z0-9._%+-][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_REPLACEMENT = "[email]"
access_logger = logging.getLogger("agora.access")


def scrub(value: Any) -> Any:
    """The same structure, every string with its e-mail addresses replaced (keys as well as values)."""
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_REPLACEMENT, value)
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item) for item in value)
    return value


def accept_request_id(candidate: str | None) -> str:
    """The caller's id when it is safe to repeat in logs and headers, else a new one."""
    if candidate and SAFE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE: every later middleware, the view and Django's error logging see the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        current = accept_request_id(request.headers.get(HEADER))
        request_id.set(current)
        request.request_id = current  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = current
        if settings.ACCESS_LOG:
            # The route, never the path: paths carry calendar, ticket and unsubscribe tokens and
            # invitation codes, which would sit in every log store (gunicorn's own access log is off).
            match = request.resolver_match
            access_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                "/" + match.route if match is not None else "-",
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response


def forget_request_id(**kwargs: Any) -> None:
    """On request_finished (the response closed, after Django logged its status): the id ends here."""
    request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Put the current request id (or "-") on every record that reaches the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None) or request_id.get()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": None if rid in (None, "-") else rid,
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    """True when the request carries `Authorization: Bearer <expected>`; never with no token configured.
    Compared in constant time, as bytes (compare_digest refuses non-ASCII str)."""
    if not expected:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


# Celery signals (connected in config/celery.py) ------------------------------------------------------

_task_tokens: dict[str, Token] = {}


def stamp_task_headers(headers: dict | None = None, **kwargs: Any) -> None:
    """before_task_publish: a task sent during a request (or a task) carries that id."""
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault(TASK_HEADER, current)


def adopt_task_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """task_prerun: the worker logs the task under the id it was sent with, or its own task id."""
    sent = task.request.get(TASK_HEADER) if task is not None else None
    current = sent if isinstance(sent, str) and SAFE_REQUEST_ID.fullmatch(sent) else task_id
    token = request_id.set(current)
    if task_id:
        _task_tokens[task_id] = token


def release_task_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    """task_postrun: back to what was there before the task (nothing, in a worker)."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id.reset(token)
            return
        except (ValueError, RuntimeError):  # Set in another context, or already reset.
            pass
    request_id.set(None)
