"""The community team's newsletter pages on the site (write, pick, preview, test, schedule, send,
follow), the members' archive of past issues, and the click redirect of the e-mails' links. Each is
thin: the role is checked here and again in the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_errors_add
from mailings import selectors
from mailings.blocks import pick_sources
from mailings.forms import NewsletterForm, ScheduleForm, pick_token
from mailings.models import Newsletter, NewsletterState
from mailings.newsletter_emails import click_target, issue_blocks, member_context, preview
from mailings.permissions import can_manage_newsletter, require_newsletter_manager
from mailings.services import newsletters

POLL_SECONDS = 3


def newsletter_list(request: HttpRequest) -> HttpResponse:
    require_newsletter_manager(request.user)
    return render(request, "mailings/newsletter_list.html", {"issues": selectors.newsletter_list()})


def _edit(request: HttpRequest, issue: Newsletter) -> HttpResponse:
    form = NewsletterForm(request.POST if request.method == "POST" else None, instance=issue)
    if request.method == "POST" and form.is_valid():
        try:
            saved = newsletters.newsletter_save(
                actor=request.user, issue=form.instance, picks=form.cleaned_data["picks"]
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("The issue is saved."))
            return redirect("mailings:newsletter", saved.pk)
    context = {"form": form, "issue": issue if issue.pk else None, "sources": pick_sources()}
    return render(request, "mailings/newsletter_form.html", context, status=400 if form.errors else 200)


def newsletter_new(request: HttpRequest) -> HttpResponse:
    require_newsletter_manager(request.user)
    return _edit(request, Newsletter())


def newsletter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    if not issue.editable:
        messages.error(request, _("This issue is scheduled or sent: it can no longer be changed."))
        return redirect("mailings:newsletter", pk)
    return _edit(request, issue)


def picks_search(request: HttpRequest) -> HttpResponse:
    """The picker's results (an htmx swap): each item a box to tick, which the issue's form posts."""
    require_newsletter_manager(request.user)
    query = request.GET.get("q", "")[:200]
    results = [
        (pick, pick_token(pick)) for source in pick_sources() for pick in source.search(request.user, query)
    ]
    return render(request, "mailings/_pick_results.html", {"results": results, "query": query})


def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue's page: its actions while it is written, its status once it is sent."""
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    started = issue.state in (NewsletterState.QUEUEING, NewsletterState.SENDING, NewsletterState.SENT)
    status = selectors.newsletter_status(issue) if started else None
    context = {"issue": issue, "status": status, "schedule": ScheduleForm(), "poll": _polling(issue, status)}
    if request.htmx and request.GET.get("status"):
        return render(
            request, "mailings/_newsletter_status.html", context, status=200 if context["poll"] else 286
        )
    return render(request, "mailings/newsletter.html", context)


def _polling(issue: Newsletter, status) -> bool:
    """The status refreshes while the send starts, is prepared or runs, and stops once every e-mail is
    sent, failed or skipped (the issue's state follows at the beat's next minute)."""
    if issue.state == NewsletterState.QUEUEING:
        return True
    if issue.state == NewsletterState.SCHEDULED and issue.scheduled_for:
        return issue.scheduled_for <= timezone.now()  # "send now": about to start
    return issue.state == NewsletterState.SENDING and status is not None and status.waiting > 0


def newsletter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The e-mail exactly as the community manager would receive it, in English or French."""
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    language = request.GET.get("language") or request.user.language or "fr"
    if language not in ("en", "fr"):
        raise Http404
    email = preview(issue, request.user, language)
    html = next(content for content, mimetype in email.alternatives if mimetype == "text/html")
    context = {"issue": issue, "email": email, "html": html, "language": language}
    return render(request, "mailings/newsletter_preview.html", context)


@require_POST
def newsletter_test(request: HttpRequest, pk: int) -> HttpResponse:
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    newsletters.newsletter_test_send(actor=request.user, issue=issue)
    messages.success(request, _("A test is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("mailings:newsletter", pk)


@require_POST
def newsletter_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            newsletters.newsletter_schedule(actor=request.user, issue=issue, when=form.cleaned_data["when"])
        except ValidationError as exc:
            form_errors_add(form, exc, "when")
        else:
            messages.success(request, _("The issue is scheduled."))
            return redirect("mailings:newsletter", pk)
    context = {"issue": issue, "status": None, "schedule": form, "poll": False}
    return render(request, "mailings/newsletter.html", context, status=400)


def newsletter_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send now: a page asks for confirmation with the number of recipients, its button sends."""
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    if request.method == "POST":
        try:
            newsletters.newsletter_send_now(actor=request.user, issue=issue)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The issue is being sent."))
        return redirect("mailings:newsletter", pk)
    recipients = newsletters.newsletter_recipients(issue).count()
    return render(request, "mailings/newsletter_send.html", {"issue": issue, "recipients": recipients})


@require_POST
def newsletter_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_newsletter_manager(request.user)
    issue = selectors.access_newsletter(pk)
    try:
        newsletters.newsletter_cancel(actor=request.user, issue=issue)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The scheduled send is cancelled; the issue can be changed again."))
    return redirect("mailings:newsletter", pk)


# Members ----------------------------------------------------------------------------------------------


def archive(request: HttpRequest) -> HttpResponse:
    return render(request, "mailings/archive.html", {"issues": selectors.archive_issues(request.user)})


def archive_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """A past issue on the site: its introduction, the picked items still public, and the events of
    its month for a signed-in reader."""
    issue = selectors.access_archive_issue(request.user, pk)
    reader = request.user
    moment = issue.started_at or issue.finished_at or timezone.now()
    blocks = issue_blocks(issue, [reader], moment=moment)
    context = member_context(issue, reader, blocks) | {"can_manage": can_manage_newsletter(reader)}
    return render(request, "mailings/archive_issue.html", context)


def click(request: HttpRequest, token: str) -> HttpResponse:
    """A link of an e-mail: counted, then followed, to the URL stored with the issue only."""
    target = click_target(token)
    link = newsletters.newsletter_click(link_id=target[0], member_id=target[1]) if target else None
    if link is None:
        raise Http404
    return HttpResponseRedirect(link.url)


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "mailings/privacy.html", {"archive_url": reverse("mailings:archive")})
