"""Every write to moderation. Netiquette: members accept it, community managers publish new versions."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_community_manager
from moderation.models import NetiquetteAcceptance, NetiquetteVersion
from moderation.selectors.netiquette import ACCEPTED_TIMEOUT, NETIQUETTE_MEMO, VERSION_KEY, accepted_cache_key

PUBLISH_ATTEMPTS = 5


def netiquette_accept(*, actor: User, version_read: int | None = None) -> NetiquetteAcceptance:
    """Record that the member accepts the current version; a second submit returns the same row.

    The unique (user, version) constraint settles double submits; the cached answer is replaced
    after commit so that the member can post on the very next request.
    """
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to accept the netiquette."))
    version = NetiquetteVersion.objects.order_by("-number").first()
    if version is None:
        raise ValidationError(_("No netiquette has been published yet."))
    # The member accepts the version they read: one published meanwhile must be read first.
    if version_read is not None and version_read != version.number:
        raise ValidationError(
            _("The netiquette has just changed: please read the new version and accept it.")
        )
    with transaction.atomic():
        acceptance, _created = NetiquetteAcceptance.objects.get_or_create(user=actor, version=version)
        key = accepted_cache_key(actor.pk)
        transaction.on_commit(lambda: cache.set(key, version.number, timeout=ACCEPTED_TIMEOUT))
    setattr(actor, NETIQUETTE_MEMO, (version.number, True))
    return acceptance


def netiquette_publish(*, actor: User, note: str) -> NetiquetteVersion:
    """Publish version N+1 of the netiquette: every member is asked to accept it again.

    Two community managers publishing at once each get their own number: the unique version number
    makes the slower insert fail, and it retries with the next number. The cached current version
    is dropped after commit.
    """
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only community managers can publish the netiquette."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what changed, so that members know what they accept.")})
    max_length = NetiquetteVersion._meta.get_field("note").max_length
    if max_length is not None and len(note) > max_length:
        raise ValidationError(
            {"note": _("Keep the note under %(limit)d characters.") % {"limit": max_length}}
        )
    with transaction.atomic():
        for attempt in range(PUBLISH_ATTEMPTS):
            number = _next_version_number()
            try:
                with transaction.atomic():
                    version = NetiquetteVersion.objects.create(number=number, note=note, published_by=actor)
                break
            except IntegrityError:
                if attempt == PUBLISH_ATTEMPTS - 1:
                    raise
        transaction.on_commit(lambda: cache.delete(VERSION_KEY))
    return version


def _next_version_number() -> int:
    return (NetiquetteVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
