"""The forum's content as moderation sees it: adapters for posts, threads and profile bios.

Registered in CommunityConfig.ready(); moderation calls them and never imports community.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_community_manager
from community.models import MemberState, Post, PostState, Thread
from community.permissions import can_see_thread
from community.services import moderation as services
from moderation.registry import ContentAdapter, ContextEntry, ItemInfo, ItemView, registry

EXCERPT = 200
AROUND = 2


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EXCERPT)


def _name(user) -> str:
    return user.public_name if user else _("Deleted member")


class PostAdapter(ContentAdapter):
    item_type = "post"
    label = gettext_lazy("post")

    def _get(self, item_id: int) -> Post | None:
        return Post.objects.select_related("thread__space", "author").filter(pk=item_id).first()

    def info(self, item_id: int) -> ItemInfo | None:
        post = self._get(item_id)
        if post is None:
            return None
        return ItemInfo(
            item_type=self.item_type,
            item_id=post.pk,
            author_id=post.author_id,
            visibility=services.FROM_STATE[post.state],
            excerpt=_excerpt(post.body_md),
            url=post.get_absolute_url(),
            scope=post.thread.space.slug,
            scope_label=post.thread.space.name,
            language=post.language,
        )

    def visible_to(self, user, item_id: int) -> bool:
        post = self._get(item_id)
        if post is None or not can_see_thread(user, post.thread):
            return False
        if post.state == PostState.PENDING:
            return is_community_manager(user) or post.author_id == getattr(user, "pk", None)
        return True

    def view(self, item_id: int) -> ItemView:
        post = self._get(item_id)
        neighbours = (
            Post.objects.filter(
                thread_id=post.thread_id,
                position__gte=post.position - AROUND,
                position__lte=post.position + AROUND,
            )
            .select_related("author")
            .order_by("position")
        )
        entries = [
            ContextEntry(
                author_name=_name(p.author),
                html=p.body_html,
                is_item=p.pk == post.pk,
                visibility=services.FROM_STATE[p.state],
                label=f"#{p.position}",
            )
            for p in neighbours
        ]
        return ItemView(
            title=post.thread.title, html=post.body_html, body_source=post.body_md, entries=entries
        )

    def lock(self, item_id: int) -> None:
        list(Post.objects.select_for_update().filter(pk=item_id).values_list("pk"))

    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        return services.post_moderate(post_id=item_id, visibility=visibility, rule_number=rule_number)

    def edit(self, item_id: int, *, actor, body: str) -> None:
        services.post_moderator_edit(actor=actor, post_id=item_id, body=body)


class ThreadAdapter(PostAdapter):
    """A thread is its title and first post; its context is its first replies."""

    item_type = "thread"
    label = gettext_lazy("thread")

    def _thread(self, item_id: int) -> Thread | None:
        return Thread.objects.select_related("space", "author").filter(pk=item_id).first()

    def _first(self, item_id: int) -> Post | None:
        return Post.objects.filter(thread_id=item_id, position=1).only("pk").first()

    def info(self, item_id: int) -> ItemInfo | None:
        thread = self._thread(item_id)
        if thread is None:
            return None
        first = Post.objects.filter(thread=thread, position=1).only("body_md", "language").first()
        return ItemInfo(
            item_type=self.item_type,
            item_id=thread.pk,
            author_id=thread.author_id,
            visibility=services.FROM_STATE[thread.state],
            excerpt=_excerpt(f"{thread.title} — {first.body_md if first else ''}"),
            url=thread.get_absolute_url(),
            scope=thread.space.slug,
            scope_label=thread.space.name,
            language=first.language if first else "",
        )

    def visible_to(self, user, item_id: int) -> bool:
        thread = self._thread(item_id)
        return thread is not None and can_see_thread(user, thread)

    def view(self, item_id: int) -> ItemView:
        first = self._first(item_id)
        view = super().view(first.pk)
        return view

    def lock(self, item_id: int) -> None:
        # The first post, then the thread: the order of every write to a post and its thread.
        list(Post.objects.select_for_update().filter(thread_id=item_id, position=1).values_list("pk"))
        list(Thread.objects.select_for_update().filter(pk=item_id).values_list("pk"))

    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        return services.thread_moderate(thread_id=item_id, visibility=visibility, rule_number=rule_number)

    def edit(self, item_id: int, *, actor, body: str) -> None:
        services.post_moderator_edit(actor=actor, post_id=self._first(item_id).pk, body=body)


class ProfileAdapter(ContentAdapter):
    """A member's bio: the one free text of a profile."""

    item_type = "profile"
    label = gettext_lazy("profile")

    def _get(self, item_id: int):
        return get_user_model().objects.filter(pk=item_id).first()

    def info(self, item_id: int) -> ItemInfo | None:
        member = self._get(item_id)
        if member is None:
            return None
        state = MemberState.objects.filter(pk=item_id).values_list("bio_state", flat=True).first()
        return ItemInfo(
            item_type=self.item_type,
            item_id=member.pk,
            author_id=member.pk,
            visibility=services.FROM_STATE[state or PostState.VISIBLE] if member.is_active else "gone",
            excerpt=_excerpt(f"@{member.handle}: {member.bio}"),
            url=reverse("community:profile", args=[member.handle]),
            language=member.language,
        )

    def visible_to(self, user, item_id: int) -> bool:
        member = self._get(item_id)
        return member is not None and member.is_active

    def view(self, item_id: int) -> ItemView:
        member = self._get(item_id)
        from django.utils.html import escape, linebreaks

        html = linebreaks(escape(member.bio))
        return ItemView(
            title=_("Profile of %(name)s") % {"name": member.public_name},
            html=html,
            body_source=member.bio,
            entries=[
                ContextEntry(author_name=member.public_name, html=html, is_item=True, visibility="visible")
            ],
        )

    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        return services.bio_moderate(user_id=item_id, visibility=visibility)

    def edit(self, item_id: int, *, actor, body: str) -> None:
        services.bio_moderator_edit(actor=actor, user_id=item_id, body=body)


def member_facts(user_id: int) -> list[tuple[str, str]]:
    state = MemberState.objects.filter(pk=user_id).values_list("post_count", flat=True).first()
    threads = Thread.objects.filter(author_id=user_id).count()
    return [(_("Visible posts"), str(state or 0)), (_("Threads started"), str(threads))]


def register() -> None:
    registry.register(PostAdapter())
    registry.register(ThreadAdapter())
    registry.register(ProfileAdapter())
    registry.register_member_facts(member_facts)
