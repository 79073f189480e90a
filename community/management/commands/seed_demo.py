"""The small demo community that `make run` seeds once (running it again changes nothing)."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, MARKETING
from accounts.services import role_grant
from config.models import SiteBranding
from reporting.services import kpi_rollup

DEMO_PASSWORD = "agora-demo"  # noqa: S105 - printed by `make run`, demo data only
DEMO_PEOPLE = [
    ("member@example.com", "Camille Martin", [], "fr"),
    ("cm@example.com", "Sacha Dubois", [COMMUNITY_MANAGERS], "fr"),
    ("marketing@example.com", "Alex Moreau", [MARKETING], "en"),
    ("ambassador@example.com", "Inès Laurent", [AMBASSADORS], "fr"),
]


class Command(BaseCommand):
    help = "Create the demo community: branding, demo logins for each role, and their KPIs."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        SiteBranding.objects.get_or_create(
            pk=1,
            defaults={
                "name": "Agora",
                "tagline": "La communauté de nos clients et passionnés",
                "welcome": (
                    "Bienvenue ! Posez vos questions, partagez vos astuces et rencontrez "
                    "les autres membres et l'équipe."
                ),
            },
        )
        User = get_user_model()
        superuser = User.objects.filter(is_superuser=True).first() or User(is_superuser=True)
        created = 0
        for index, (email, name, roles, language) in enumerate(DEMO_PEOPLE):
            user = User.objects.filter(email=email).first()
            if user is not None:
                continue
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                language=language,
                date_joined=timezone.now() - timedelta(days=40 - index * 9),
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            for role in roles:
                role_grant(actor=superuser, user=user, role=role)
            created += 1
        today = timezone.localdate()
        kpi_rollup(first_day=today - timedelta(days=60), last_day=today)
        if created:
            self.stdout.write(f"seeded {created} demo account(s); password: {DEMO_PASSWORD}")
