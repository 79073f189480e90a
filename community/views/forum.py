from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import is_community_manager
from community import permissions, sidebar
from community.forms import PostEditForm, ReplyForm, ThreadForm, ThreadListFilter
from community.models import Post, PostState, ReactionKind
from community.selectors import forum as selectors
from community.selectors.onboarding import onboarding_checklist
from community.services import archiving, thread_views
from community.services import forum as services
from core.branding import branding_get
from core.forms import form_errors_add
from core.head import DESCRIPTION_CHARS, PageHead
from core.shared_pages import shareable, shared_page
from core.text import html_excerpt
from moderation.decorators import netiquette_required
from moderation.navigation import netiquette_url
from moderation.permissions import member_can_post
from moderation.selectors import member_restriction


def thread_rows(
    request: HttpRequest, threads: list, show_space: bool = False, started: bool = False
) -> SafeString:
    """The rows of a list of threads (Jinja2, as a thread's posts are), dated by their last activity or,
    with `started` (the archive), by their start. The plurals are Python's, where makemessages finds
    them."""
    context = {
        "threads": threads,
        "show_space": show_space,
        "started": started,
        "replies": lambda count: ngettext("reply", "replies", count),
        "views": lambda count: ngettext("view", "views", count),
    }
    return _jinja(request, "community/thread_rows.jinja", context)


