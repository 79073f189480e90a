"""The cached copy of a member (accounts.backends) goes when the row or its groups change.

Django's auth, allauth and the admin all save the user model, so the model's own signals are the one
place that sees every change; nothing else is invalidated here (pages follow versions bumped by
services: accounts.profiles)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.backends import forget_user
from accounts.models import User


def _now_and_after_commit(action, *args) -> None:
    """Now, for the rest of this transaction; after commit again, so that a request reading the old row
    meanwhile does not keep it cached."""
    action(*args)
    transaction.on_commit(lambda: action(*args))


def _forget(sender, instance, update_fields=None, created=False, **kwargs) -> None:
    _now_and_after_commit(forget_user, instance.pk)


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
