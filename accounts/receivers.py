"""Cache invalidation only: the cached copy of a member (accounts.backends) goes when they change, and
kept pages showing members (the profiles epoch) when their public face changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.backends import forget_user, profiles_changed
from accounts.models import User

# What other members see of a member on kept pages (cards show the name, handle and avatar).
PUBLIC_FIELDS = frozenset({"display_name", "handle", "email", "avatar_version", "is_active"})


def _now_and_after_commit(action, *args) -> None:
    """Now, for the rest of this transaction; after commit again, so that a request reading the old row
    meanwhile does not keep it cached."""
    action(*args)
    transaction.on_commit(lambda: action(*args))


def _forget(sender, instance, update_fields=None, created=False, **kwargs) -> None:
    _now_and_after_commit(forget_user, instance.pk)
    if not created and (update_fields is None or PUBLIC_FIELDS.intersection(update_fields)):
        _now_and_after_commit(profiles_changed)


def _forget_members_of(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:  # user.groups.add(...), remove(), clear()
        if action.startswith("post_"):
            _now_and_after_commit(forget_user, instance.pk)
        return
    # group.user_set.…: pk_set holds the users; for clear() they are read before they go.
    if action in ("post_add", "post_remove"):
        user_ids = list(pk_set or ())
    elif action == "pre_clear":
        user_ids = list(instance.user_set.values_list("pk", flat=True))
    else:
        return
    for user_id in user_ids:
        _now_and_after_commit(forget_user, user_id)


def connect() -> None:
    post_save.connect(_forget, sender=User, dispatch_uid="accounts.forget_user_saved")
    post_delete.connect(_forget, sender=User, dispatch_uid="accounts.forget_user_deleted")
    m2m_changed.connect(_forget_members_of, sender=User.groups.through, dispatch_uid="accounts.forget_groups")