def _attempt(form, action):
    """Run a service for a form: its refusals become the form's errors, shown on the page again."""
    try:
        return action()
    except ValidationError as exc:
        form_errors_add(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


def home(request: HttpRequest) -> HttpResponse:
    """Visitors share one copy, members another (they read more spaces), keyed by the versions of the
    spaces listed (the query that lists them reads them); the greeting and the newcomer's checklist
    come from home_overlay. The team gets the page rendered for them."""
    user = request.user
    spaces = selectors.space_list(user)
    member_count = selectors.member_count()
    extra = sidebar.sections(user)
    if not is_community_manager(user) and shareable(request):
        audience = "members" if user.is_authenticated else "visitors"
        versions = (audience, member_count, *((space.pk, space.version) for space in spaces))
        return shared_page(
            request,
            name="home",
            versions=versions + sidebar.versions(extra),
            # The lists are those of the reader's audience; the page is drawn as a visitor sees it.
            render=lambda visitor: _render_home(visitor, user, spaces, member_count, extra),
        )
    return _render_home(request, user, spaces, member_count, extra)


def _render_home(
    request: HttpRequest, audience, spaces: list, member_count: int, extra: list
) -> HttpResponse:
    context = {
        "member_count": member_count,
        "spaces": spaces,
        "sections": [mark_safe(section.render(request)) for section in extra],  # noqa: S308 - templates' output
        "featured": thread_rows(request, selectors.featured_threads(audience), show_space=True),
        "recent": thread_rows(request, selectors.recent_threads(audience), show_space=True),
        "checklist": onboarding_checklist(request.user, spaces),
        # The community's front door, as link previews show it: its name and tagline (core/head.py).
        "head": _home_head(),
    }
    return render(request, "community/home.html", context)


def _home_head() -> PageHead:
    branding = branding_get()
    return PageHead(path=reverse("home"), title=branding.name, description=branding.tagline)


def home_overlay(request: HttpRequest) -> HttpResponse:
    """What the shared home page shows differently to this member: navigation, greeting, checklist."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=204)
    spaces = selectors.space_list(user)
    context = {"here": reverse("home"), "checklist": onboarding_checklist(user, spaces)}
    return render(request, "community/_home_overlay.html", context)


def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Readers of a space share one rendered copy of each list page per space version (but for "mine");
    the member's navigation and "New thread" come from space_overlay."""
    space = selectors.access_space(request.user, slug)
    show, after = request.GET.get("show", ""), request.GET.get("after", "")
    extra = sidebar.sections(request.user, space) if not after else []
    if show != "mine" and shareable(request, ["show", "after"]):
        versions = (space.pk, space.version, show, after, *sidebar.versions(extra))
        return shared_page(
            request,
            name="space",
            versions=versions,
            render=lambda visitor: _render_space(visitor, space, extra),
        )
    return _render_space(request, space, extra)


def _render_space(request: HttpRequest, space, extra: list) -> HttpResponse:
    filterset = ThreadListFilter(
        request.GET, queryset=selectors.space_thread_queryset(space), request=request
    )
    page = selectors.space_threads(filterset.qs, request.GET.get("after"))
    context = _space_context(request, space) | {
        "filter": filterset,
        "page": page,
        "rows": thread_rows(request, page.threads),
        "sections": [mark_safe(section.render(request)) for section in extra],  # noqa: S308 - templates' output
        "head": _space_head(space),
    }
    return render(request, "community/space.html", context)


def _space_head(space) -> PageHead:
    """A public space describes itself (its filtered and older lists point to the space itself)."""
    if not permissions.can_see_space(AnonymousUser(), space):
        return PageHead.private()
    return PageHead(
        path=space.get_absolute_url(),
        title=space.name,
        description=space.description or space.objective,
        feed=reverse("community:space-feed", args=[space.slug]),
        feed_title=_("New threads in %(space)s") % {"space": space.name},
    )


def _space_context(request: HttpRequest, space) -> dict:
    user = request.user
    return {
        "space": space,
        "reader": user if user.is_authenticated else None,
        # Visitors are offered it too: it leads them to sign in.
        "can_start_thread": permissions.can_start_thread(user, space) or not user.is_authenticated,
    }


def space_overlay(request: HttpRequest, slug: str) -> HttpResponse:
    """What a shared space page shows differently to this member (htmx out-of-band swaps): their
    navigation and whether they may start a thread. Nothing for visitors."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    space = selectors.access_space(request.user, slug)
    context = _space_context(request, space) | {"here": space.get_absolute_url()}
    return render(request, "community/_space_overlay.html", context)


@netiquette_required
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    space = selectors.access_space(request.user, slug)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        thread = _attempt(
            form, lambda: services.thread_create(actor=request.user, space=space, **form.cleaned_data)
        )
        if thread is not None:
            if thread.state != "visible":
                messages.info(request, _("Your thread awaits review by the community team."))
            return redirect(thread)
    intro_template = _(
        "Hello everyone!\n\n- Who am I:\n- What brings me here:\n- What I love about the brand:\n"
    )
    if request.method == "GET" and space.is_introductions:
        form.initial["body"] = intro_template
    return render(request, "community/thread_new.html", {"space": space, "form": form})


def _page_number(request: HttpRequest, thread) -> int:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404 from None
    if page < 1 or page > thread.page_count:
        raise Http404
    return page


def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Readers of a published thread share one rendered copy of each page (core/shared_pages.py); what
    is a member's own comes from thread_overlay. The team, and the author of a held thread, get the
    page rendered for them."""
    user = request.user
    thread = selectors.access_thread(user, pk)
    page = _page_number(request, thread)
    thread_views.thread_viewed(thread.pk, thread.space_id)
    if thread.state == PostState.VISIBLE and not is_community_manager(user) and shareable(request, ["page"]):
        # Whether visitors may read it decides what the page tells search engines (its head).
        versions = (
            thread.pk,
            thread.version,
            page,
            thread.space.name,
            thread.space.slug,
            thread.space.visibility,
        )
        return shared_page(
            request,
            name="thread",
            versions=versions,
            render=lambda visitor: _render_thread(visitor, thread, page),
        )
    return _render_thread(request, thread, page)


def thread_overlay(request: HttpRequest, pk: int) -> HttpResponse:
    """What a shared thread page shows differently to this member (htmx out-of-band swaps): their
    navigation, reply box, reactions, own posts' tools and held posts. Nothing for visitors."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=204)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404 from None
    posts = selectors.thread_overlay_posts(user, pk, page)
    thread = posts[0].thread
    here = f"{thread.get_absolute_url()}?page={page}" if page > 1 else thread.get_absolute_url()
    context = _reader_context(request, thread, posts) | {"page": page, "posts": posts, "here": here}
    shown = [post for post in posts if post.state != PostState.PENDING]
    changed = [post for post in shown if _differs(user, thread, post, context)]
    held = [(post, _anchor(post, shown)) for post in posts if post.held_html]
    for post, _where in held:
        post.body_html, post.author = post.held_html, user
    context["posts_oob"] = _jinja(
        request, "community/posts_overlay.jinja", context | {"changed": changed, "held": held}
    )
    return render(request, "community/_thread_overlay.html", context)


def _differs(user, thread, post, context: dict) -> bool:
    """Whether the member's tools for a post differ from the shared page's (as a member sees others'
    posts they neither reacted to nor flagged). Removed and deleted posts have no tools."""
    return post.state == PostState.VISIBLE and bool(
        post.author_id == user.pk
        or post.my_kinds
        or post.flagged
        or post.can_edit
        or (context["can_mark_solution"] and post.position > 1)
    )


def _anchor(post, shown: list) -> str:
    """Where a held post goes among the shared page's posts: before the next one, else at the end."""
    after = next((other for other in shown if other.position > post.position), None)
    return f"beforebegin:#post-{after.position}" if after else "beforeend:#posts"


def _reader_context(request: HttpRequest, thread, posts: list) -> dict:
    """What the posts' tools and the reply box ask about the reader."""
    user = request.user
    can_edit = permissions.post_editor(user)
    for post in posts:
        post.thread = thread
        post.can_edit = can_edit(post)
    can_reply = permissions.can_reply(user, thread)
    return {
        "thread": thread,
        "reply_url": reverse("community:reply", args=[thread.pk]),
        "reader": user if user.is_authenticated else None,
        "replies_open": permissions.replies_open(user, thread),
        "can_reply": can_reply,
        "reply_form": ReplyForm() if can_reply else None,
        "can_flag_thread": permissions.can_flag_thread(user, thread) or not user.is_authenticated,
        "can_mark_solution": permissions.can_mark_solution(user, thread),
        "reply_blocked": user.is_authenticated and not member_can_post(user),
        "restriction": member_restriction(user),
        "netiquette_url": netiquette_url(thread.get_absolute_url()),
        # A sentence with a value, for the Jinja2 posts: here, where makemessages finds it.
        "removed_notice": lambda number: (
            _("This post was removed by moderation (rule %(number)s).") % {"number": number}
        ),
    }


def _render_thread(request: HttpRequest, thread, page: int) -> HttpResponse:
    posts = selectors.thread_posts(request.user, thread, page)
    context = _reader_context(request, thread, posts) | {
        "space": thread.space,
        "page": page,
        "pager": _pager(page, thread.page_count),
        "can_manage": permissions.can_manage_thread(request.user),
        "head": _thread_head(thread, page, posts),
    }
    context["posts_html"] = _jinja(request, "community/posts.jinja", context | {"posts": posts})
    return render(request, "community/thread.html", context)


def _thread_head(thread, page: int, posts: list) -> PageHead:
    """What a thread's page says of itself, from the rows the page has read (no query): only a thread a
    visitor may read (published, in a public space) says anything; its description is the text of the
    page's first published post (the opening post on page 1)."""
    if not permissions.can_see_thread(AnonymousUser(), thread):
        return PageHead.private()
    first = next((post for post in posts if post.state == PostState.VISIBLE), None)
    url = thread.get_absolute_url()
    return PageHead(
        path=f"{url}?page={page}" if page > 1 else url,
        title=thread.title,
        description=html_excerpt(first.body_html, DESCRIPTION_CHARS) if first else "",
        kind="article",
        feed=reverse("community:thread-feed", args=[thread.pk]),
        feed_title=_("%(thread)s: latest posts") % {"thread": thread.title},
    )


def _jinja(request: HttpRequest, name: str, context: dict) -> SafeString:
    """A hot partial, rendered by Jinja2 (core/jinja.py): its output is escaped HTML."""
    html = render_to_string(name, context, request=request, using="jinja2").strip()
    return mark_safe(html)  # noqa: S308


def _pager(page: int, last: int) -> list[int | None]:
    """Page links: the first, the last and two either side of the current one (None marks a gap).

    A window, not every page: the thread of 600 pages renders its pager as fast as the one of 2.
    """
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


def _quoted(request: HttpRequest, thread) -> dict:
    """The reply form's start when the member quotes a post of the thread (`?quote=<post id>`)."""
    quoted = request.GET.get("quote", "")
    if not quoted.isdigit():
        return {}
    try:
        source = selectors.access_post(request.user, int(quoted))
    except Http404:
        return {}
    if source.thread_id != thread.pk or not source.is_visible:
        return {}
    name = source.author.handle if source.author else _("deleted member")
    quoted_text = "\n".join(f"> {line}" for line in source.body_md.splitlines())
    return {"body": f"@{name}\n{quoted_text}\n\n", "reply_to": source.pk}


@login_required
@netiquette_required
def post_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply page (the thread page's reply box without JavaScript, and quoting); its form posts here."""
    thread = selectors.access_thread(request.user, pk)
    form = ReplyForm(request.POST or None, initial=_quoted(request, thread))
    if request.method == "POST" and form.is_valid():
        reply_to = None
        if form.cleaned_data["reply_to"]:
            reply_to = Post.objects.filter(
                pk=form.cleaned_data["reply_to"], thread=thread, state=PostState.VISIBLE
            ).first()
        post = _attempt(
            form,
            lambda: services.post_create(
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                reply_to=reply_to,
                client_token=form.cleaned_data["client_token"],
            ),
        )
        if post is not None:
            if post.state != "visible":
                messages.info(request, _("Your reply awaits review by the community team."))
            return redirect(post)
    context = _reader_context(request, thread, []) | {"reply_form": form}
    return render(request, "community/reply.html", context, status=400 if request.method == "POST" else 200)


def post_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(selectors.access_post(request.user, pk))


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk)
    if post.thread.archived_at is not None:
        messages.error(request, archiving.ARCHIVED_MESSAGE)
        return redirect(post)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied
    initial = {"body": post.body_md, "title": post.thread.title}
    form = PostEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data["title"] if post.position == 1 else None,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(post)
    return render(request, "community/post_edit.html", {"post": post, "form": form})


@login_required
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk)
    if not (is_community_manager(request.user) or post.author_id == request.user.pk):
        raise PermissionDenied
    return render(
        request, "community/post_history.html", {"post": post, "revisions": selectors.post_revisions(post)}
    )


