"""The reaction buttons of a post: one definition for the thread page's loop and for the htmx answer
to a click, drawn without an {% include %} per post (about 4 % fewer calls on a signed-in page)."""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from community.models import ReactionKind

register = template.Library()


def _react_url(context, post_pk: int, kind: str) -> str:
    """One reverse() per page: the reaction URLs differ only by the post and the kind."""
    pattern = context.render_context.get("react_url_pattern")
    if pattern is None:
        pattern = reverse("community:post-react", args=[0, "KIND"]).replace("/0/KIND/", "/{pk}/{kind}/")
        context.render_context["react_url_pattern"] = pattern
    return pattern.format(pk=post_pk, kind=kind)


@register.simple_tag(takes_context=True)
def reactions(context, post) -> str:
    """Like and helpful: buttons (htmx, with a plain form behind) for others' posts, counts otherwise."""
    request = context["request"]
    user = request.user
    like = format_html('♥ <span class="visually-hidden">{}</span> {}', _("Likes"), post.like_count)
    helpful = format_html("✓ {} {}", _("Helpful"), post.helpful_count)
    if not user.is_authenticated or post.author_id == user.pk:
        body = format_html(
            '<span class="reaction is-static">{}</span> <span class="reaction is-static">{}</span>',
            like,
            helpful,
        )
    else:
        # The page's one masked token (masking costs 32 random draws: once per page, not per post).
        token = context.get("csrf_token") or get_token(request)
        buttons = (
            (ReactionKind.LIKE, getattr(post, "my_like", False), like),
            (ReactionKind.HELPFUL, getattr(post, "my_helpful", False), helpful),
        )
        body = format_html_join(
            " ",
            '<form method="post" action="{0}" class="inline-form" hx-post="{0}" hx-target="#reactions-{1}" '
            'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{2}">'
            '<button type="submit" class="reaction{3}" aria-pressed="{4}">{5}</button></form>',
            (
                (
                    _react_url(context, post.pk, kind),
                    post.pk,
                    token,
                    " is-on" if on else "",
                    "true" if on else "false",
                    label,
                )
                for kind, on, label in buttons
            ),
        )
    return format_html('<span class="reactions" id="reactions-{}">{}</span>', post.pk, body)
