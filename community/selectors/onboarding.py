"""The newcomer's checklist, shown on the home page until every step is done."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.permissions import Actor
from community.models import MemberState, Space
from moderation.selectors import netiquette_accepted


@dataclass
class Step:
    key: str
    done: bool


@dataclass
class Checklist:
    steps: list[Step]
    introductions: Space | None
    introduction_url: str

    @property
    def done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)


def onboarding_checklist(user: Actor, spaces: list[Space]) -> Checklist | None:
    """None for visitors and for members who finished (one small query otherwise)."""
    if not user.is_authenticated:
        return None
    state = MemberState.objects.filter(pk=user.pk).select_related("introduction").first()
    if state is not None and state.onboarding_dismissed:
        return None
    introductions = next((space for space in spaces if space.is_introductions), None)
    introduction = state.introduction if state else None
    steps = [
        Step("netiquette", netiquette_accepted(user)),
        Step("profile", bool(user.bio.strip())),
        Step("introduce", introduction is not None),
        Step("reply", bool(state and state.first_reply_at)),
    ]
    checklist = Checklist(
        steps=steps,
        introductions=introductions,
        introduction_url=introduction.get_absolute_url() if introduction else "",
    )
    return None if checklist.done else checklist
