"""The queue in the admin: list, filters and counts, next case, the case page, decisions, records."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.roles import COMMUNITY_MANAGERS
from community.models import PostState
from community.services import forum
from moderation import services
from moderation.models import AuditEntry, Case, CaseState, Notice, Sanction, WatchedTerm
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

QUEUE = "admin:moderation_case_changelist"
NEXT = "admin:moderation_case_next"


def flag(post, rule, comment=""):
    return services.flag_create(
        actor=UserFactory(), item_type="post", item_id=post.pk, rule=rule, comment=comment
    )


@pytest.fixture
def flagged(thread, rules):
    posts = [
        forum.post_create(actor=thread.author, thread=thread, body=f"Reply {n} to check.") for n in range(3)
    ]
    for post, number in zip(posts, (5, 1, 4), strict=True):
        flag(post, rules[number], comment=f"About rule {number}")
    return posts


def test_the_queue_lists_cases_by_priority_with_counts_in_fixed_queries(
    client, community_manager, flagged, django_assert_max_num_queries
):
    client.force_login(community_manager)
    client.get(reverse(QUEUE))  # warms the counts
    with django_assert_max_num_queries(10):
        response = client.get(reverse(QUEUE))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Reply 1 to check.") < html.index("Reply 2 to check.") < html.index("Reply 0 to check.")
    assert "To do (3)" in html and "Member flag (3)" in html
    assert "Next case" in html


def test_filters_narrow_the_queue(client, community_manager, flagged, rules):
    client.force_login(community_manager)
    html = client.get(reverse(QUEUE), {"rule": rules[1].pk}).content.decode()
    assert "Reply 1 to check." in html and "Reply 0 to check." not in html
    services.case_claim_next(actor=community_manager)
    html = client.get(reverse(QUEUE), {"mine": "1"}).content.decode()
    assert "Reply 1 to check." in html and "Reply 2 to check." not in html


def test_next_case_claims_and_opens_the_case_page_with_its_context(client, community_manager, flagged):
    client.force_login(community_manager)
    response = client.post(reverse(NEXT), follow=True)
    case = Case.objects.get(state=CaseState.CLAIMED)
    assert response.redirect_chain[-1][0] == reverse("admin:moderation_case_change", args=[case.pk])
    html = response.content.decode()
    assert case.claimed_by == community_manager
    for expected in (
        "Reply 1 to check.",
        "Reply 0 to check.",
        "About rule 1",
        "Member since",
        "Active strike points",
    ):
        assert expected in html
    assert "moderation-case.js" in html


def test_a_decision_from_the_case_page_removes_and_warns(client, community_manager, flagged, rules, author):
    client.force_login(community_manager)
    client.post(reverse(NEXT))
    case = Case.objects.get(state=CaseState.CLAIMED)
    response = client.post(
        reverse("admin:moderation_case_change", args=[case.pk]),
        {
            "intent": "decide", "action": "remove", "rule": rules[1].pk, "explanation": "Insult.",
            "sanction": "warning", "then": "list",
        },
    )  # fmt: skip
    assert response.status_code == 302
    flagged[1].refresh_from_db()
    assert flagged[1].state == PostState.REMOVED
    assert Sanction.objects.get(user=author).kind == "warning"
    assert Notice.objects.filter(recipient=author).exists()


def test_a_decision_without_a_rule_shows_the_error_and_changes_nothing(client, community_manager, flagged):
    client.force_login(community_manager)
    case = Case.objects.order_by("-rank").first()
    response = client.post(
        reverse("admin:moderation_case_change", args=[case.pk]),
        {"intent": "decide", "action": "remove", "explanation": "", "sanction": "none"},
    )
    assert response.status_code == 200
    assert "Cite the netiquette rule" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_bulk_approve_decides_each_selected_case(client, community_manager, flagged):
    client.force_login(community_manager)
    ids = list(Case.objects.values_list("pk", flat=True))
    response = client.post(
        reverse(QUEUE), {"action": "approve_selected", "_selected_action": ids}, follow=True
    )
    assert "3 case(s) decided." in response.content.decode()
    assert Case.objects.filter(state=CaseState.RESOLVED).count() == 3


def test_bulk_remove_asks_for_a_rule_then_removes(client, community_manager, flagged, rules):
    client.force_login(community_manager)
    ids = list(Case.objects.values_list("pk", flat=True))
    page = client.post(reverse(QUEUE), {"action": "remove_selected", "_selected_action": ids})
    assert "citing one rule" in page.content.decode()
    client.post(
        reverse(QUEUE),
        {
            "action": "remove_selected",
            "_selected_action": ids,
            "apply": "1",
            "rule": rules[4].pk,
            "explanation": "Spam.",
        },
    )
    assert Case.objects.filter(state=CaseState.RESOLVED).count() == 3
    assert all(
        post.state == PostState.REMOVED
        for post in type(flagged[0]).objects.filter(pk__in=[p.pk for p in flagged])
    )


def test_members_and_marketing_cannot_reach_the_queue(client, member, marketing, flagged):
    for person in (member, marketing):
        client.force_login(person)
        assert client.get(reverse(QUEUE)).status_code == 403
        assert client.post(reverse(NEXT)).status_code == 403
    assert not Case.objects.filter(state=CaseState.CLAIMED).exists()


def test_the_audit_log_is_read_only_and_exports_to_csv(client, community_manager, flagged):
    client.force_login(community_manager)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:moderation_auditentry_changelist")).status_code == 200
    assert client.post(reverse("admin:moderation_auditentry_change", args=[entry.pk]), {}).status_code == 403
    response = client.get(reverse("admin:moderation_auditentry_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["at", "actor_id", "actor", "action"]
    assert [row[3] for row in rows[1:]] == ["flag", "flag", "flag"]


def test_the_transparency_report_counts_decisions_per_legal_ground(client, community_manager, flagged, rules):
    for case in Case.objects.all():
        services.case_decide(
            actor=community_manager, case=case, action="remove", rule=rules[2], explanation="Hate.",
            sanction="warning", override_reason="A first offence.",
        )  # fmt: skip
    client.force_login(community_manager)
    response = client.get(reverse("admin:moderation_decision_transparency"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][2:8] == [
        "legal_ground",
        "rule",
        "decision",
        "sanction",
        "detected_automatically",
        "decisions",
    ]
    assert sum(int(row[7]) for row in rows[1:]) == 3
    assert {row[2] for row in rows[1:]} == {"illegal"}


def test_a_watched_term_that_is_a_regex_is_refused_in_the_admin(client, community_manager, rules):
    client.force_login(community_manager)
    response = client.post(
        reverse("admin:moderation_watchedterm_add"),
        {"term": "(a+)+$", "action": "hold", "replacement": "***", "rule": rules[1].pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "Regular expressions are not accepted" in response.content.decode()
    assert not WatchedTerm.objects.exists()
    client.post(
        reverse("admin:moderation_watchedterm_add"),
        {"term": "Arnaque*", "action": "flag", "replacement": "***", "rule": rules[4].pk, "active": "on"},
    )
    assert WatchedTerm.objects.get().normalized == "arnaque*"


def test_an_appeal_case_is_decided_from_its_page_by_another_manager(
    client, community_manager, flagged, rules, author
):
    case = Case.objects.order_by("-rank").first()
    decision = services.case_decide(
        actor=community_manager,
        case=case,
        action="remove",
        rule=rules[1],
        explanation="Insult.",
        sanction="warning",
    )
    appeal = services.appeal_create(actor=author, decision=decision, text="It was a joke between friends.")
    second = user_with_role(COMMUNITY_MANAGERS)
    client.force_login(second)
    page = client.get(reverse("admin:moderation_case_change", args=[appeal.case_id])).content.decode()
    assert "It was a joke between friends." in page
    client.post(
        reverse("admin:moderation_case_change", args=[appeal.case_id]),
        {"intent": "appeal", "outcome": "upheld", "explanation": "Fair enough.", "then": "list"},
    )
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"
