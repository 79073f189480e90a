"""The community team's event pages on the site: create, edit (and so reschedule), publish, cancel and
repeat an event — each through events.services.planning, whose rules show on the form's fields."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import form_errors_add
from events import permissions, selectors
from events.forms import EventSiteForm, RepeatForm
from events.models import Event
from events.services import planning


def _edit(request: HttpRequest, event: Event) -> HttpResponse:
    new = event.pk is None
    form = EventSiteForm(request.POST if request.method == "POST" else None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            invitees = form.cleaned_data.get("invitees") or []
            saved = planning.event_save(actor=request.user, event=form.instance, invitees=invitees)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            text = _("The draft is saved: publish it when it is ready.") if new else _("The event is saved.")
            messages.success(request, text)
            return redirect(saved)
    context = {"form": form, "event": None if new else event, "repeat": None if new else RepeatForm()}
    return render(request, "events/event_form.html", context, status=400 if form.errors else 200)


def event_new(request: HttpRequest) -> HttpResponse:
    permissions.require_event_manager(request.user)
    return _edit(request, Event(created_by=request.user))


def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_event_manager(request.user)
    return _edit(request, selectors.access_event(request.user, pk))


@require_POST
def event_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft, or cancel a published event (everyone registered is told)."""
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "publish":
            planning.event_publish(actor=request.user, event=event)
            messages.success(request, _("The event is published."))
        elif action == "cancel":
            planning.event_cancel(actor=request.user, event=event)
            messages.success(request, _("The event is cancelled; everyone registered or waiting is told."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(event)


@require_POST
def event_repeat(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    form = RepeatForm(request.POST)
    if form.is_valid():
        try:
            copies = planning.event_repeat(actor=request.user, event=event, rule=form.rule())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = ngettext(
                "%(n)s draft is made: publish it from its page.",
                "%(n)s drafts are made, one per date: publish them from their pages.",
                len(copies),
            )
            messages.success(request, text % {"n": len(copies)})
    return redirect(event)
