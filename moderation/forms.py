from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import NetiquetteVersion


class NetiquettePublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=NetiquetteVersion._meta.get_field("note").max_length,
        help_text=_("Members read this note when they are asked to accept the netiquette again."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
