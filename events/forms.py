"""The forms of events' pages (the admin has its own, events.admin)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.timezones import time_zone
from events.models import Event
from events.services.planning import event_errors
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


class EventForm(forms.ModelForm):
    """An event's fields, checked by the service's rules field by field before anything is saved (the
    admin's form; the site's is EventSiteForm)."""

    # A link typed without a scheme is read as https (Django 6's default; the service requires it).
    join_url = forms.URLField(
        label=Event._meta.get_field("join_url").verbose_name,
        help_text=Event._meta.get_field("join_url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Event
        fields = [
            "title", "kind", "format", "description_md", "starts_at", "ends_at", "time_zone", "venue_name",
            "venue_address", "join_url", "capacity", "registration_opens_at", "registration_closes_at",
            "audience", "group", "invitees", "space", "questions", "reminder_minutes", "entries_close_at",
            "winners_count",
        ]  # fmt: skip

    def clean(self) -> dict:
        """The service's rules, shown on the form's fields before anything is saved."""
        cleaned = super().clean()
        candidate = self.instance
        for field, value in cleaned.items():
            if field != "invitees" and field in self.Meta.fields:
                setattr(candidate, field, value)
        for field, message in event_errors(candidate).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


WALL_CLOCK = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "entries_close_at")


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without the reader's zone: the form gives it the event's."""

    def to_python(self, value):
        with timezone.override(datetime.UTC):  # UTC has no gap nor fold: the typed clock is kept
            moment = super().to_python(value)
        return moment.replace(tzinfo=None) if moment else None


class EventSiteForm(EventForm):
    """The community team's form on the site: times typed as the clock reads at the event's place (its
    time zone), questions one per line, reminders as minutes separated by commas."""

    questions = forms.CharField(
        label=_("Registration questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. dietary needs for a meetup."),
    )
    invitees = forms.CharField(
        label=_("Invited members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For an event for invited members only: their @handles, separated by spaces or commas."),
    )
    reminder_minutes = forms.CharField(
        label=_("Reminders (minutes before the start)"),
        required=False,
        help_text=_("Separated by commas: 1440, 60 reminds a day and an hour before."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        zone = time_zone(instance.time_zone)
        for name in WALL_CLOCK:
            self.fields[name] = WallClockField(
                label=capfirst(Event._meta.get_field(name).verbose_name),
                required=name in ("starts_at", "ends_at"),
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                help_text=_("At the event's place (its time zone).") if name == "starts_at" else "",
            )
            moment = getattr(instance, name)
            if moment:
                self.initial[name] = moment.astimezone(zone).replace(tzinfo=None)
        # The model's lists become the form's text (a new event: its defaults).
        invited = instance.invitees.values_list("handle", flat=True) if instance.pk else []
        self.initial["invitees"] = " ".join(f"@{handle}" for handle in invited)
        self.initial["questions"] = "\n".join(instance.questions)
        reminders = instance.reminder_minutes if instance.pk else [1440, 60]
        self.initial["reminder_minutes"] = ", ".join(str(minutes) for minutes in reminders)

    def clean_invitees(self) -> list:
        handles = {
            word.strip().removeprefix("@").lower()
            for word in self.cleaned_data["invitees"].replace(",", " ").split()
        }
        handles.discard("")
        found = list(
            get_user_model().objects.alias(low=Lower("handle")).filter(low__in=handles, is_active=True)
        )
        unknown = handles - {member.handle.lower() for member in found}
        if unknown:
            raise forms.ValidationError(
                _("No member has these handles: %(handles)s.")
                % {"handles": ", ".join(f"@{h}" for h in sorted(unknown))}
            )
        return found

    def clean_questions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]

    def clean_reminder_minutes(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["reminder_minutes"].split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(_("Give whole numbers of minutes, separated by commas."))
        return [int(part) for part in parts]

    def clean(self) -> dict:
        # Wall-clock times become moments in the event's zone before the service's rules see them.
        zone = time_zone(self.data.get("time_zone") or self.instance.time_zone)
        for name in WALL_CLOCK:
            clock = self.cleaned_data.get(name)
            if clock is None:
                continue
            moment = clock.replace(tzinfo=zone)
            if moment.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != clock:
                # The hour skipped when the clocks go forward.
                self.add_error(name, _("This time does not exist there: the clocks change that night."))
                continue
            self.cleaned_data[name] = moment
        return super().clean()


class RepeatForm(forms.Form):
    """Recurring events: copies of this one, as drafts, each with its own registrations."""

    FREQUENCIES = [
        ("WEEKLY;INTERVAL=1", _("Every week")),
        ("WEEKLY;INTERVAL=2", _("Every two weeks")),
        ("MONTHLY;INTERVAL=1", _("Every month, the same day")),
    ]
    frequency = forms.ChoiceField(label=_("Repeat"), choices=FREQUENCIES)
    count = forms.IntegerField(label=_("How many more times"), min_value=1, max_value=52, initial=4)

    def rule(self) -> str:
        # The rule's COUNT includes the event itself; the copies are the dates after it.
        return f"FREQ={self.cleaned_data['frequency']};COUNT={self.cleaned_data['count'] + 1}"
