"""Registrations remember when a freed seat took them off the waiting list: the events report read that
from the "promoted" e-mails, which the e-mail log's housekeeping now prunes. Filled from those e-mails."""

from django.db import migrations, models
from django.db.models import Max


def fill_from_emails(apps, schema_editor):
    Delivery = apps.get_model("mailings", "Delivery")
    Registration = apps.get_model("events", "Registration")
    promoted = (
        Delivery.objects.filter(kind="event_email", ref__startswith="promoted:")
        .exclude(payload__registration=None)
        .values("payload__registration")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    for row in promoted.iterator(chunk_size=2000):
        Registration.objects.filter(pk=int(row["payload__registration"])).update(promoted_at=row["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_list_by_start"),
        ("mailings", "0002_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="promoted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_from_emails, migrations.RunPython.noop),
    ]
