"""Display names stored before names were cleaned may hold control or format characters (a right-to-left
override reverses the @handle shown after it): clean them as new names are."""

import unicodedata

from django.db import migrations


def clean(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    # Control and format characters: C0/C1 controls, bidi marks, embeddings, overrides and isolates.
    suspects = User.objects.filter(
        display_name__regex=r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
    )
    for user in suspects.iterator():
        text = unicodedata.normalize("NFC", user.display_name)
        cleaned = " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] != "C").split())
        User.objects.filter(pk=user.pk).update(display_name=cleaned)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_last_seen_at")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