@login_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk)
    try:
        services.post_delete(actor=request.user, post=post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(post)
    messages.success(request, _("The post is deleted."))
    if post.position == 1:
        return redirect(post.thread.space)
    return redirect(post)


@login_required
@require_POST
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in ReactionKind.values:
        return HttpResponseBadRequest(_("Unknown reaction."))
    post = selectors.access_post(request.user, pk)
    try:
        services.reaction_toggle(actor=request.user, post=post, kind=kind)
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(post)
    if request.htmx:
        thread = post.thread
        post = selectors.post_with_marks(request.user, post.pk)
        context = {"post": post, "reader": request.user, "thread": thread}
        return HttpResponse(_jinja(request, "community/reactions.jinja", context))
    return redirect(post)


@login_required
@require_POST
def thread_solution(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.access_thread(request.user, pk)
    post_id = request.POST.get("post")
    post = Post.objects.filter(pk=post_id, thread=thread).first() if post_id and post_id.isdigit() else None
    try:
        services.thread_mark_solution(actor=request.user, thread=thread, post=post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Best answer chosen.") if post else _("Best answer cleared."))
    return redirect(post or thread)


@login_required
@require_POST
def thread_flags(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.access_thread(request.user, pk)
    flag, value = request.POST.get("flag"), request.POST.get("value") == "1"
    if flag not in {"pinned", "locked", "featured"}:
        return HttpResponseBadRequest(_("Unknown action."))
    services.thread_update_flags(actor=request.user, thread=thread, **{flag: value})
    messages.success(request, _("The thread is updated."))
    return redirect(thread)


@login_required
@require_POST
def thread_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's Archive / Unarchive button on the thread page (`value` 1 or 0)."""
    thread = selectors.access_thread(request.user, pk)
    if request.POST.get("value") == "1":
        archiving.thread_archive(actor=request.user, thread=thread)
        messages.success(request, _("The thread is archived."))
    else:
        archiving.thread_unarchive(actor=request.user, thread=thread)
        messages.success(request, _("The thread is open again."))
    return redirect(thread)


@login_required
def welcome_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_welcome(request.user):
        raise PermissionDenied
    threads = selectors.introductions_to_welcome()
    return render(request, "community/welcome.html", {"threads": threads})


@login_required
@require_POST
def thread_welcome(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.access_thread(request.user, pk)
    try:
        post = services.thread_welcome(actor=request.user, thread=thread)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        name = thread.author.public_name if thread.author else _("deleted member")
        messages.success(request, _("You welcomed %(name)s.") % {"name": name})
        if request.POST.get("next") != "list":
            return redirect(post)
    return redirect("community:welcome")
