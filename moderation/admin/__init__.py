"""The community managers' workplace for moderation: the netiquette, the queue and its records."""

from moderation.admin import netiquette, queue, records  # noqa: F401 - registers the ModelAdmins
from moderation.admin.netiquette import ReadOnlyAdmin

__all__ = ["ReadOnlyAdmin"]
