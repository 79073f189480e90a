"""Notices' e-mails become mailings' deliveries: those still unsent are moved over."""

from django.db import migrations


def move_unsent(apps, schema_editor):
    Notice = apps.get_model("moderation", "Notice")
    Delivery = apps.get_model("mailings", "Delivery")
    unsent = Notice.objects.filter(emailed_at__isnull=True).values_list("pk", "recipient_id")
    Delivery.objects.bulk_create(
        [
            Delivery(kind="moderation_notice", ref=str(pk), member_id=recipient, payload={"notice": pk})
            for pk, recipient in unsent.iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0004_moderation_defaults"),
        ("mailings", "0002_delivery"),
    ]

    operations = [
        migrations.RunPython(move_unsent, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="notice", name="moderation_notice_unsent"),
        migrations.RemoveField(model_name="notice", name="email_attempts"),
        migrations.RemoveField(model_name="notice", name="emailed_at"),
    ]
