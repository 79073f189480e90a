"""The audit log's rows are rewritten once, so that the names and addresses of the column 0006 dropped
are gone from the disk too: PostgreSQL's DROP COLUMN only hides a column, and the append-only rows are
never rewritten otherwise. VACUUM FULL rebuilds every row with the dropped column as NULL (the trigger
that refuses UPDATE and DELETE does not fire). It holds an exclusive lock while it runs: seconds for a
log of a few hundred thousand rows. Older backups still hold them until they expire."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('moderation', '0006_audit_actor_reference'),
    ]

    operations = [
        migrations.RunSQL("VACUUM FULL moderation_auditentry", reverse_sql=migrations.RunSQL.noop),
    ]
