"""The kinds of e-mail the platform sends, registered by the apps that own them at start-up (like
`admin.site.register`): how a batch of delivery rows becomes e-mails, built at send time from what the
database says then. mailings owns delivery, suppression, consent and unsubscribe, and never imports
the apps that register here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.mail import EmailMessage

# A builder gets rows of its kind and answers, per row id, the e-mail to send, or None when there is
# nothing left to tell (the post was removed, the member left the list): the row is then skipped.
Build = Callable[[list], dict[int, EmailMessage | None]]


@dataclass(frozen=True)
class MessageKind:
    key: str
    build: Build
    # Bulk mail (digests, newsletters) goes after notifications, and only to members in good standing:
    # active, with a confirmed address, neither suspended nor banned (mailings.audiences).
    bulk: bool = False
    # The list whose consent is required at send time (the newsletter's opt-in); None: no opt-in.
    consent_list: str | None = None
    # Rows of this kind are the lasting record that the message went once (the welcome: once per
    # member, ever), so housekeeping never prunes them; they go with the member's account.
    kept: bool = False


KINDS: dict[str, MessageKind] = {}


def kind_register(kind: MessageKind) -> None:
    KINDS[kind.key] = kind


def one_by_one(build_one: Callable[[dict], EmailMessage | None]) -> Build:
    """A batch builder from a builder of one e-mail per row payload (notifications, notices)."""

    def build(rows: Iterable) -> dict[int, EmailMessage | None]:
        return {row.pk: build_one(row.payload) for row in rows}

    return build
