"""The forms of events' pages (the admin has its own, events.admin)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.services.registrations import ANSWER_MAX


class RegistrationForm(forms.Form):
    """The event's questions, each a field, and whether the member's name shows among those going."""

    listed = forms.BooleanField(
        label=_("Show my name among those going"),
        required=False,
        initial=True,
        help_text=_("Otherwise you are only counted."),
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(event.questions)
        for index, question in enumerate(self.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question, max_length=ANSWER_MAX, required=False
            )

    def answers(self) -> dict[str, str]:
        return {
            question: self.cleaned_data.get(f"answer_{index}", "")
            for index, question in enumerate(self.questions)
        }
