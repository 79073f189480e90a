from django.db import migrations


class Migration(migrations.Migration):
    """The branding's model now belongs to core (core/0001): forget it here, keep its table."""

    dependencies = [("platform", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SiteBranding")]),
    ]
