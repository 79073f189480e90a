"""The queue's services: flags, claims, decisions, the ladder, sanctions, appeals and the audit log."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS
from community.models import MemberState, Post, PostState, Space, Thread
from community.services import forum
from community.services.moderation import thread_moderate
from mailings.models import Delivery
from moderation import services
from moderation.models import (
    Appeal,
    AppealOutcome,
    AuditEntry,
    Case,
    CaseKind,
    CaseState,
    DecisionAction,
    Flag,
    FlagOutcome,
    ModerationPolicy,
    Notice,
    Sanction,
    SanctionKind,
    Strike,
)
from moderation.permissions import member_can_flag, member_can_post
from moderation.selectors import active_points
from tests.concurrency import at_once
from tests.factories import UserFactory, user_with_role
from tests.mail import send_due
from tests.pages import thread_page_with_overlay

pytestmark = pytest.mark.django_db


def flag(member, post, rule, comment=""):
    return services.flag_create(actor=member, item_type="post", item_id=post.pk, rule=rule, comment=comment)


def test_flag_create_opens_one_case_per_item_and_gathers_flags(reply, rules):
    first, second = UserFactory(), UserFactory()
    flag(first, reply, rules[1], "Rude.")
    flag(second, reply, rules[4])
    case = Case.objects.get()
    assert (case.item_type, case.item_id, case.state, case.flag_count) == ("post", reply.pk, "open", 2)
    assert case.sources == ["flag"]
    assert case.rule == rules[1]  # the most severe rule cited
    assert case.score == pytest.approx(rules[1].severity + rules[4].severity)
    assert case.excerpt == "Some more words in a reply."
    assert AuditEntry.objects.filter(action="flag", case=case).count() == 2


def test_a_member_flags_an_item_once(reply, rules, member):
    flag(member, reply, rules[1])
    with pytest.raises(ValidationError, match="already flagged"):
        flag(member, reply, rules[2])
    assert Flag.objects.count() == 1


def test_flagging_removed_or_own_content_is_refused_with_a_message(reply, rules, member, author):
    with pytest.raises(ValidationError, match="your own content"):
        flag(author, reply, rules[1])
    Post.objects.filter(pk=reply.pk).update(state=PostState.REMOVED)
    with pytest.raises(ValidationError, match="already been removed"):
        flag(member, reply, rules[1])
    assert not Case.objects.exists()


def test_ambassadors_flags_weigh_more_and_weight_follows_the_uphold_history(reply, rules, thread):
    ambassador = user_with_role(AMBASSADORS)
    member = UserFactory()
    assert flag(ambassador, reply, rules[5]).weight == 2
    assert flag(member, reply, rules[5]).weight == 1
    # Two upheld flags raise the member's weight: (2 + 1) / (2 + 2) × 2 = 1.5.
    Flag.objects.filter(flagger=member).update(outcome=FlagOutcome.UPHELD)
    other = forum.post_create(actor=thread.author, thread=thread, body="Another reply here.")
    Flag.objects.create(
        case=Case.objects.get(), item_type="post", item_id=0, flagger=member, rule=rules[5], outcome="upheld"
    )
    assert flag(member, other, rules[5]).weight == 1.5


def test_a_score_past_the_threshold_hides_the_content_at_once(reply, rules):
    for _ in range(3):
        flag(user_with_role(COMMUNITY_MANAGERS), reply, rules[2])  # severity 5 × weight 3
    reply.refresh_from_db()
    case = Case.objects.get()
    assert reply.state == PostState.PENDING
    assert case.hidden_by_score
    assert AuditEntry.objects.filter(action="auto_hide", automated=True, visibility_after="held").exists()


def test_only_community_managers_claim_and_decide(reply, rules, member):
    flag(UserFactory(), reply, rules[1])
    case = Case.objects.get()
    with pytest.raises(PermissionDenied):
        services.case_claim_next(actor=member)
    with pytest.raises(PermissionDenied):
        services.case_decide(actor=member, case=case, action="approve")


def test_next_case_gives_the_highest_priority_and_a_claim_expires(thread, rules, community_manager):
    low = forum.post_create(actor=thread.author, thread=thread, body="Low priority reply.")
    high = forum.post_create(actor=thread.author, thread=thread, body="High priority reply.")
    flag(UserFactory(), low, rules[5])
    flag(UserFactory(), high, rules[2])
    other = user_with_role(COMMUNITY_MANAGERS)
    first = services.case_claim_next(actor=community_manager)
    assert first.item_id == high.pk and first.state == CaseState.CLAIMED
    second = services.case_claim_next(actor=other)
    assert second.item_id == low.pk
    assert services.case_claim_next(actor=user_with_role(COMMUNITY_MANAGERS)) is None
    # The first claim expires: the case is given again.
    Case.objects.filter(pk=first.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert services.case_claim_next(actor=user_with_role(COMMUNITY_MANAGERS)).pk == first.pk


def test_older_cases_rise_in_priority_with_waiting_time(thread, rules, community_manager):
    old = forum.post_create(actor=thread.author, thread=thread, body="Old reply.")
    new = forum.post_create(actor=thread.author, thread=thread, body="New reply.")
    flag(UserFactory(), old, rules[5])  # severity 1
    flag(UserFactory(), new, rules[4])  # severity 2
    # Three hours of waiting outweigh one point of severity (one point per hour by default).
    case = Case.objects.get(item_id=old.pk)
    Case.objects.filter(pk=case.pk).update(rank=case.rank + 3 * 3600)
    assert services.case_claim_next(actor=community_manager).item_id == old.pk


@pytest.mark.django_db(transaction=True)
def test_managers_claiming_at_once_each_get_a_different_case():
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0002_netiquette_defaults").seed_netiquette(apps, None)
    from moderation.models import NetiquetteRule

    rule = NetiquetteRule.objects.get(number=1)
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"burst_posts": 100})
    space = Space.objects.create(name="S", slug="s")
    author = UserFactory()
    thread = forum.thread_create(actor=author, space=space, title="Concurrency", body="Body text here.")
    posts = [forum.post_create(actor=author, thread=thread, body=f"Reply {i}") for i in range(6)]
    flagger = UserFactory()
    for post in posts:
        flag(flagger, post, rule)
    managers = [user_with_role(COMMUNITY_MANAGERS) for _ in range(8)]
    outcomes = at_once(lambda manager: services.case_claim_next(actor=manager), managers)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    claimed = [case.pk for case in outcomes if case is not None]
    assert len(claimed) == len(set(claimed)) == 6
    assert Case.objects.filter(state=CaseState.CLAIMED).count() == 6


@pytest.mark.django_db(transaction=True)
def test_members_flagging_one_post_at_once_make_one_case_with_every_flag():
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0002_netiquette_defaults").seed_netiquette(apps, None)
    from moderation.models import NetiquetteRule

    rule = NetiquetteRule.objects.get(number=5)
    space = Space.objects.create(name="S", slug="s")
    thread = forum.thread_create(
        actor=UserFactory(), space=space, title="Concurrency", body="Body text here."
    )
    post = Post.objects.get(thread=thread)
    members = [UserFactory() for _ in range(6)]
    outcomes = at_once(lambda member: flag(member, post, rule), members)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    case = Case.objects.get()
    assert case.flag_count == Flag.objects.filter(case=case).count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_one_case_at_once_decide_it_once():
    from importlib import import_module

    from django.apps import apps

    import_module("moderation.migrations.0002_netiquette_defaults").seed_netiquette(apps, None)
    from moderation.models import NetiquetteRule

    rule = NetiquetteRule.objects.get(number=5)
    space = Space.objects.create(name="S", slug="s")
    author = UserFactory()
    thread = forum.thread_create(actor=author, space=space, title="Concurrency", body="Body text here.")
    flag(UserFactory(), Post.objects.get(thread=thread), rule)
    case = Case.objects.get()
    managers = [user_with_role(COMMUNITY_MANAGERS) for _ in range(4)]
    outcomes = at_once(
        lambda manager: services.case_decide(
            actor=manager, case=case, action=DecisionAction.REMOVE, rule=rule, explanation="Off topic."
        ),
        managers,
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 3 and len([o for o in outcomes if not isinstance(o, Exception)]) == 1
    assert case.decisions.count() == 1


def test_removing_hides_the_post_adds_points_and_sends_a_statement_of_reasons(
    reply, rules, community_manager, author, django_capture_on_commit_callbacks
):
    flag(UserFactory(), reply, rules[1], "Insult.")
    case = Case.objects.get()
    services.case_claim(actor=community_manager, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.case_decide(
            actor=community_manager,
            case=case,
            action=DecisionAction.REMOVE,
            rule=rules[1],
            explanation="Personal attack.",
            sanction=SanctionKind.WARNING,  # the ladder proposes a warning at 1 point
        )
    reply.refresh_from_db()
    assert (reply.state, reply.removed_rule) == (PostState.REMOVED, 1)
    assert MemberState.objects.get(pk=author.pk).post_count == 1  # only the thread's first post counts
    assert Thread.objects.get(pk=reply.thread_id).post_count == 1
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED and case.last_decision == decision
    assert Flag.objects.get().outcome == FlagOutcome.UPHELD
    assert active_points(author.pk) == 1
    assert Sanction.objects.get(user=author).kind == SanctionKind.WARNING
    notice = Notice.objects.get(recipient=author)
    assert notice.kind == "statement"
    assert Delivery.objects.get(kind="moderation_notice").state == "pending"  # sent by the worker
    audit = AuditEntry.objects.get(action="remove")
    assert (audit.rule_number, audit.visibility_before, audit.visibility_after) == (1, "visible", "removed")
    assert audit.actor == community_manager


def test_a_decided_case_cannot_be_decided_again(reply, rules, community_manager):
    flag(UserFactory(), reply, rules[5])
    case = Case.objects.get()
    services.case_decide(actor=community_manager, case=case, action=DecisionAction.DISMISS)
    with pytest.raises(ValidationError, match="already been decided"):
        services.case_decide(actor=community_manager, case=case, action=DecisionAction.APPROVE)


def test_a_restricting_decision_cites_a_rule_and_explains(reply, rules, community_manager):
    flag(UserFactory(), reply, rules[5])
    case = Case.objects.get()
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=community_manager, case=case, action=DecisionAction.REMOVE)
    assert "rule" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=community_manager, case=case, action=DecisionAction.REMOVE, rule=rules[5])
    assert "explanation" in error.value.message_dict
    reply.refresh_from_db()
    assert reply.state == PostState.VISIBLE
    assert not AuditEntry.objects.filter(action="remove").exists()


def test_the_ladder_proposes_a_sanction_and_overriding_needs_a_reason(
    thread, rules, community_manager, author
):
    posts = [forum.post_create(actor=author, thread=thread, body=f"Reply number {i}.") for i in range(2)]
    for post in posts:
        flag(UserFactory(), post, rules[2])
    first, second = Case.objects.order_by("pk")
    # Rule 2 weighs 3 points: the ladder proposes a 3-day suspension.
    with pytest.raises(ValidationError) as error:
        services.case_decide(
            actor=community_manager, case=first, action="remove", rule=rules[2], explanation="Hate."
        )
    assert "override_reason" in error.value.message_dict
    decision = services.case_decide(
        actor=community_manager,
        case=first,
        action="remove",
        rule=rules[2],
        explanation="Hate.",
        sanction=SanctionKind.SUSPENSION,
        sanction_days=3,
    )
    assert (decision.proposed_sanction, decision.proposed_days, decision.override_reason) == (
        "suspension",
        3,
        "",
    )
    author = type(author).objects.get(pk=author.pk)  # a new request's user: no memo of the earlier answer
    assert not member_can_post(author) and not member_can_flag(author)
    # 6 points: the ladder proposes 14 days; the manager chooses 7, with a reason.
    decision = services.case_decide(
        actor=community_manager,
        case=second,
        action="remove",
        rule=rules[2],
        explanation="Again.",
        sanction=SanctionKind.SUSPENSION,
        sanction_days=7,
        override_reason="Apologised in private.",
    )
    assert (decision.proposed_days, decision.sanction_days) == (14, 7)
    assert decision.override_reason == "Apologised in private."


def test_expired_strike_points_no_longer_count(thread, rules, author):
    flag(UserFactory(), thread.posts.get(position=1), rules[1])
    services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS),
        case=Case.objects.get(),
        action="remove",
        rule=rules[1],
        explanation="x",
        sanction="warning",
    )
    assert active_points(author.pk) == 1
    Strike.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert active_points(author.pk) == 0


def test_a_suspended_member_can_read_but_not_post_or_flag(client, thread, rules, author):
    services.case_decide  # noqa: B018 - the service is exercised through the ladder test above
    from moderation.services.sanctions import sanction_apply

    with transaction.atomic():
        sanction_apply(
            actor=None, decision=None, user_id=author.pk, kind="suspension", days=2, now=timezone.now()
        )
    client.force_login(author)
    assert "Your account is suspended until" in thread_page_with_overlay(client, thread.get_absolute_url())
    author = type(author).objects.get(pk=author.pk)
    with pytest.raises(PermissionDenied):
        forum.post_create(actor=author, thread=thread, body="Let me in.")
    with pytest.raises(PermissionDenied):
        flag(author, thread.posts.get(position=1), rules[1])


def test_a_ban_ends_the_members_sessions(client, thread, rules, author, community_manager):
    client.force_login(author)
    assert client.get(reverse("community:settings")).status_code == 200
    flag(UserFactory(), Post.objects.get(thread=thread, position=1), rules[3])
    services.case_decide(
        actor=community_manager,
        case=Case.objects.get(),
        action="remove",
        rule=rules[3],
        explanation="Pornographic link.",
        sanction=SanctionKind.BAN,
        override_reason="Explicit material.",
    )
    response = client.get(reverse("community:settings"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_appeal_is_decided_by_another_manager_and_upheld_restores_everything(
    reply, rules, author, community_manager
):
    flag(UserFactory(), reply, rules[2])
    decision = services.case_decide(
        actor=community_manager,
        case=Case.objects.get(),
        action="remove",
        rule=rules[2],
        explanation="Hate speech.",
        sanction=SanctionKind.SUSPENSION,
        sanction_days=3,
    )
    appeal = services.appeal_create(actor=author, decision=decision, text="It was a quote, not my opinion.")
    assert appeal.case.kind == CaseKind.APPEAL and appeal.case.state == CaseState.OPEN
    with pytest.raises(ValidationError, match="already appealed"):
        services.appeal_create(actor=author, decision=decision, text="Again.")
    second = user_with_role(COMMUNITY_MANAGERS)
    with pytest.raises(PermissionDenied, match="Another community manager"):
        services.appeal_decide(actor=community_manager, appeal=appeal, upheld=True, explanation="x")
    # The first manager's "next case" skips the appeal of their own decision.
    assert services.case_claim_next(actor=community_manager) is None
    assert services.case_claim_next(actor=second).pk == appeal.case_id
    services.appeal_decide(actor=second, appeal=appeal, upheld=True, explanation="Context shows a quote.")
    reply.refresh_from_db()
    appeal.refresh_from_db()
    assert reply.state == PostState.VISIBLE and reply.removed_rule is None
    assert appeal.outcome == AppealOutcome.UPHELD
    assert active_points(author.pk) == 0
    assert member_can_post(UserFactory._meta.model.objects.get(pk=author.pk))
    assert Notice.objects.filter(recipient=author, kind="appeal").exists()
    assert Flag.objects.get().outcome == FlagOutcome.REJECTED
    with pytest.raises(ValidationError, match="already been decided"):
        services.appeal_decide(actor=second, appeal=appeal, upheld=False, explanation="x")


def test_only_the_author_appeals(reply, rules, community_manager, member):
    flag(UserFactory(), reply, rules[5])
    decision = services.case_decide(
        actor=community_manager,
        case=Case.objects.get(),
        action="remove",
        rule=rules[5],
        explanation="Off topic.",
    )
    with pytest.raises(PermissionDenied):
        services.appeal_create(actor=member, decision=decision, text="Not fair.")
    assert not Appeal.objects.exists()


def test_the_audit_log_cannot_be_edited_or_deleted(reply, rules, member):
    flag(member, reply, rules[1])
    entry = AuditEntry.objects.get()
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_new_flags_after_a_decision_reopen_the_case(reply, rules, community_manager):
    flag(UserFactory(), reply, rules[5])
    case = Case.objects.get()
    services.case_decide(actor=community_manager, case=case, action=DecisionAction.DISMISS)
    flag(UserFactory(), reply, rules[1])
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert (case.state, case.flag_count) == (CaseState.OPEN, 1)


def test_the_statement_email_is_sent_once_in_the_authors_language(reply, rules, author):
    author.language = "fr"
    author.save(update_fields=["language"])
    flag(UserFactory(), reply, rules[1])
    decision = services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS),
        case=Case.objects.get(),
        action="remove",
        rule=rules[1],
        explanation="Attaque personnelle.",
        sanction="warning",
    )
    mail.outbox.clear()
    assert Notice.objects.filter(decision=decision).exists()
    assert send_due() == 1
    assert send_due() == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == [author.email]
    assert "Respect et courtoisie" in body and "Attaque personnelle." in body
    assert "Fondement : Incompatible avec les conditions d'utilisation" in body
    assert "/moderation/notices/" in body and "?t=" in body


def test_a_banned_author_still_gets_the_statement_of_reasons(reply, rules, author):
    flag(UserFactory(), reply, rules[1])
    services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS), case=Case.objects.get(), action="remove", rule=rules[1],
        explanation="Insult.", sanction="ban", override_reason="Threats before.",
    )  # fmt: skip
    author.refresh_from_db()
    assert not author.is_active
    mail.outbox.clear()
    assert send_due() == 1
    assert mail.outbox[0].to == [author.email]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_the_statement(celery_worker):
    from importlib import import_module

    from django.apps import apps

    from mailings.tasks import deliveries_send
    from moderation.models import NetiquetteRule

    import_module("moderation.migrations.0002_netiquette_defaults").seed_netiquette(apps, None)
    rule = NetiquetteRule.objects.get(number=5)
    author = UserFactory()
    space = Space.objects.create(name="S", slug="s")
    thread = forum.thread_create(actor=author, space=space, title="Worker", body="Some text here.")
    flag(UserFactory(), Post.objects.get(thread=thread), rule)
    decision = services.case_decide(
        actor=user_with_role(COMMUNITY_MANAGERS), case=Case.objects.get(), action="remove", rule=rule,
        explanation="Off topic.",
    )  # fmt: skip
    notice = Notice.objects.get(decision=decision)
    deliveries_send.apply_async(queue=celery_worker.queue)
    celery_worker.wait_for(
        lambda: Delivery.objects.filter(kind="moderation_notice", ref=str(notice.pk), state="sent").exists(),
        what="e-mail the notice",
    )


def test_edit_and_approve_replaces_the_text_and_keeps_the_old_one(reply, rules, community_manager):
    flag(UserFactory(), reply, rules[6])
    services.case_decide(
        actor=community_manager, case=Case.objects.get(), action=DecisionAction.EDIT, rule=rules[6],
        explanation="Phone number removed.", body="Some more words in a reply, without my number.",
        override_reason="Personal data, no sanction.",
    )  # fmt: skip
    reply.refresh_from_db()
    assert reply.state == PostState.VISIBLE
    assert reply.body_md == "Some more words in a reply, without my number."
    assert reply.revisions.get().body_md == "Some more words in a reply."


def test_asking_to_revise_keeps_the_post_hidden_until_the_author_resubmits(
    reply, rules, community_manager, author
):
    flag(UserFactory(), reply, rules[4])
    case = Case.objects.get()
    services.case_decide(
        actor=community_manager, case=case, action=DecisionAction.REVISE, rule=rules[4],
        explanation="Remove the affiliate link, then submit again.", sanction="warning",
    )  # fmt: skip
    reply.refresh_from_db()
    assert reply.state == PostState.PENDING
    assert Notice.objects.filter(recipient=author).exists()
    forum.post_edit(actor=author, post=reply, body="Some more words, no link now.")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN and "resubmitted" in case.sources
    services.case_decide(actor=community_manager, case=case, action=DecisionAction.APPROVE)
    reply.refresh_from_db()
    assert reply.state == PostState.VISIBLE


def test_a_removed_post_shows_its_rule_in_the_thread_even_after_its_card_was_cached(
    client, reply, rules, community_manager, member
):
    client.force_login(member)
    assert "Some more words in a reply." in client.get(reply.thread.get_absolute_url()).content.decode()
    flag(UserFactory(), reply, rules[5])
    services.case_decide(
        actor=community_manager,
        case=Case.objects.get(),
        action="remove",
        rule=rules[5],
        explanation="Off topic.",
    )
    html = client.get(reply.thread.get_absolute_url()).content.decode()
    assert "This post was removed by moderation (rule 5)." in html
    assert "Some more words in a reply." not in html


def test_the_case_page_and_next_case_cost_a_fixed_number_of_queries(
    client, thread, rules, community_manager, django_assert_max_num_queries
):
    for n in range(5):
        post = forum.post_create(actor=thread.author, thread=thread, body=f"Reply {n}")
        for _ in range(3):
            flag(UserFactory(), post, rules[1 + n % 3])
    # The role lookup, releasing the previous claim, "another manager exists", SELECT … SKIP LOCKED, the
    # claim and its audit entry (plus the test's savepoint and its release).
    with django_assert_max_num_queries(8):
        case = services.case_claim_next(actor=community_manager)
    client.force_login(community_manager)
    url = reverse("admin:moderation_case_change", args=[case.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def _wait_for_a_lock_wait(timeout: float = 10.0) -> None:
    """Until another connection of this database waits on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # Read afresh inside the transaction.
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the moderator's transaction never waited")


@pytest.mark.django_db(transaction=True)
def test_an_author_editing_the_opening_post_while_the_team_hides_the_thread_do_not_deadlock():
    """The author's edit locks the first post, then the thread's row; hiding the thread takes them in the
    same order, so it waits for the edit instead of one of the two failing on a deadlock."""
    space = Space.objects.create(name="S", slug="s")
    thread = forum.thread_create(actor=UserFactory(), space=space, title="Opening", body="First words.")
    first = thread.posts.get(position=1)
    editing, errors = threading.Event(), []

    def moderator():
        try:
            editing.wait()
            thread_moderate(thread_id=thread.pk, visibility="held")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=moderator)
    worker.start()
    with transaction.atomic():  # the edit's steps, as community.services.forum.post_edit takes them
        list(Post.objects.select_for_update().filter(pk=first.pk).values_list("pk"))
        editing.set()
        _wait_for_a_lock_wait()
        Thread.objects.filter(pk=thread.pk).update(title="Opening, edited")
    worker.join()
    assert not errors
    thread.refresh_from_db()
    assert (thread.title, thread.state) == ("Opening, edited", PostState.PENDING)
