"""Fixtures of the forum's tests: two members who accepted the netiquette, and a thread between them
(each module gives its own `space`)."""

from __future__ import annotations

import pytest

from community.models import Thread
from community.services import forum
from tests.community.test_forum import accept_netiquette
from tests.factories import UserFactory


@pytest.fixture
def people(db):
    alice = UserFactory(display_name="Alice Aubert")
    bruno = UserFactory(display_name="Bruno Bernard")
    accept_netiquette(alice, bruno)
    return alice, bruno


@pytest.fixture
def thread(people, space) -> Thread:
    alice, bruno = people
    thread = forum.thread_create(actor=alice, space=space, title="Heat pump noise", body="It hums at night.")
    forum.post_create(actor=bruno, thread=thread, body="Check the mounting brackets.")
    return thread
