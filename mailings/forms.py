"""The newsletter's forms: an issue (its audience as one choice among the registered audiences, its
picks as signed tokens made by the picker), and the moment of a scheduled send."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from mailings.audiences import AUDIENCES
from mailings.blocks import DIGEST_BLOCKS, FIGURES, Pick
from mailings.models import Newsletter

_PICK_SALT = "mailings.newsletter.pick"


def pick_token(pick: Pick | dict) -> str:
    """What a picker's checkbox carries: the item as the search showed it, signed, so the form
    receives back only items the search offered."""
    data = pick if isinstance(pick, dict) else pick.__dict__
    return signing.dumps(
        {key: data[key] for key in ("source", "ref", "title", "excerpt", "url")}, salt=_PICK_SALT
    )


def audience_choices() -> list:
    """Every audience, with its values grouped under it (one <select>: "group:3", "language:fr"…)."""
    choices: list = []
    for key, audience in AUDIENCES.items():
        values = audience.choices()
        if values:
            choices.append((audience.label, [(f"{key}:{value}", label) for value, label in values]))
        else:
            choices.append((key, audience.label))
    return choices


class PicksField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[dict]:
        picks, seen = [], set()
        for token in value or []:
            try:
                pick = signing.loads(token, salt=_PICK_SALT)
            except signing.BadSignature:
                raise forms.ValidationError(_("This item cannot be put in the newsletter.")) from None
            if (pick["source"], pick["ref"]) not in seen:
                seen.add((pick["source"], pick["ref"]))
                picks.append(pick)
        return picks


class NewsletterForm(forms.ModelForm):
    audience_choice = forms.ChoiceField(label=_("Audience"), choices=[])
    picks = PicksField(label=_("Hand-picked threads and posts"), required=False)

    class Meta:
        model = Newsletter
        fields = ["subject", "preheader", "intro_md", "include_events", "include_figures"]
        widgets = {"intro_md": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"intro_md": _("Markdown: **bold**, *italics*, [a link](https://…), lists.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_choice"].choices = audience_choices()
        issue = self.instance
        key = issue.audience if not issue.audience_value else f"{issue.audience}:{issue.audience_value}"
        self.fields["audience_choice"].initial = key
        self.fields["audience_choice"].help_text = _(
            "Only members who accepted the newsletter receive it, whatever the audience."
        )
        # Blocks that no app provides yet are not offered.
        if "events" not in DIGEST_BLOCKS:
            del self.fields["include_events"]
        if not FIGURES:
            del self.fields["include_figures"]

    def current_picks(self) -> list[tuple[dict, str]]:
        """The issue's picks and their tokens, for the checked boxes (what was posted, on an error)."""
        cleaned = getattr(self, "cleaned_data", {})
        picks = cleaned.get("picks", self.instance.picks)
        return [(pick, pick_token(pick)) for pick in picks]

    def _post_clean(self) -> None:
        super()._post_clean()
        key, _sep, value = (self.cleaned_data.get("audience_choice") or "").partition(":")
        self.instance.audience, self.instance.audience_value = key, value


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Send on"),
        help_text=_("In your time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
