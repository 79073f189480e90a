import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """The site's branding moves from the `platform` app (config) to core: its table stays as it is."""

    initial = True

    dependencies = [("platform", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SiteBranding",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(default="Agora", max_length=60, verbose_name="site name")),
                        ("tagline", models.CharField(blank=True, max_length=140, verbose_name="tagline")),
                        ("welcome", models.TextField(blank=True, help_text="Shown on the home page; plain text.", max_length=1000, verbose_name="welcome text")),
                        ("brand_colour", models.CharField(default="#4f46e5", max_length=7, validators=[django.core.validators.RegexValidator("^#[0-9a-fA-F]{6}$", "Use a colour such as #1d4ed8.")], verbose_name="brand colour")),
                    ],
                    options={
                        "verbose_name": "site branding",
                        "verbose_name_plural": "site branding",
                        "db_table": "platform_sitebranding",
                        "constraints": [models.CheckConstraint(condition=models.Q(("pk", 1)), name="platform_branding_single_row")],
                    },
                ),
            ],
        ),
    ]
