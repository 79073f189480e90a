"""Thread archiving: `Thread.archived_at`, `Space.archive_after_days`, the lists' indexes made partial
(active threads only), an index for the archive pages (published threads by start date) and their
counts per space and month, filled from the threads already there."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The months of the community's time zone, as SpaceMonth.month_of() computes them.
COUNT_MONTHS = """
INSERT INTO community_spacemonth (space_id, month, thread_count)
SELECT space_id, date_trunc('month', created_at AT TIME ZONE %s)::date, count(*)
FROM community_thread WHERE state = 'visible' GROUP BY 1, 2
"""


def count_months(apps, schema_editor) -> None:
    schema_editor.execute(COUNT_MONTHS, [settings.TIME_ZONE])


class Migration(migrations.Migration):
    dependencies = [("community", "0006_notification_subject_link")]

    operations = [
        migrations.AddField(
            model_name="space",
            name="archive_after_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text=(
                    "Archive threads with no activity for this many days (checked every night; pinned "
                    "threads are kept). Empty: never."
                ),
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="archive after (days without activity)",
            ),
        ),
        migrations.AddConstraint(
            model_name="space",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("archive_after_days__isnull", True), ("archive_after_days__gte", 1), _connector="OR"
                ),
                name="community_space_archive_after_days_positive",
            ),
        ),
        migrations.AddField(
            model_name="thread",
            name="archived_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="archived"),
        ),
        migrations.RemoveIndex(model_name="thread", name="community_thread_space_list"),
        migrations.RemoveIndex(model_name="thread", name="community_thread_featured"),
        migrations.RemoveIndex(model_name="thread", name="community_thread_recent"),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                models.F("space"),
                models.OrderBy(models.F("pinned"), descending=True),
                models.OrderBy(models.F("last_activity_at"), descending=True),
                condition=models.Q(("archived_at__isnull", True)),
                name="community_thread_space_list",
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                models.OrderBy(models.F("featured_at"), descending=True),
                condition=models.Q(("archived_at__isnull", True), ("featured_at__isnull", False)),
                name="community_thread_featured",
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                models.OrderBy(models.F("last_activity_at"), descending=True),
                condition=models.Q(("archived_at__isnull", True)),
                name="community_thread_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                fields=["created_at", "space"],
                condition=models.Q(("state", "visible")),
                name="community_thread_started",
            ),
        ),
        migrations.CreateModel(
            name="SpaceMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("thread_count", models.PositiveIntegerField(default=0)),
                (
                    "space",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="months",
                        to="community.space",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("space", "month"), name="community_space_month_unique")
                ],
            },
        ),
        migrations.RunPython(count_months, migrations.RunPython.noop, elidable=True),
    ]
