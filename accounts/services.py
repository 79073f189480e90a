"""Every write to accounts: profiles, avatars, preferences and roles."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import Avatar, User
from accounts.permissions import is_community_manager
from accounts.profiles import public_profile_changed
from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, ROLE_LABELS
from core.housekeeping import delete_in_batches
from core.text import clean_name

AVATAR_SIZE = 256
AVATAR_MAX_BYTES = 4 * 1024 * 1024
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _check_can_edit(actor: User, user: User) -> None:
    if actor.pk != user.pk and not is_community_manager(actor):
        raise PermissionDenied(_("You cannot change another member's profile."))


def profile_update(
    *,
    actor: User,
    user: User,
    display_name: str,
    bio: str,
    language: str,
    time_zone: str,
    handle: str | None = None,
) -> User:
    """Save the profile fields a member controls (names and bios are plain text, escaped on output).

    The handle, when given, must be free whatever its case: others mention the member with it.
    """
    _check_can_edit(actor, user)
    fields = ["display_name", "bio", "language", "time_zone"]
    before = (user.display_name, user.handle)
    user.display_name = clean_name(display_name)
    user.bio = bio.strip()
    user.language = language
    user.time_zone = time_zone
    if handle is not None:
        handle = handle.strip().lstrip("@")
        if User.objects.filter(handle__iexact=handle).exclude(pk=user.pk).exists():
            raise ValidationError({"handle": _("The handle @%(handle)s is taken.") % {"handle": handle}})
        user.handle = handle
        fields.append("handle")
    user.full_clean(exclude=["password", "email"], validate_constraints=False)
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
            if (user.display_name, user.handle) != before:
                public_profile_changed(user.pk)
    except IntegrityError as exc:
        # Another member took the handle between the check and the save.
        raise ValidationError({"handle": _("The handle @%(handle)s is taken.") % {"handle": handle}}) from exc
    return user


def language_set(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not offered."))
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Remember the language in the browser too, for pages seen signed out (a year, like Django's)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


def _square_webp(upload: UploadedFile) -> bytes:
    if upload.size and upload.size > AVATAR_MAX_BYTES:
        raise ValidationError(_("The picture is larger than 4 MB."))
    try:
        with Image.open(upload) as probe:
            if probe.format not in AVATAR_FORMATS:
                raise ValidationError(_("Use a JPEG, PNG, WebP or GIF picture."))
            if probe.width * probe.height > AVATAR_MAX_PIXELS:
                raise ValidationError(_("The picture has too many pixels."))
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
            image = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "WEBP", quality=85)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a picture we can read.")) from exc


def avatar_set(*, actor: User, user: User, upload: UploadedFile) -> Avatar:
    """Validate, square-crop and resize the picture to 256 px WebP, then store it."""
    _check_can_edit(actor, user)
    data = _square_webp(upload)
    version = hashlib.sha256(data).hexdigest()[:12]
    with transaction.atomic():
        avatar, _created = Avatar.objects.update_or_create(
            user=user, defaults={"image": data, "version": version, "content_type": "image/webp"}
        )
        user.avatar_version = version
        user.save(update_fields=["avatar_version"])
        public_profile_changed(user.pk)
    return avatar


def avatar_remove(*, actor: User, user: User) -> None:
    _check_can_edit(actor, user)
    with transaction.atomic():
        Avatar.objects.filter(user=user).delete()
        user.avatar_version = ""
        user.save(update_fields=["avatar_version"])
        public_profile_changed(user.pk)


def role_grant(*, actor: User, user: User, role: str) -> None:
    """Superusers give any role; community managers give the Ambassadors role only."""
    _check_can_change_role(actor, role)
    with transaction.atomic():
        user.groups.add(Group.objects.get(name=role))
        if role == COMMUNITY_MANAGERS and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def role_revoke(*, actor: User, user: User, role: str) -> None:
    _check_can_change_role(actor, role)
    with transaction.atomic():
        user.groups.remove(Group.objects.get(name=role))
        if role == COMMUNITY_MANAGERS and user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def _check_can_change_role(actor: User, role: str) -> None:
    if role not in ROLE_LABELS:
        raise ValidationError(_("Unknown role."))
    if actor.is_superuser:
        return
    if role == AMBASSADORS and is_community_manager(actor):
        return
    raise PermissionDenied(_("You cannot change this role."))


def member_active_set(*, user_id: int, active: bool) -> None:
    """Deactivate a member (a ban: their sessions end, they cannot sign in) or reactivate them.

    Saved through the model, not a queryset update, so that the member's cached copy goes with it.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is not None and user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        public_profile_changed(user.pk)


SEEN_EVERY = timedelta(hours=1)


def member_seen(user: User) -> None:
    """Record the member's visit, at most once an hour (the user row is already loaded for the
    request, so the other requests of the hour cost nothing); the digest is exact to the hour."""
    now = timezone.now()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_EVERY:
        return
    User.objects.filter(pk=user.pk).update(last_seen_at=now)
    user.last_seen_at = now


# Sessions stored in PostgreSQL (the plain or write-through engines) leave expired rows behind.
DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def sessions_clear_expired(*, batch_size: int | None = None) -> int:
    """Delete the sessions past their expiry date, in batches (core.housekeeping); returns how many.

    Only the database engines keep rows: with cache or signed-cookie sessions there is nothing to clear
    (they expire by themselves) and this does nothing. The Redis copy of a cached_db session expires
    with it.
    """
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    return delete_in_batches(expired, batch_size=batch_size)
