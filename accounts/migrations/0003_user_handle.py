import re

import django.core.validators
from django.db import migrations, models
from django.db.models.functions import Lower
from django.utils.text import slugify


def fill_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.order_by("pk"):
        base = slugify(user.display_name or user.email.split("@")[0]).replace("-", ".")[:24] or "member"
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate.lower())
        user.handle = candidate
        user.save(update_fields=["handle"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="avatar_version",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="user", name="handle", field=models.CharField(max_length=30, null=True)
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.CharField(
                help_text="Others mention you with @handle: letters, digits, dots, dashes and underscores.",
                max_length=30,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[\\w.-]{2,30}\\Z",
                        "Use 2 to 30 letters, digits, dots, dashes or underscores.",
                        flags=re.UNICODE,
                    )
                ],
                verbose_name="handle",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(Lower("handle"), name="accounts_user_handle_ci_unique"),
        ),
    ]
