"""Signed-in pages load their member from Redis instead of two queries (the user and their roles).

A copy of the user, with the names of their groups read once, is kept for a few minutes; saving or
deleting the user, or changing their groups, drops it (accounts.receivers). Django still checks the
session's password hash against the copy, so a password change ends other sessions as before.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

USER_TIMEOUT = 300


def user_cache_key(user_id: object) -> str:
    return f"accounts:user:{user_id}"


class CachedUserMixin:
    """`get_user` for a ModelBackend (Django's or allauth's: a session names the one that signed in)."""

    def get_user(self, user_id):
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            # Cached with its role names, before anything of the request is attached to the object.
            user._agora_groups = set(user.groups.values_list("name", flat=True))
            cache.set(key, user, timeout=USER_TIMEOUT)
        return user if self.user_can_authenticate(user) else None


class CachedModelBackend(CachedUserMixin, ModelBackend):
    pass


class CachedAuthenticationBackend(CachedUserMixin, AuthenticationBackend):
    pass


def forget_user(user_id: object) -> None:
    cache.delete(user_cache_key(user_id))
