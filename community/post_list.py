"""The thread page's list of posts, drawn in Python around the cached cards.

Each post is its cached card (community.fragments: the same for every viewer) plus a footer of actions
that depends on the viewer: reaction buttons showing what they pressed, quote, best answer, edit,
delete, history. The footer used to be template tags in a loop; drawn with one precomputed set of
labels, URL patterns and one CSRF token per page it costs a few string formats per post instead of
about 0.3 ms of template rendering (docs/benchmarks.md).
"""

from __future__ import annotations

import functools

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.permissions import is_community_manager
from community.models import Post, PostState, ReactionKind
from community.permissions import post_editor
from community.selectors.forum import FLAGGED

REACTION_FORM = (
    '<form method="post" action="{url}" class="inline-form" hx-post="{url}" hx-target="#reactions-{pk}" '
    'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<button type="submit" class="reaction{on}" aria-pressed="{pressed}">{label}</button></form>'
)
STATIC_REACTION = '<span class="reaction is-static">{}</span>'
POST_FORM = (
    '<form method="post" action="{url}" class="inline-form"><input type="hidden" '
    'name="csrfmiddlewaretoken" value="{token}">{fields}<button type="submit" class="link-button{extra}">'
    "{label}</button></form>"
)


# No member has this id: nothing is theirs.
GENERIC_MEMBER = 0


@functools.cache
def _pattern(prefix: str, name: str, *args: object) -> str:
    """A URL with `{pk}` (and `{kind}`) in place of the arguments 0 (and "KIND"), per script prefix:
    reversed once per process."""
    url = reverse(name, args=args)
    return url.replace("/0/", "/{pk}/", 1).replace("/KIND/", "/{kind}/")


class PostListRenderer:
    def __init__(
        self,
        request: HttpRequest,
        thread,
        *,
        page: int = 1,
        can_quote: bool = False,
        can_mark_solution: bool = False,
        token: str | None = None,
        can_post: bool | None = None,
        generic: bool = False,
    ) -> None:
        """`generic`: draw posts as any member who may post sees others' posts they did not react to (a
        kept page's drawing, community/page_shell.py)."""
        user = request.user
        self.user_id = user.pk if user.is_authenticated else None
        self.can_edit = post_editor(user, can_post=can_post)
        self.is_team = is_community_manager(user)
        if generic:
            self.user_id, self.can_edit, self.is_team = GENERIC_MEMBER, (lambda post: False), False
        # One masked token for the page (masking costs 32 random draws: once per page, not per form).
        self.token = token if token is not None else (get_token(request) if self.user_id else "")
        self.thread, self.page = thread, page
        self.can_quote, self.can_mark_solution = can_quote, can_mark_solution
        prefix = get_script_prefix()
        self.react_url = _pattern(prefix, "community:post-react", 0, "KIND")
        self.edit_url = _pattern(prefix, "community:post-edit", 0)
        self.delete_url = _pattern(prefix, "community:post-delete", 0)
        self.history_url = _pattern(prefix, "community:post-history", 0)
        self.solution_url = _pattern(prefix, "community:thread-solution", 0).format(pk=thread.pk)
        self.flag_url = _pattern(prefix, "moderation:flag", "post", 0)
        self.like_label = '♥ <span class="visually-hidden">{}</span> {{}}'.format(escape(_("Likes")))
        self.helpful_label = "✓ {} {{}}".format(escape(_("Helpful")))
        self.labels = {
            "quote": escape(_("Quote")),
            "edit": escape(_("Edit")),
            "delete": escape(_("Delete")),
            "history": escape(_("History")),
            "mark": escape(_("Mark as best answer")),
            "unmark": escape(_("Not the best answer")),
            "flag": escape(_("Flag")),
            "flagged": escape(_("You flagged this")),
        }

    def render(self, posts: list[Post], mine: set[tuple[int, str]]) -> SafeString:
        """The `<li>` of every post; `mine` holds the (post, kind) reactions of the viewer."""
        # Cards are our templates' auto-escaped output; the rest is built from escaped labels and ints.
        return mark_safe("\n".join(filter(None, self.items(posts, mine))))  # noqa: S308

    def items(self, posts: list[Post], mine: set[tuple[int, str]]) -> list[str]:
        """Each post's `<li>`, or "" for a post the viewer does not see."""
        solution_id = self.thread.solution_id
        parts = []
        for post in posts:
            if post.state == PostState.PENDING and not (self.is_team or post.author_id == self.user_id):
                parts.append("")  # Held posts show to their author and the team only.
                continue
            classes = "post"
            if post.pk == solution_id:
                classes += " is-solution"
            if post.state != PostState.VISIBLE:
                classes += f" is-{post.state}"
            footer = ""
            if post.state in (PostState.VISIBLE, PostState.PENDING):
                footer = f'<footer class="post-actions">{self.actions(post, mine)}</footer>'
            parts.append(f'<li class="{classes}" id="post-{post.position}">{post.card}{footer}</li>')
        return parts

    def reactions(self, post: Post, mine: set[tuple[int, str]]) -> SafeString:
        like = self.like_label.format(post.like_count)
        helpful = self.helpful_label.format(post.helpful_count)
        if self.user_id is None or post.author_id == self.user_id:
            body = STATIC_REACTION.format(like) + " " + STATIC_REACTION.format(helpful)
        else:
            body = " ".join(
                REACTION_FORM.format(
                    url=self.react_url.format(pk=post.pk, kind=kind),
                    pk=post.pk,
                    token=self.token,
                    on=" is-on" if (post.pk, kind) in mine else "",
                    pressed="true" if (post.pk, kind) in mine else "false",
                    label=label,
                )
                for kind, label in ((ReactionKind.LIKE, like), (ReactionKind.HELPFUL, helpful))
            )
        return mark_safe(f'<span class="reactions" id="reactions-{post.pk}">{body}</span>')  # noqa: S308

    def actions(self, post: Post, mine: set[tuple[int, str]]) -> str:
        labels, visible = self.labels, post.state == PostState.VISIBLE
        parts = [self.reactions(post, mine)]
        if self.can_quote and visible:
            parts.append(f'<a href="?page={self.page}&amp;quote={post.pk}#reply">{labels["quote"]}</a>')
        if self.can_mark_solution and post.position > 1 and visible:
            chosen = self.thread.solution_id == post.pk
            parts.append(
                POST_FORM.format(
                    url=self.solution_url,
                    token=self.token,
                    fields="" if chosen else f'<input type="hidden" name="post" value="{post.pk}">',
                    extra="",
                    label=labels["unmark" if chosen else "mark"],
                )
            )
        if self.can_edit(post):
            parts.append(f'<a href="{self.edit_url.format(pk=post.pk)}">{labels["edit"]}</a>')
            parts.append(
                POST_FORM.format(
                    url=self.delete_url.format(pk=post.pk),
                    token=self.token,
                    fields="",
                    extra=" danger",
                    label=labels["delete"],
                )
            )
        if (post.pk, FLAGGED) in mine:
            parts.append(f'<span class="muted flag-link">{labels["flagged"]}</span>')
        elif self.user_id is not None and visible and post.author_id != self.user_id:
            url = self.flag_url.format(pk=post.pk)
            parts.append(f'<a class="flag-link" href="{url}" rel="nofollow">{labels["flag"]}</a>')
        if post.edited_at and (self.is_team or (self.user_id and post.author_id == self.user_id)):
            parts.append(f'<a href="{self.history_url.format(pk=post.pk)}">{labels["history"]}</a>')
        return "\n".join(parts)
