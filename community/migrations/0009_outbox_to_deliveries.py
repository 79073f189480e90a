"""The forum's outbox becomes mailings' deliveries: what was still unsent is moved over, then the table goes."""

from django.db import migrations


def move_unsent(apps, schema_editor):
    OutboxMessage = apps.get_model("community", "OutboxMessage")
    Delivery = apps.get_model("mailings", "Delivery")
    rows = []
    for message in OutboxMessage.objects.filter(sent_at__isnull=True).iterator():
        payload = message.payload
        member_id = payload.get("recipient")
        if not member_id:
            continue
        if message.kind == "email":  # email:<kind>:<post>:<member>, or email:welcome:<member>
            kind = payload["kind"]
            ref = f"post:{payload['post']}" if payload.get("post") else kind
        else:  # event:<notice>:<event>:<key>:<member>
            kind = message.kind
            ref = message.key.split(":", 1)[1].rsplit(":", 1)[0]
        rows.append(Delivery(kind=kind, ref=ref, member_id=member_id, payload=payload, attempts=message.attempts))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0008_notification_event_kinds"),
        ("mailings", "0002_delivery"),
    ]

    operations = [
        migrations.RunPython(move_unsent, migrations.RunPython.noop),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
