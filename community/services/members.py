"""Writes of the member-facing account features: preferences, settings, invitations, account deletion."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Avatar, User
from accounts.permissions import is_community_manager
from accounts.services import avatar_remove, avatar_set, profile_update
from community.models import (
    DigestFrequency,
    Invitation,
    MemberState,
    Notification,
    Post,
    PostState,
    PurgedSignupDay,
    Reaction,
    ReactionKind,
    Subscription,
    Thread,
)
from community.selectors.members import invitations_active_q
from community.services import visibility
from mailings.lists import NEWSLETTER
from mailings.services import consent_given, consent_record
from moderation import services as moderation
from moderation.permissions import member_can_post
from moderation.screening import screen_text

INVITATION_MAX_USES = 100
INVITATION_MAX_DAYS = 365
INVITATIONS_ACTIVE_MAX = 20
REACTION_COUNTERS = {ReactionKind.LIKE: "like_count", ReactionKind.HELPFUL: "helpful_count"}


def member_state_for(user: AbstractBaseUser) -> MemberState:
    """The member's community state, made with the defaults the first time it is asked for."""
    state, _created = MemberState.objects.get_or_create(user_id=user.pk)
    return state


def member_preferences_update(
    *, actor: User, user: User, email_on_mention: bool, email_on_reply: bool, digest: str
) -> MemberState:
    """Save the member's e-mail and digest preferences (the member themself or a community manager)."""
    if actor.pk != user.pk and not is_community_manager(actor):
        raise PermissionDenied(_("You cannot change another member's preferences."))
    if digest not in DigestFrequency.values:
        raise ValidationError({"digest": _("Choose how often you receive the digest.")})
    with transaction.atomic():
        state = member_state_for(user)
        state.email_on_mention = email_on_mention
        state.email_on_reply = email_on_reply
        state.digest = digest
        state.save(update_fields=["email_on_mention", "email_on_reply", "digest"])
    return state


# The forum's e-mails a member can leave in one click (mailings.lists), and the preference each turns off.
EMAIL_LISTS = {"replies": "email_on_reply", "mentions": "email_on_mention"}


@transaction.atomic
def email_list_leave(*, member_id: int, list_key: str) -> None:
    """The member leaves one of the forum's e-mails (from a message's unsubscribe link)."""
    MemberState.objects.get_or_create(user_id=member_id)
    change = {"digest": DigestFrequency.NEVER} if list_key == "digest" else {EMAIL_LISTS[list_key]: False}
    MemberState.objects.filter(user_id=member_id).update(**change)


def member_settings_update(
    *,
    actor: User,
    user: User,
    display_name: str,
    handle: str,
    bio: str,
    language: str,
    time_zone: str,
    avatar: UploadedFile | None,
    remove_avatar: bool,
    email_on_mention: bool,
    email_on_reply: bool,
    digest: str,
    newsletter: bool | None = None,
) -> None:
    """The settings page in one transaction: profile, picture and preferences are saved all or none.

    A picture Pillow cannot read raises ValidationError and rolls the profile back with it.
    """
    bio = (bio or "").strip()
    screening = None
    if bio and bio != user.bio and not is_community_manager(actor):
        # The bio is the profile's free text: screened like a post (a new member's bio is not held).
        screening = screen_text(text=bio, field_name="bio")
        bio = screening.text
    with transaction.atomic():
        profile_update(
            actor=actor,
            user=user,
            display_name=display_name,
            handle=handle,
            bio=bio,
            language=language,
            time_zone=time_zone,
        )
        if avatar is not None:
            avatar_set(actor=actor, user=user, upload=avatar)
        elif remove_avatar:
            avatar_remove(actor=actor, user=user)
        member_preferences_update(
            actor=actor,
            user=user,
            email_on_mention=email_on_mention,
            email_on_reply=email_on_reply,
            digest=digest,
        )
        if newsletter is not None and newsletter != consent_given(user.pk, NEWSLETTER):
            # Each change of mind is kept, with where it was made (the data export shows them).
            consent_record(member_id=user.pk, list_key=NEWSLETTER, given=newsletter, source="settings")
        if screening is not None:
            held = PostState.PENDING if screening.held else PostState.VISIBLE
            MemberState.objects.filter(pk=user.pk).update(bio_state=held)
            moderation.screening_record(item_type="profile", item_id=user.pk, reasons=screening.reasons)


def member_delete(*, actor: User, user: User, password: str) -> None:
    """Delete the member's account; their threads and posts stay, shown as from a deleted member.

    Locks the member's reactions' posts through the counter UPDATEs, then (their posts' authors set to
    NULL) the threads whose pages change, in that order, as every write to a post then its thread
    does; everything happens in one transaction.
    """
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the member themself can delete their account."))
    if not user.check_password(password):
        raise ValidationError({"password": _("This password is not right.")})
    if is_community_manager(user):
        raise ValidationError(
            _(
                "Community managers cannot delete their account here: "
                "ask the platform owner to take the role away first."
            )
        )
    with transaction.atomic():
        _member_erase(user)


