from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0003_moderation_fields")]

    operations = [
        migrations.RenameField(model_name="thread", old_name="content_version", new_name="version"),
    ]
