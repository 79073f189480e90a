"""Content-Security-Policy violation reports: what browsers say the site's policy blocked, so the team
learns of a broken page or an injection attempt.

Browsers POST them to CSP_REPORT_PATH in one of two forms: the `report-uri` one
(`application/csp-report`, `{"csp-report": {...}}`) and the Reporting API's (`application/reports+json`,
a list of reports of which those of type "csp-violation" count), the group named by the
Reporting-Endpoints header that ReportingEndpointsMiddleware adds.

Nothing personal is kept: a report becomes the directive it violated, the blocked resource's origin
(scheme and host) or keyword (inline, eval…), the page's URL pattern rather than its address (paths
carry handles, invitation codes and e-mailed tokens; the query string is dropped with them), and the
disposition; each such kind is one row a day with a count (config.models.CspReport). Anyone may POST
here, so the body is capped, each client may send RATE_LIMITS["csp_report"] (core.ratelimit, in
Redis), and a day adds at most CSP_REPORT_DAILY_ROWS rows: a flood costs a counter, not the database.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from csp.utils import DEFAULT_DIRECTIVES
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from config.models import CspReport

CSP_REPORT = "application/csp-report"
REPORTS_JSON = "application/reports+json"
# Some browsers send the report-uri form as plain JSON.
CONTENT_TYPES = {CSP_REPORT, REPORTS_JSON, "application/json"}
# What a report names instead of a URL when the policy blocked something that has none.
KEYWORDS = {"inline", "eval", "wasm-eval", "self", "trusted-types-policy", "trusted-types-sink"}
WEB_SCHEMES = {"http", "https", "ws", "wss"}
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,30}$")
DISPOSITIONS = {"enforce", "report"}
OTHER = "(other)"
# A Reporting API body may batch reports; more than this in one body is not believable.
MAX_PER_BODY = 50


class BadReport(ValueError):
    """The body is not a report in either form."""


@dataclass(frozen=True)
class Violation:
    directive: str
    blocked: str
    page: str
    disposition: str


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def directive_of(value: object) -> str:
    """The directive's name (a CSP2 report names it with its sources: the first word); unknown: other."""
    words = _text(value).lower().split()
    name = words[0] if words else ""
    return name if name in DEFAULT_DIRECTIVES else OTHER


def blocked_of(value: object) -> str:
    """The blocked resource reduced to its origin, or its keyword or scheme: never a path or query."""
    text = _text(value)[:2000]
    lowered = text.lower()
    if not text:
        return ""
    if lowered in KEYWORDS:
        return lowered
    if SCHEME.match(lowered):  # "data", "blob": a scheme alone in report-uri reports
        return f"{lowered}:"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return OTHER
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES and host:
        return f"{scheme}://{host}{f':{port}' if port else ''}"[:200]
    if SCHEME.match(scheme):  # data:, blob:, an extension's scheme: its id and path dropped
        return f"{scheme}:"
    return OTHER


def page_of(value: object) -> str:
    """The page's URL pattern ("/t/<int:pk>/<slug:slug>/"): no handle, code or token, no query string."""
    path = urlsplit(_text(value)[:2000]).path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        return OTHER
    return f"/{match.route}"[:200]


def disposition_of(value: object) -> str:
    text = _text(value).lower()
    return text if text in DISPOSITIONS else "enforce"


def violations_parse(body: bytes, content_type: str) -> list[Violation]:
    """The violations a report body holds, reduced to what is kept; BadReport when it is no report."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadReport from exc
    if content_type == REPORTS_JSON:
        if not isinstance(data, list):
            raise BadReport
        found = []
        for item in data[:MAX_PER_BODY]:
            if not isinstance(item, dict) or item.get("type") != "csp-violation":
                continue
            report = item.get("body")
            if not isinstance(report, dict):
                raise BadReport
            found.append(
                Violation(
                    directive=directive_of(report.get("effectiveDirective")),
                    blocked=blocked_of(report.get("blockedURL")),
                    page=page_of(report.get("documentURL") or item.get("url")),
                    disposition=disposition_of(report.get("disposition")),
                )
            )
        return found
    report = data.get("csp-report") if isinstance(data, dict) else None
    if not isinstance(report, dict):
        raise BadReport
    return [
        Violation(
            directive=directive_of(report.get("effective-directive") or report.get("violated-directive")),
            blocked=blocked_of(report.get("blocked-uri")),
            page=page_of(report.get("document-uri")),
            disposition=disposition_of(report.get("disposition")),
        )
    ]


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


@transaction.atomic
def violations_record(violations: list[Violation]) -> None:
    """Add the violations to the day's counts: one conditional UPDATE per kind, an insert (that loses
    nothing to a concurrent one) for a kind new today. Past the day's row limit, new kinds are counted
    under one "(other)" blocked origin and page."""
    day = _today()
    for violation, n in Counter(violations).items():
        key = {
            "day": day,
            "directive": violation.directive,
            "blocked": violation.blocked,
            "page": violation.page,
            "disposition": violation.disposition,
        }
        if CspReport.objects.filter(**key).update(count=F("count") + n):
            continue
        if CspReport.objects.filter(day=day).count() >= settings.CSP_REPORT_DAILY_ROWS:
            key.update(blocked=OTHER, page=OTHER)
        CspReport.objects.bulk_create([CspReport(**key)], ignore_conflicts=True)
        CspReport.objects.filter(**key).update(count=F("count") + n)


class ReportingEndpointsMiddleware:
    """Name the policy's report-to group (Reporting-Endpoints) on every response that has a policy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = f'{settings.CSP_REPORT_GROUP}="{settings.CSP_REPORT_PATH}"'

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Content-Security-Policy") or response.has_header(
            "Content-Security-Policy-Report-Only"
        ):
            response.headers.setdefault("Reporting-Endpoints", self.header)
        return response
