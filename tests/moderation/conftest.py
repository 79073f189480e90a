import pytest

from tests.factories import UserFactory


@pytest.fixture
def newcomer(db):
    """A member who has not accepted the netiquette yet."""
    return UserFactory(display_name="Noé Petit", netiquette_accepted=False)