def _member_erase(user: User) -> None:
    """What deleting an account does, whoever asks (the member, or housekeeping for an address never
    confirmed), in the caller's transaction."""
    Avatar.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    Subscription.objects.filter(user=user).delete()
    # Their posts will show as a deleted member's, and their reactions leave the counts.
    thread_ids = visibility.member_thread_ids(user.pk, reacted=True)
    for kind, counter in REACTION_COUNTERS.items():
        given = Reaction.objects.filter(user=user, kind=kind).values("post_id")
        Post.objects.filter(pk__in=given, **{f"{counter}__gt": 0}).update(**{counter: F(counter) - 1})
    Reaction.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Invitation.objects.filter(inviter=user).delete()
    # Cases about their profile keep their record, not the handle and bio they copied.
    moderation.item_snapshot_forget(item_type="profile", item_id=user.pk)
    # Threads, posts and revisions keep their rows with author NULL (on_delete=SET_NULL).
    user.delete()
    visibility.threads_touch(thread_ids)


# Accounts deleted after UNVERIFIED_SIGNUP_DAYS without a confirmed address, per transaction (each
# deletion touches a dozen tables).
UNVERIFIED_PURGE_BATCH = 100


def unverified_signups_q(cutoff: datetime) -> Q:
    """Accounts made by signing up before cutoff whose address was never confirmed: allauth recorded
    an address and none is verified, nobody ever signed in to them (sign-in needs a confirmed address,
    ACCOUNT_EMAIL_VERIFICATION = "mandatory"), they hold no role, and — checked all the same, in case
    that setting changes — they wrote no thread nor post."""
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return (
        Q(date_joined__lt=cutoff, last_login__isnull=True, is_staff=False, is_superuser=False)
        & Q(Exists(addresses))
        & ~Q(Exists(addresses.filter(verified=True)))
        & ~Q(Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"))))
        & ~Q(Exists(Thread.objects.filter(author_id=OuterRef("pk"))))
        & ~Q(Exists(Post.objects.filter(author_id=OuterRef("pk"))))
    )


def unverified_signups_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete the accounts whose address stayed unconfirmed for UNVERIFIED_SIGNUP_DAYS, as a member's
    own deletion does (_member_erase), batch_size accounts per transaction; returns how many went.

    Each batch locks its accounts with SKIP LOCKED (a rerun or a second run finds nothing, or other
    accounts) and counts them per day of joining (PurgedSignupDay), so the sign-up cohorts of the
    reports keep their size.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.UNVERIFIED_SIGNUP_DAYS)
    candidates = User.objects.filter(unverified_signups_q(cutoff))
    size = batch_size or UNVERIFIED_PURGE_BATCH
    zone = timezone.get_default_timezone()
    purged = 0
    while True:
        with transaction.atomic():
            users = list(candidates.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:size])
            if not users:
                return purged
            per_day = Counter(timezone.localdate(user.date_joined, zone) for user in users)
            for user in users:
                _member_erase(user)
            PurgedSignupDay.objects.bulk_create(
                [PurgedSignupDay(day=day) for day in per_day], ignore_conflicts=True
            )
            for day, count in per_day.items():
                PurgedSignupDay.objects.filter(day=day).update(count=F("count") + count)
            purged += len(users)


def _invitation_code() -> str:
    return secrets.token_urlsafe(18)[:24]


def invitation_create(*, actor: User, note: str, max_uses: int, expires_in_days: int | None) -> Invitation:
    """A new invitation link; members who may post and community managers may have 20 active ones."""
    if not (member_can_post(actor) or is_community_manager(actor)):
        raise PermissionDenied(_("Accept the netiquette before you invite people."))
    if not 1 <= max_uses <= INVITATION_MAX_USES:
        raise ValidationError({"max_uses": _("A link can be used from 1 to 100 times.")})
    if expires_in_days is not None and not 1 <= expires_in_days <= INVITATION_MAX_DAYS:
        raise ValidationError({"expires_in_days": _("A link can last from 1 to 365 days.")})
    now = timezone.now()
    with transaction.atomic():
        # Lock the member's row so that two submissions cannot both pass the limit.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        active = invitations_active_q(now)
        if Invitation.objects.filter(active, inviter=actor).count() >= INVITATIONS_ACTIVE_MAX:
            raise ValidationError(_("You already have 20 active links: revoke one before you make another."))
        return Invitation.objects.create(
            code=_invitation_code(),
            inviter=actor,
            note=note.strip(),
            max_uses=max_uses,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    """End a link now: it keeps its history (who came through it) but admits nobody else."""
    if invitation.inviter_id != actor.pk and not is_community_manager(actor):
        raise PermissionDenied(_("This invitation is not yours."))
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    ).update(expires_at=now)


def invitation_redeem(*, user: User, code: str) -> Invitation | None:
    """Attribute a new member to the invitation they came through, if it still has a seat.

    The seat is taken by one conditional UPDATE, so that two sign-ups never share the last one.
    An exhausted, expired or unknown code attributes nothing; the sign-up itself is never refused.
    """
    if not code:
        return None
    now = timezone.now()
    with transaction.atomic():
        taken = (
            Invitation.objects.filter(invitations_active_q(now), code=code)
            .exclude(inviter_id=user.pk)
            .update(use_count=F("use_count") + 1)
        )
        if not taken:
            return None
        invitation = Invitation.objects.get(code=code)
        state = member_state_for(user)
        state.invited_by_id = invitation.inviter_id
        state.invitation = invitation
        state.save(update_fields=["invited_by", "invitation"])
    return invitation
