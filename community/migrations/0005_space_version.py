from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("community", "0004_thread_version")]

    operations = [
        migrations.AddField(
            model_name="space",
            name="version",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
