"""Defaults for the queue: strike points and legal grounds of the default rules, a strikes ladder, the
settings row, and a trigger that keeps the audit log as written (no UPDATE, no DELETE)."""

from django.db import migrations

# Rule number → (strike points, legal ground): an insult 1, hate 3, pornography 5, illegal content 5.
RULE_DEFAULTS = {1: (1, "terms"), 2: (3, "illegal"), 3: (5, "illegal"), 4: (1, "terms"), 5: (0, "terms"),
                 6: (2, "terms"), 7: (5, "illegal"), 8: (1, "terms")}
LADDER = [(1, "warning", None), (3, "suspension", 3), (6, "suspension", 14), (10, "ban", None)]

AUDIT_TRIGGER = """
CREATE OR REPLACE FUNCTION moderation_audit_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The moderation audit log is never edited';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_audit_immutable BEFORE UPDATE OR DELETE ON moderation_auditentry
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_immutable();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS moderation_audit_immutable ON moderation_auditentry;
DROP FUNCTION IF EXISTS moderation_audit_immutable();
"""


def seed(apps, schema_editor):
    NetiquetteRule = apps.get_model("moderation", "NetiquetteRule")
    LadderStep = apps.get_model("moderation", "LadderStep")
    ModerationPolicy = apps.get_model("moderation", "ModerationPolicy")
    for number, (points, ground) in RULE_DEFAULTS.items():
        NetiquetteRule.objects.filter(number=number).update(strike_points=points, legal_ground=ground)
    if not LadderStep.objects.exists():
        LadderStep.objects.bulk_create(
            [LadderStep(points=p, sanction=s, days=d) for p, s, d in LADDER]
        )
    ModerationPolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_queue")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunSQL(AUDIT_TRIGGER, DROP_TRIGGER),
    ]
