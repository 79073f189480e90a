"""The audit log keeps who acted as a reference, never their name or address (GDPR art. 17): the admin,
its CSV and the case page show the account's current name, or "deleted member", in one query; the
migration that dropped the copied names filled the references and left the log append-only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.services import forum
from community.services.members import member_delete
from moderation import services
from moderation.models import AuditEntry, Case
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:moderation_auditentry_changelist"
EXPORT = "admin:moderation_auditentry_export"


def flag_by(person, thread, rule):
    post = forum.post_create(actor=thread.author, thread=thread, body=f"A reply for {person.handle}.")
    return services.flag_create(actor=person, item_type="post", item_id=post.pk, rule=rule)


def exported(client) -> list[list[str]]:
    response = client.get(reverse(EXPORT))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_log_copies_no_name_nor_address():
    columns = {field.column for field in AuditEntry._meta.get_fields() if hasattr(field, "column")}
    assert "actor_name" not in columns
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'moderation_auditentry'"
        )
        assert {row[0] for row in cursor.fetchall()} == columns


def test_the_log_shows_current_names_and_deleted_members(client, community_manager, thread, rules):
    renamed, leaving = UserFactory(display_name="Before"), UserFactory(display_name="Soon gone")
    flag_by(renamed, thread, rules[1])
    flag_by(leaving, thread, rules[2])
    renamed.display_name = "After"
    renamed.save(update_fields=["display_name"])
    leaving_id = leaving.pk
    member_delete(actor=leaving, user=leaving, password=PASSWORD)
    client.force_login(community_manager)

    page = client.get(reverse(CHANGELIST)).content.decode()
    rows = exported(client)

    assert "After" in page and "Before" not in page
    assert "deleted member" in page and "Soon gone" not in page
    by_actor = {row[1]: row[2] for row in rows[1:] if row[3] == "flag"}
    assert by_actor == {str(renamed.pk): "After", str(leaving_id): "deleted member"}
    assert leaving.email not in "".join(",".join(row) for row in rows)
    entry = AuditEntry.objects.get(actor_id=renamed.pk, action="flag")
    detail = client.get(reverse("admin:moderation_auditentry_change", args=[entry.pk])).content.decode()
    assert "After" in detail


def test_the_case_page_names_who_acted_and_the_deleted(client, community_manager, thread, rules):
    leaving = UserFactory(display_name="Soon gone")
    flag_by(leaving, thread, rules[1])
    member_delete(actor=leaving, user=leaving, password=PASSWORD)
    client.force_login(community_manager)

    page = client.get(reverse("admin:moderation_case_change", args=[Case.objects.get().pk]))

    assert "deleted member" in page.content.decode()


def test_the_log_and_its_csv_cost_the_same_queries_for_any_number_of_actors(
    client, community_manager, thread, rules
):
    client.force_login(community_manager)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listed:
            client.get(reverse(CHANGELIST))
        with CaptureQueriesContext(connection) as csv_queries:
            exported(client)
        return len(listed), len(csv_queries)

    flag_by(UserFactory(), thread, rules[1])
    queries()  # the first request fills the caches (the member, the branding)
    few = queries()
    for _n in range(5):
        flag_by(UserFactory(), thread, rules[2])
    gone = UserFactory()
    flag_by(gone, thread, rules[3])
    member_delete(actor=gone, user=gone, password=PASSWORD)

    assert queries() == few


def test_a_name_made_to_run_as_a_formula_is_defused_in_the_csv(client, community_manager, thread, rules):
    trickster = UserFactory()
    flag_by(trickster, thread, rules[1])
    type(trickster).objects.filter(pk=trickster.pk).update(display_name='=HYPERLINK("http://x.test","x")')
    client.force_login(community_manager)

    rows = exported(client)

    names = [row[2] for row in rows[1:] if row[1] == str(trickster.pk)]
    assert names == ['\'=HYPERLINK("http://x.test","x")']


def test_a_deleted_members_profile_cases_keep_their_record_but_not_their_handle_and_bio(rules):
    flagger = UserFactory()
    leaving = UserFactory(handle="leaving", bio="I live at 3 rue des Lilas.")
    services.flag_create(actor=flagger, item_type="profile", item_id=leaving.pk, rule=rules[1])
    case = Case.objects.get(item_type="profile")
    assert "rue des Lilas" in case.excerpt

    member_delete(actor=leaving, user=leaving, password=PASSWORD)

    case.refresh_from_db()
    assert (case.excerpt, case.item_url, case.flag_count) == ("", "", 1)


# The migration ------------------------------------------------------------------------------------

BEFORE = [("moderation", "0005_notice_emails_to_deliveries")]
AFTER = [("moderation", "0006_audit_actor_reference")]
OLD_ROW = """
INSERT INTO moderation_auditentry (at, actor_id, actor_name, action, item_type, target_user_id,
    visibility_before, visibility_after, automated, detail)
VALUES (now(), %s, %s, %s, 'post', NULL, '', '', %s, '{}') RETURNING id
"""


def audit_columns() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'moderation_auditentry'"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_references_drops_names_and_keeps_the_log_append_only():
    alice, bob = UserFactory(email="alice@example.com"), UserFactory(email="bob@example.com")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        assert "actor_name" in audit_columns()
        rows = {}
        with connection.cursor() as cursor:
            for key, actor_id, name, automated in [
                # Written before actor_id was kept: found by the address copied (whatever its case).
                ("by_address", None, "Alice Martin <ALICE@example.com>", False),
                # An account that no longer exists: nothing to find.
                ("unknown", None, "Gone Member <gone@example.com>", False),
                # The reference kept, whatever the copied name says.
                ("by_id", bob.pk, "Bob Old-Name <bob-old@example.com>", False),
                ("automatic", None, "", True),
            ]:
                cursor.execute(OLD_ROW, [actor_id, name, "flag", automated])
                rows[key] = cursor.fetchone()[0]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)

    assert "actor_name" not in audit_columns()
    actors = dict(AuditEntry.objects.values_list("pk", "actor_id"))
    assert actors[rows["by_address"]] == alice.pk
    assert actors[rows["unknown"]] is None
    assert actors[rows["by_id"]] == bob.pk
    assert actors[rows["automatic"]] is None
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEntry.objects.filter(pk=rows["by_id"]).update(action="nothing")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEntry.objects.filter(pk=rows["unknown"]).delete()
    assert AuditEntry.objects.count() == 4
