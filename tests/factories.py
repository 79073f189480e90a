"""Factories for the foundation's models. Split per app (tests/factories/…) when this grows."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.services import role_grant

PASSWORD = "a-long-password-for-tests"  # noqa: S105 - test data only


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary e-mail address, so allauth lets them sign in."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    handle = factory.Sequence(lambda n: f"person{n}")
    # English by default so assertions read naturally; French tests set "fr" or "" (follow the browser).
    language = "en"
    password = factory.django.Password(PASSWORD)
    # Seen today: a page's first request of the day records the visit (one more query), not pinned here.
    last_seen_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)

    @factory.post_generation
    def netiquette_accepted(self, create: bool, extracted: bool | None, **kwargs) -> None:
        """Members have accepted the current netiquette, so they may post; pass False for a newcomer."""
        if create and extracted is not False:
            from moderation.models import NetiquetteAcceptance, NetiquetteVersion

            version = NetiquetteVersion.objects.order_by("-number").first()
            if version is not None:
                NetiquetteAcceptance.objects.get_or_create(user=self, version=version)


def platform_owner():
    """An unsaved superuser: the actor that hands out roles in fixtures, as seed_demo does."""
    return get_user_model()(email="owner@example.invalid", is_superuser=True, is_staff=True)


def user_with_role(role: str, **fields):
    user = UserFactory(**fields)
    role_grant(actor=platform_owner(), user=user, role=role)
    return user
