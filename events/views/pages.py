"""Events' pages: thin, they parse, ask selectors and permissions, call services and render.

The list, the calendar and an event's page are shared copies (core.shared_pages) keyed by the versions
of the events they show; what is a member's own (their registration, the join link, their ticket)
comes from the event's overlay. The community team gets pages rendered for them, with their tools.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_community_manager
from core.csv_export import csv_response
from core.head import DESCRIPTION_CHARS, PageHead
from core.shared_pages import shareable, shared_page
from core.text import html_excerpt
from events import permissions, selectors
from events.calendar import calendar_bytes
from events.filters import EventFilter
from events.forms import RegistrationForm
from events.models import Event, Registration, RegistrationStatus
from events.services import feeds, planning, registrations
from events.tickets import ticket_registration_id, ticket_svg

FILTERS = ("format", "kind", "month", "space")
LIST_PARAMS = (*FILTERS, "after")


def _shared_or_rendered(
    request: HttpRequest, name: str, versions: tuple, params, render_page
) -> HttpResponse:
    """A shared copy for everyone but the team (whose pages carry their tools)."""
    if not is_community_manager(request.user) and shareable(request, params):
        return shared_page(request, name=name, versions=versions, render=render_page)
    return render_page(request)


def event_list(request: HttpRequest, past: bool = False) -> HttpResponse:
    """Upcoming events (or past ones), filtered; the key holds the events shown and their versions.
    Without filters (most requests), the filters' form is built only to render the page."""
    user = request.user
    queryset = selectors.event_list_queryset(user)
    filterset = None
    if any(request.GET.get(name) for name in FILTERS):
        filterset = EventFilter(request.GET, queryset=queryset, user=user)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    listing = selectors.past_events if past else selectors.upcoming_events
    page = listing(queryset, request.GET.get("after"))
    versions = (
        past,
        # The filter's spaces are the reader's: members read more spaces than visitors.
        user.is_authenticated,
        *(request.GET.get(name, "") for name in FILTERS),
        # The events shown are the key (a made-up cursor reads as the first page, and shares its copy).
        *((e.pk, e.version) for e in page.events),
        page.next_cursor,
    )

    def render_page(reader: HttpRequest) -> HttpResponse:
        context = {
            "filter": filterset or EventFilter(request.GET, queryset=queryset, user=user),
            "page": page,
            "past": past,
            # The team's own render offers "New event" (the shared copy is a visitor's).
            "manage": permissions.can_manage_events(reader.user),
        }
        return render(reader, "events/list.html", context)

    if filterset is not None and not filterset.is_valid():
        return render_page(request)  # A made-up filter value: its errors, never a copy of their own.
    return _shared_or_rendered(request, "events", versions, LIST_PARAMS, render_page)


