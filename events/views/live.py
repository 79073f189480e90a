"""What happens at and after an event: AMA questions, the live chat, a contest, the recap and the
satisfaction survey. Rendered per reader (their votes, their entry, the team's tools); the event's
own page stays the shared copy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_errors_add
from events import permissions, selectors
from events.models import Contribution, ContributionKind, EventKind
from events.services import aftermath, contributions

BODY_MAX = 2000


class ContributionForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=BODY_MAX
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RecapForm(forms.Form):
    recap = forms.CharField(
        label=gettext_lazy("Recap"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    recording_url = forms.URLField(label=gettext_lazy("Recording"), required=False, assume_scheme="https")
    slides_url = forms.URLField(label=gettext_lazy("Slides"), required=False, assume_scheme="https")


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How was it?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("5: excellent, 1: poor."),
    )
    comment = forms.CharField(
        label=gettext_lazy("A comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


def _write(request: HttpRequest, event, kind: str, form: ContributionForm) -> bool:
    if not form.is_valid():
        return False
    try:
        item = contributions.contribution_write(
            actor=request.user, event=event, kind=kind, body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        form_errors_add(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return False
    if item.state != "visible":
        messages.info(request, _("Thank you: it appears once the community team has reviewed it."))
    return True


def _posted(request: HttpRequest, event, kind: str) -> tuple[ContributionForm, bool]:
    """The page's form, and whether this request wrote a contribution with it (a visitor's post writes
    nothing: the page offers them to sign in)."""
    form = ContributionForm(request.POST if request.method == "POST" else None)
    posting = request.method == "POST" and request.user.is_authenticated
    return form, posting and _write(request, event, kind, form)


def _live_context(request: HttpRequest, event) -> dict:
    user = request.user
    return {
        "event": event,
        "manage": permissions.can_manage_events(user),
        "member": user if user.is_authenticated else None,
    }


def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """An interview's questions: the most upvoted first, answered ones apart; members ask and upvote."""
    event = selectors.access_event(request.user, pk)
    if event.kind != EventKind.INTERVIEW:
        raise Http404
    form, written = _posted(request, event, ContributionKind.QUESTION)
    if written:
        return redirect(request.path)
    found = selectors.event_questions(event, request.user)
    context = _live_context(request, event) | {
        "open_questions": [q for q in found if not q.answered_at],
        "answered": [q for q in found if q.answered_at],
        "form": form,
        "closed": contributions.closed_reason(event, ContributionKind.QUESTION),
    }
    return render(request, "events/questions.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def upvote(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    question = get_object_or_404(Contribution, pk=question_id, event=event, kind=ContributionKind.QUESTION)
    try:
        mine = contributions.upvote_toggle(actor=request.user, question=question)
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
        if request.htmx:
            context = {"event": event, "question": question, "member": request.user, "error": error}
            return render(request, "events/_upvote.html", context, status=422)
        messages.error(request, error)
        return redirect("events:questions", event.pk)
    question.refresh_from_db(fields=["upvotes"])
    if request.htmx:
        return render(
            request,
            "events/_upvote.html",
            {"event": event, "question": question, "mine": mine, "member": request.user},
        )
    return redirect(f"{question.get_absolute_url()}")


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    question = get_object_or_404(Contribution, pk=question_id, event=event, kind=ContributionKind.QUESTION)
    form = AnswerForm(request.POST)
    if form.is_valid():
        contributions.question_answer(
            actor=request.user, question=question, answer=form.cleaned_data["answer"]
        )
        messages.success(request, _("The question is marked answered."))
    return redirect(question.get_absolute_url())


@login_required
@require_POST
def contribution_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    item = get_object_or_404(Contribution, pk=item_id, event=event)
    contributions.contribution_delete(actor=request.user, contribution=item)
    messages.success(request, _("Deleted."))
    return redirect(item.get_absolute_url().split("#")[0])


def chat(request: HttpRequest, pk: int) -> HttpResponse:
    """The live chat: new messages appear by polling (htmx) while it is open; read-only afterwards."""
    event = selectors.access_event(request.user, pk)
    if "chat" not in selectors.live_pages(event):
        raise Http404
    form, written = _posted(request, event, ContributionKind.CHAT)
    if written:
        return chat_messages(request, pk) if request.htmx else redirect(request.path)
    if request.htmx and form.errors:  # The form again, with its error, in place (nothing added to the list).
        context = _live_context(request, event) | {"form": form, "oob": True}
        return render(request, "events/_chat_form.html", context)
    found = selectors.chat_messages(event, user=request.user)
    context = _live_context(request, event) | {
        "messages_list": found,
        "last_id": found[-1].pk if found else 0,
        "form": form,
        "open": contributions.chat_open(event),
        "over": event.ends_at <= timezone.now(),
    }
    return render(request, "events/chat.html", context, status=400 if form.errors else 200)


def chat_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The messages after ?after=<id>, for the polling (204 when there are none; once the chat has
    closed, htmx's 286 stops the polling, with what was said last)."""
    event = selectors.access_event(request.user, pk)
    try:
        after = int(request.GET.get("after") or request.POST.get("after") or 0)
    except ValueError:
        raise Http404 from None
    found = selectors.chat_messages(event, after=after, user=request.user)
    closed = request.method == "GET" and not contributions.chat_open(event)
    if not found and request.method == "GET":
        return HttpResponse(status=286 if closed else 204)
    context = _live_context(request, event) | {
        "messages_list": found,
        "last_id": found[-1].pk if found else after,
    }
    return render(request, "events/_chat_messages.html", context, status=286 if closed else 200)


def contest(request: HttpRequest, pk: int) -> HttpResponse:
    """A contest: its rules (the description), entries, one's own entry, and the result with what it
    takes to check it."""
    event = selectors.access_event(request.user, pk)
    if event.kind != EventKind.CONTEST:
        raise Http404
    form, written = _posted(request, event, ContributionKind.ENTRY)
    if written:
        messages.success(request, _("Your entry is in. Good luck!"))
        return redirect(request.path)
    entries = selectors.contest_entries(event, request.user)
    draw = selectors.contest_draw(event)
    mine = (
        next((entry for entry in entries if entry.author_id == request.user.pk), None)
        if request.user.is_authenticated
        else None
    )
    context = _live_context(request, event) | {
        "entries": entries,
        "mine": mine,
        "draw": draw,
        "winners": [entry for entry in entries if draw and entry.pk in draw.winners],
        "form": form,
        "closed": contributions.closed_reason(event, ContributionKind.ENTRY),
        "closes_at": contributions.entries_close(event),
        "can_draw": permissions.can_manage_events(request.user)
        and draw is None
        and timezone.now() >= contributions.entries_close(event),
    }
    return render(request, "events/contest.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def contest_draw(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.access_event(request.user, pk)
    try:
        if request.POST.get("method") == "jury":
            chosen = [int(value) for value in request.POST.getlist("entry") if value.isdigit()]
            aftermath.contest_jury(actor=request.user, event=event, entry_ids=chosen)
        else:
            aftermath.contest_draw(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The winners are chosen and told."))
    return redirect("events:contest", event.pk)


@login_required
def recap(request: HttpRequest, pk: int) -> HttpResponse:
    """The team writes the recap and links the recording and slides."""
    permissions.require_event_manager(request.user)
    event = selectors.access_event(request.user, pk)
    initial = {"recap": event.recap_md, "recording_url": event.recording_url, "slides_url": event.slides_url}
    form = RecapForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            aftermath.recap_save(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("The recap is published on the event's page."))
            return redirect(event)
    return render(
        request, "events/recap.html", {"event": event, "form": form}, status=400 if form.errors else 200
    )


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendees rate the event; the team sees the results."""
    event = selectors.access_event(request.user, pk)
    manage = permissions.can_manage_events(request.user)
    allowed = aftermath.can_answer_survey(request.user, event)
    if not allowed and not manage:
        raise PermissionDenied
    existing = selectors.survey_response(event, request.user)
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = SurveyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            aftermath.survey_answer(actor=request.user, event=event, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect(event)
    context = {
        "event": event,
        "form": form if allowed else None,
        "results": selectors.survey_results(event) if manage else None,
    }
    return render(request, "events/survey.html", context, status=400 if form.errors else 200)
