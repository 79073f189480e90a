"""The audit log keeps who acted as a reference only (GDPR art. 17): the copied "Name <address>" column
goes, and the log shows the account's current name, or "deleted member".

The log is append-only (moderation 0004's trigger refuses UPDATE and DELETE), so this migration, in its
one transaction, sets the trigger aside, gives the rows that have no actor_id the id of the account
whose address they copied (none found: NULL), drops the column, and puts the trigger back. Rows that
have an actor_id keep it: it is the reference, also for an account deleted since (shown as deleted).
Taking the trigger off locks the table until the transaction ends, so nothing is written meanwhile.

Going back brings the column back filled from the accounts that still exist, as the code before this
migration expects.
"""

from django.db import migrations

DISABLE = "ALTER TABLE moderation_auditentry DISABLE TRIGGER moderation_audit_immutable;"
ENABLE = "ALTER TABLE moderation_auditentry ENABLE TRIGGER moderation_audit_immutable;"

# The address is what the old column held between angle brackets, at its end.
FILL_FROM_ADDRESS = r"""
UPDATE moderation_auditentry AS entry SET actor_id = member.id
FROM accounts_user AS member
WHERE entry.actor_id IS NULL
  AND lower(member.email) = lower(substring(entry.actor_name FROM '<([^<>]+)>\s*$'));
"""
FILL_NAMES_BACK = """
UPDATE moderation_auditentry AS entry
SET actor_name = left(coalesce(nullif(member.display_name, ''), member.handle) || ' <' || member.email || '>', 200)
FROM accounts_user AS member
WHERE entry.actor_id = member.id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0005_notice_emails_to_deliveries"),
        ("accounts", "0005_names_without_bidi_controls"),
    ]

    operations = [
        migrations.RunSQL(DISABLE, ENABLE),
        migrations.RunSQL(FILL_FROM_ADDRESS, FILL_NAMES_BACK),
        migrations.RemoveField(model_name="auditentry", name="actor_name"),
        migrations.RunSQL(ENABLE, DISABLE),
    ]