def _month(request: HttpRequest) -> tuple[int, int]:
    value = request.GET.get("month", "")
    if not value:
        today = timezone.localdate()
        return today.year, today.month
    year, _dash, month = value.partition("-")
    if not (year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        raise Http404
    return int(year), int(month)


def event_calendar(request: HttpRequest) -> HttpResponse:
    """A month's events on a grid of weeks, in the reader's time zone."""
    year, month = _month(request)
    weeks = selectors.month_grid(selectors.event_list_queryset(request.user), year, month)
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (first + datetime.timedelta(days=32)).strftime("%Y-%m")
    shown = [(event.pk, event.version) for week in weeks for day in week for event in day.events]
    context = {"weeks": weeks, "first": first, "previous": previous, "following": following}
    return _shared_or_rendered(
        request,
        "events-calendar",
        (year, month, *shown),
        ["month"],
        lambda r: render(r, "events/calendar.html", context),
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A shared copy per version of the event; the whole event is read only to render it."""
    head = selectors.event_head(request.user, pk)
    # The space's visibility too: whether visitors may read the event decides what its head says.
    versions = (head.pk, head.version, head.space.name, head.space.slug, head.space.visibility)
    render_page = lambda r: _render_event(r, selectors.access_event(request.user, pk))  # noqa: E731
    return _shared_or_rendered(request, "event", versions, (), render_page)


def _render_event(request: HttpRequest, event: Event) -> HttpResponse:
    context = {
        "event": event,
        "attendees": selectors.attendees(event),
        "osm_url": _osm_url(event),
        "live_pages": selectors.live_pages(event),
        # Offered to visitors while registration is open (a copy outlives a closing by its lifetime
        # at most; the register page then says it is closed).
        "registration_open": permissions.registration_open(event),
        "head": _event_head(event),
    }
    if is_community_manager(request.user):
        context |= _actions_context(request, event) | {"manage": True}
    return render(request, "events/event.html", context)


def _event_head(event: Event) -> PageHead:
    """A public event describes itself to search engines and link previews (meetups get shared); one
    only some may see (a draft, a group's, a members-only space's) asks not to be indexed."""
    if not permissions.can_see_event(AnonymousUser(), event):
        return PageHead.private()
    shown = event.description_state == "visible"
    return PageHead(
        path=event.get_absolute_url(),
        title=event.title,
        description=html_excerpt(event.description_html, DESCRIPTION_CHARS) if shown else "",
    )


def _osm_url(event: Event) -> str:
    """A search on OpenStreetMap for the venue (a link: no map tiles are fetched by the page)."""
    place = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    return f"https://www.openstreetmap.org/search?{urlencode({'query': place})}" if place else ""


def _actions_context(request: HttpRequest, event: Event, form: RegistrationForm | None = None) -> dict:
    """What the member's part of an event's page asks: their registration and what they may do."""
    user = request.user
    registration = selectors.member_registration(user, event)
    return {
        "event": event,
        "member": user if user.is_authenticated else None,
        "registration": registration,
        "place": selectors.waitlist_place(registration) if registration else None,
        "refusal": registrations.refusal(user, event) if user.is_authenticated else None,
        "join_link": permissions.join_link_visible(registration, event),
        "form": form or RegistrationForm(event=event),
        "full": event.seats_left == 0,
        "survey_open": timezone.now() >= event.starts_at,
    }


def event_overlay(request: HttpRequest, pk: int) -> HttpResponse:
    """What a shared event page shows differently to this member (htmx out-of-band swaps)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    event = selectors.access_event(request.user, pk)
    context = _actions_context(request, event) | {"here": event.get_absolute_url()}
    return render(request, "events/_event_overlay.html", context)


def list_overlay(request: HttpRequest) -> HttpResponse:
    """The member's navigation on the shared lists (events, calendar)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "_member_overlay.html", {"here": request.GET.get("here", "")})


def _refused(request: HttpRequest, event: Event, message: str) -> HttpResponse:
    """A refusal in words: in the member's block for htmx (a 422 that htmx swaps), else on the page."""
    if request.htmx:
        context = _actions_context(request, event) | {"error": message}
        return render(request, "events/_event_actions.html", context, status=422)
    messages.error(request, message)
    return redirect(event)


def _after_change(request: HttpRequest, event: Event, message: str) -> HttpResponse:
    """htmx gets the member's block again; a plain form post goes back to the event's page."""
    if request.htmx:
        return render(request, "events/_event_actions.html", _actions_context(request, event))
    messages.success(request, message)
    return redirect(event)


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register (answering the event's questions), or the member's registration and its tools: also
    the page a browser without JavaScript uses."""
    event = selectors.access_event(request.user, pk)
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registrations.registration_register(
                actor=request.user, event=event, answers=form.answers(), listed=form.cleaned_data["listed"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if registration.status == RegistrationStatus.WAITLISTED:
                return _after_change(request, event, _("The event is full: you are on the waiting list."))
            return _after_change(request, event, _("You are registered. A confirmation is on its way."))
    if request.htmx and request.method == "POST":
        response = render(request, "events/_event_actions.html", _actions_context(request, event, form))
        response.status_code = 422
        return response
    return render(request, "events/register.html", _actions_context(request, event, form))


@login_required
@require_POST
def interest(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    try:
        registrations.registration_interest(actor=request.user, event=event)
    except ValidationError as exc:
        return _refused(request, event, " ".join(exc.messages))
    return _after_change(
        request,
        event,
        _("Marked as interesting: you will find it in your calendar feed only once you register."),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    registration = get_object_or_404(Registration, event=event, member=request.user)
    registrations.registration_cancel(actor=request.user, registration=registration)
    return _after_change(request, event, _("Your registration is cancelled."))


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as an .ics file, for "add to my calendar"."""
    event = selectors.access_event(request.user, pk)
    response = HttpResponse(
        calendar_bytes([event], name=event.title), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@login_required
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's ticket: the QR code the door scans."""
    event = selectors.access_event(request.user, pk)
    registration = get_object_or_404(
        Registration, event=event, member=request.user, status=RegistrationStatus.GOING
    )
    return render(
        request,
        "events/ticket.html",
        {"event": event, "registration": registration, "qr": ticket_svg(registration)},
    )


# The member's calendar feed ---------------------------------------------------------------------------


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The member's secret calendar address: shown, renewed (the old one stops working) or revoked."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(member=request.user)
            messages.success(
                request, _("Your calendar address is revoked: calendars using it no longer update.")
            )
        else:
            feeds.feed_renew(member=request.user)
            messages.success(request, _("Your calendar has a new address; the old one no longer works."))
        return redirect("events:feed")
    url = feeds.feed_url(request.user)
    return render(request, "events/feed.html", {"feed_url": request.build_absolute_uri(url) if url else ""})


def feed_ics(request: HttpRequest, member_id: int, token: str) -> HttpResponse:
    """Everything the member is going to or waiting for, at their secret address (no sign-in: a
    calendar application fetches it)."""
    member = feeds.feed_member(member_id, token)
    if member is None:
        raise Http404
    kind = "text/calendar; charset=utf-8"

    def render_feed(_reader: HttpRequest) -> HttpResponse:
        return HttpResponse(calendar_bytes(selectors.member_feed_events(member)), content_type=kind)

    # Rendering a calendar is slow (icalendar): a copy per member and versions of the events it lists.
    versions = (member.pk, *selectors.member_feed_versions(member))
    if shareable(request):
        response = shared_page(request, name="feed", versions=versions, render=render_feed, content_type=kind)
    else:
        response = render_feed(request)
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The door: type a name, Enter checks in the one member it finds (or shows who matches); each
    row has its own button, so a keyboard does it all."""
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    query = " ".join(request.POST.get("q", request.GET.get("q", "")).split())[:100]
    found = selectors.check_in_list(event, query)
    if request.method == "POST":
        target = None
        if request.POST.get("registration", "").isdigit():
            target = get_object_or_404(Registration, pk=int(request.POST["registration"]), event=event)
        elif query and len(found) == 1:
            target = found[0]
        if target is not None:
            present = request.POST.get("present", "1") == "1"
            try:
                registrations.attendance_mark(actor=request.user, registration=target, present=present)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                name = target.member.public_name
                messages.success(
                    request,
                    _("%(name)s is checked in.") % {"name": name}
                    if present
                    else _("%(name)s is no longer checked in.") % {"name": name},
                )
            return redirect(reverse("events:check-in", args=[event.pk]))
        messages.warning(
            request, _("Several members match: choose one below.") if found else _("Nobody going matches.")
        )
    present = Registration.objects.filter(event=event, attended_at__isnull=False).count()
    context = {"event": event, "found": found, "query": query, "present": present}
    return render(request, "events/check_in.html", context)


@login_required
def ticket_check_in(request: HttpRequest, registration_id: int, token: str) -> HttpResponse:
    """Where a ticket's QR code leads: the team checks the member in with one tap; a member opening
    it goes to the event."""
    if ticket_registration_id(registration_id, token) != registration_id:
        raise Http404
    registration = get_object_or_404(
        Registration.objects.select_related("event", "member"), pk=registration_id
    )
    if not permissions.can_manage_events(request.user):
        return redirect(registration.event)
    if request.method == "POST":
        try:
            registrations.attendance_mark(actor=request.user, registration=registration, present=True)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(name)s is checked in.") % {"name": registration.member.public_name}
            )
        return redirect(request.path)
    return render(
        request, "events/ticket_check_in.html", {"registration": registration, "event": registration.event}
    )


@login_required
def attendees_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrations as a spreadsheet, for the team (cells that read as formulas are defused)."""
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    header = [
        _("name"),
        _("handle"),
        _("e-mail address"),
        _("status"),
        _("place on the waiting list"),
        _("registered"),
        _("attended"),
        *event.questions,
    ]
    rows = (
        [
            registration.member.public_name,
            registration.member.handle,
            registration.member.email,
            registration.get_status_display(),
            registration.waitlist_position or "",
            timezone.localtime(registration.created_at).isoformat(timespec="minutes"),
            timezone.localtime(registration.attended_at).isoformat(timespec="minutes")
            if registration.attended_at
            else "",
            *(registration.answers.get(question, "") for question in event.questions),
        ]
        for registration in selectors.registrations_for_export(event).iterator(chunk_size=2000)
    )
    return csv_response(f"event-{event.pk}-registrations.csv", header, rows)


@login_required
@require_POST
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    copy = planning.event_duplicate(actor=request.user, event=event)
    messages.success(request, _("A draft copy is made: check it, then publish it."))
    return redirect("events:edit", copy.pk)
