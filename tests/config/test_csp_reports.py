"""CSP violation reports: both forms counted per day and kind, with nothing personal kept; the body
capped, each client rate-limited (and taken uncounted with Redis away), bad bodies refused with nothing
written; the policy names the endpoint and the Reporting-Endpoints header its group; the team reads
the counts in the admin."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from config.models import CspReport

pytestmark = pytest.mark.django_db

URL = "/csp-report/"


def report_uri_body(**fields) -> str:
    report = {
        "document-uri": "https://agora.example/members/camille/?token=s3cret#top",
        "referrer": "https://agora.example/?from=camille@example.com",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "https://evil.example:8443/steal.js?who=camille@example.com",
        "status-code": 200,
        "script-sample": "alert('camille')",
    }
    report.update(fields)
    return json.dumps({"csp-report": report})


def reporting_api_body() -> str:
    return json.dumps(
        [
            {
                "type": "csp-violation",
                "age": 10,
                "url": "https://agora.example/search/?q=camille",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "body": {
                    "documentURL": "https://agora.example/search/?q=camille",
                    "effectiveDirective": "img-src",
                    "blockedURL": "https://tracker.example/pixel.gif?id=42",
                    "disposition": "report",
                    "originalPolicy": "default-src 'self'",
                    "sample": "",
                    "statusCode": 200,
                },
            },
            {
                "type": "csp-violation",
                "url": "https://agora.example/",
                "body": {
                    "documentURL": "https://agora.example/",
                    "effectiveDirective": "script-src-elem",
                    "blockedURL": "inline",
                    "disposition": "enforce",
                },
            },  # fmt: skip
            {"type": "deprecation", "url": "https://agora.example/", "body": {"id": "x"}},
        ]
    )


def post(client: Client, body: str, content_type: str = "application/csp-report", **extra):
    return client.post(URL, body, content_type=content_type, **extra)


def rows() -> list[tuple]:
    return list(
        CspReport.objects.order_by("directive", "blocked").values_list(
            "directive", "blocked", "page", "disposition", "count"
        )
    )


def test_a_report_uri_report_is_counted_without_anything_personal(client):
    assert post(client, report_uri_body()).status_code == 204
    assert post(client, report_uri_body()).status_code == 204

    assert rows() == [
        ("script-src-elem", "https://evil.example:8443", "/members/<str:handle>/", "enforce", 2)
    ]
    stored = json.dumps(list(CspReport.objects.values()), default=str)
    for personal in ("camille", "s3cret", "steal.js", "token", "alert", "127.0.0.1", "Mozilla"):
        assert personal not in stored


def test_a_reporting_api_batch_is_counted_and_other_report_types_are_ignored(client):
    response = post(client, reporting_api_body(), content_type="application/reports+json")

    assert response.status_code == 204
    assert rows() == [
        ("img-src", "https://tracker.example", "/search/", "report", 1),
        ("script-src-elem", "inline", "/", "enforce", 1),
    ]


@pytest.mark.parametrize(
    ("blocked", "kept"),
    [
        ("inline", "inline"),
        ("eval", "eval"),
        ("data", "data:"),
        ("data:image/png;base64,iVBORw0KGgo=", "data:"),
        ("blob:https://agora.example/1234-5678", "blob:"),
        ("chrome-extension://abcdefghijklmnop/inject.js", "chrome-extension:"),
        ("wss://live.example/socket?session=abc", "wss://live.example"),
        ("https://user:password@cdn.example/lib.js", "https://cdn.example"),
        ("not a url at all", "(other)"),
        ("", ""),
    ],
)
def test_the_blocked_resource_is_reduced_to_its_origin_or_keyword(client, blocked, kept):
    post(client, report_uri_body(**{"blocked-uri": blocked}))

    assert CspReport.objects.get().blocked == kept


def test_an_unknown_directive_and_page_are_counted_as_other(client):
    body = report_uri_body(
        **{"effective-directive": "x-made-up", "document-uri": "https://agora.example/no/such/page"}
    )
    post(client, body)

    assert CspReport.objects.values_list("directive", "page").get() == ("(other)", "(other)")


def test_a_body_too_large_is_refused_with_413(client):
    huge = report_uri_body(**{"script-sample": "x" * django_settings.CSP_REPORT_MAX_BYTES})

    assert post(client, huge).status_code == 413
    assert not CspReport.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/csp-report"),
        ('{"csp-report": "a string"}', "application/csp-report"),
        ("[1, 2]", "application/csp-report"),
        ('{"csp-report": {}}', "application/reports+json"),
        ('[{"type": "csp-violation", "body": "a string"}]', "application/reports+json"),
        ("\xff\xfe", "application/csp-report"),
    ],
)
def test_a_malformed_body_is_refused_with_400_and_nothing_written(client, body, content_type):
    assert post(client, body, content_type=content_type).status_code == 400
    assert not CspReport.objects.exists()


def test_other_kinds_of_body_and_other_methods_are_refused(client):
    assert post(client, "a=1", content_type="application/x-www-form-urlencoded").status_code == 415
    assert client.get(URL).status_code == 405


def test_a_client_past_its_rate_gets_429_and_nothing_more_is_counted(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": "3/m"}
    statuses = [post(client, report_uri_body()).status_code for _n in range(5)]

    assert statuses == [204, 204, 204, 429, 429]
    assert CspReport.objects.get().count == 3
    # Another address has its own allowance.
    assert post(client, report_uri_body(), REMOTE_ADDR="192.0.2.7").status_code == 204


def test_with_redis_away_reports_are_taken_uncounted_never_a_500(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": "1/m"}
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}

    statuses = [post(client, report_uri_body()).status_code for _n in range(3)]

    assert statuses == [204, 204, 204]
    assert CspReport.objects.get().count == 3


def test_a_day_adds_a_bounded_number_of_rows_whatever_is_sent(client, settings):
    settings.CSP_REPORT_DAILY_ROWS = 3
    for n in range(10):
        post(
            client,
            report_uri_body(**{"blocked-uri": f"https://host{n}.example/x.js"}),
            REMOTE_ADDR=f"192.0.2.{n}",
        )

    assert CspReport.objects.count() == 4
    assert CspReport.objects.get(blocked="(other)", page="(other)").count == 7
    assert sum(CspReport.objects.values_list("count", flat=True)) == 10


def test_the_policy_names_the_endpoint_and_its_group(client):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "report-uri /csp-report/" in policy
    assert "report-to csp" in policy
    assert response["Reporting-Endpoints"] == 'csp="/csp-report/"'
    assert reverse("csp-report") == URL


def test_the_team_reads_the_counts_in_the_admin_and_cannot_change_them(client, community_manager, member):
    post(client, report_uri_body())
    client.force_login(community_manager)

    listing = client.get(reverse("admin:platform_cspreport_changelist"))
    assert listing.status_code == 200
    assert "https://evil.example:8443" in listing.content.decode()
    assert client.get(reverse("admin:platform_cspreport_add")).status_code == 403
    report = CspReport.objects.get()
    assert (
        client.post(reverse("admin:platform_cspreport_delete", args=[report.pk]), {"post": "yes"}).status_code
        == 403
    )
    client.force_login(member)
    assert client.get(reverse("admin:platform_cspreport_changelist")).status_code == 403
