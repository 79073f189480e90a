"""Sessions that bring their member along: one Redis round trip for both on every signed-in page.

Sessions are Django's cached_db sessions. Beside each session's copy in Redis, the member's id is kept
as a plain number under the session's key, so that one Lua script reads the session, that id and the
member's copy (accounts.backends) together; the backend then takes the member from there instead of
asking Redis again. The id is written from the session's own data, and a sign-in always starts a new
session key, so it cannot name another member; Django still checks the session's password hash.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from accounts.backends import prefetch_member, user_cache_key


def member_of_session_key(session_key: str) -> str:
    return f"accounts:session-member:{session_key}"


class SessionStore(CachedDBStore):
    def load(self) -> dict:
        key = self.session_key
        try:
            data, member_id, member = self._cache.get_with_reference(
                self.cache_key, member_of_session_key(key), user_cache_key("")
            )
        except Exception:  # As Django's: an unusable key resets the session.
            data = member_id = member = None
        prefetch_member(member)
        if data is None:
            return super().load()  # From the database, and kept in Redis again.
        user_id = data.get(SESSION_KEY)
        if user_id is not None and str(member_id) != str(user_id):
            age = self.get_expiry_age(expiry=data.get("_session_expiry"))
            self._cache.set(member_of_session_key(key), int(user_id), age)
        return data

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            self._cache.delete(member_of_session_key(key))
