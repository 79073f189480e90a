import pytest

from tests.factories import UserFactory


@pytest.fixture
def newcomer(db):
    """A member who has not accepted the netiquette yet."""
    return UserFactory(display_name="Noé Petit", netiquette_accepted=False)


@pytest.fixture
def space(db):
    from community.models import Space

    return Space.objects.create(name="Entraide", slug="entraide")


@pytest.fixture
def author(db):
    return UserFactory(display_name="Léo Bernard", handle="leo")


@pytest.fixture
def thread(space, author):
    from community.services import forum

    return forum.thread_create(
        actor=author, space=space, title="A first question", body="Hello there, friends."
    )


@pytest.fixture
def reply(thread, author):
    from community.services import forum

    return forum.post_create(actor=author, thread=thread, body="Some more words in a reply.")


@pytest.fixture
def rules(db):
    from moderation.models import NetiquetteRule

    return {rule.number: rule for rule in NetiquetteRule.objects.all()}


@pytest.fixture(autouse=True)
def _english():
    """Services' messages read in English here, whatever ran before (the site's default is French)."""
    from django.utils import translation

    with translation.override("en"):
        yield
