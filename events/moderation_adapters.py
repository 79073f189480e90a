"""Events' content as moderation sees it: descriptions, AMA questions, chat messages and contest
entries. Registered in EventsConfig.ready(); moderation calls them and never imports events.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_community_manager
from community.services.writing import clean_body, render_body
from events.models import Contribution, ContributionKind, ContributionState, Event
from events.permissions import can_see_event
from events.services import contributions as services
from moderation.registry import ContentAdapter, ContextEntry, ItemInfo, ItemView, registry

EXCERPT = 200
AROUND = 2


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EXCERPT)


class ContributionAdapter(ContentAdapter):
    """One adapter class for the three kinds of contribution, registered once per kind."""

    def __init__(self, kind: str, label) -> None:
        self.kind, self.item_type, self.label = kind, services.ITEM_TYPES[kind], label

    def _get(self, item_id: int) -> Contribution | None:
        found = Contribution.objects.select_related("event__space", "author").filter(
            pk=item_id, kind=self.kind
        )
        return found.first()

    def info(self, item_id: int) -> ItemInfo | None:
        item = self._get(item_id)
        if item is None:
            return None
        return ItemInfo(
            item_type=self.item_type,
            item_id=item.pk,
            author_id=item.author_id,
            visibility=services.FROM_STATE[item.state],
            excerpt=_excerpt(item.body_md),
            url=item.get_absolute_url(),
            scope=item.event.space.slug,
            scope_label=item.event.space.name,
        )

    def visible_to(self, user, item_id: int) -> bool:
        item = self._get(item_id)
        if item is None or not can_see_event(user, item.event):
            return False
        if item.state == ContributionState.PENDING:
            return is_community_manager(user) or item.author_id == getattr(user, "pk", None)
        return item.state == ContributionState.VISIBLE or is_community_manager(user)

    def lock(self, item_id: int) -> None:
        list(Contribution.objects.select_for_update().filter(pk=item_id).values_list("pk"))

    def view(self, item_id: int) -> ItemView:
        item = self._get(item_id)
        around = Contribution.objects.filter(event_id=item.event_id, kind=self.kind).select_related("author")
        before = list(around.filter(pk__lt=item.pk).order_by("-pk")[:AROUND])[::-1]
        after = list(around.filter(pk__gt=item.pk).order_by("pk")[:AROUND])
        entries = [
            ContextEntry(
                author_name=other.author.public_name if other.author else _("Deleted member"),
                html=other.body_html,
                is_item=other.pk == item.pk,
                visibility=services.FROM_STATE[other.state],
            )
            for other in [*before, item, *after]
        ]
        return ItemView(
            title=item.event.title, html=item.body_html, body_source=item.body_md, entries=entries
        )

    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        return services.contribution_moderate(
            contribution_id=item_id, visibility=visibility, rule_number=rule_number
        )

    def edit(self, item_id: int, *, actor, body: str) -> None:
        services.contribution_moderator_edit(contribution_id=item_id, body=body)


class EventAdapter(ContentAdapter):
    """An event's description (written by the team, flagged by members like any text)."""

    item_type = "event"
    label = gettext_lazy("event description")

    def _get(self, item_id: int) -> Event | None:
        return Event.objects.select_related("space").filter(pk=item_id).first()

    def info(self, item_id: int) -> ItemInfo | None:
        event = self._get(item_id)
        if event is None:
            return None
        return ItemInfo(
            item_type=self.item_type,
            item_id=event.pk,
            author_id=event.created_by_id,
            visibility=event.description_state,
            excerpt=_excerpt(f"{event.title} — {event.description_md}"),
            url=event.get_absolute_url(),
            scope=event.space.slug,
            scope_label=event.space.name,
        )

    def visible_to(self, user, item_id: int) -> bool:
        event = self._get(item_id)
        return event is not None and can_see_event(user, event)

    def lock(self, item_id: int) -> None:
        list(Event.objects.select_for_update().filter(pk=item_id).values_list("pk"))

    def view(self, item_id: int) -> ItemView:
        event = self._get(item_id)
        entry = ContextEntry(
            author_name=event.title,
            html=event.description_html,
            is_item=True,
            visibility=event.description_state,
        )
        return ItemView(
            title=event.title, html=event.description_html, body_source=event.description_md, entries=[entry]
        )

    @transaction.atomic
    def set_visibility(self, item_id: int, visibility: str, *, rule_number: int | None = None) -> str:
        event = Event.objects.select_for_update().get(pk=item_id)
        before = event.description_state
        Event.objects.filter(pk=item_id).update(description_state=visibility, version=F("version") + 1)
        return before

    @transaction.atomic
    def edit(self, item_id: int, *, actor, body: str) -> None:
        body = clean_body(body)
        Event.objects.filter(pk=item_id).update(
            description_md=body, description_html=render_body(body), version=F("version") + 1
        )


def register_adapters() -> None:
    registry.register(ContributionAdapter(ContributionKind.QUESTION, gettext_lazy("event question")))
    registry.register(ContributionAdapter(ContributionKind.CHAT, gettext_lazy("chat message")))
    registry.register(ContributionAdapter(ContributionKind.ENTRY, gettext_lazy("contest entry")))
    registry.register(EventAdapter())
