from django.contrib.auth import get_user_model
from django.core.cache import cache

MEMBER_COUNT_KEY = "community:member-count"


def member_count() -> int:
    """Active members, cached for a minute: the home page shows it to everyone."""
    count = cache.get(MEMBER_COUNT_KEY)
    if count is None:
        count = get_user_model().objects.filter(is_active=True).count()
        cache.set(MEMBER_COUNT_KEY, count, timeout=60)
    return count
