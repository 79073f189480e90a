"""The demo community that `make run` seeds once (running it again changes nothing), and the large one.

python manage.py seed_demo                  # branding, demo logins, a small living community, KPIs
python manage.py seed_demo --scale large    # and ≥ 100k members, 50k threads, 1M posts (COPY)

It seeds every app (and rolls the KPIs up), so it lives at the top, beside the launcher that runs it.
"""

import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.roles import AMBASSADORS, COMMUNITY_MANAGERS, MARKETING
from accounts.services import role_grant
from community.models import Space
from community.seeding.demo import DemoCommunity
from community.seeding.spaces import DEMO_SPACES, LARGE_SPACES, spaces_ensure
from core.models import SiteBranding
from moderation.screening import member_limits_off
from reporting.services import kpi_rollup

DEMO_PASSWORD = "agora-demo"  # noqa: S105 - printed by `make run`, demo data only
DEMO_PEOPLE = [
    ("member", "member@example.com", "Camille Martin", [], "fr"),
    ("cm", "cm@example.com", "Sacha Dubois", [COMMUNITY_MANAGERS], "fr"),
    ("marketing", "marketing@example.com", "Alex Moreau", [MARKETING], "en"),
    ("ambassador", "ambassador@example.com", "Inès Laurent", [AMBASSADORS], "fr"),
]
# The space whose existence means the demo community was created already.
COMMUNITY_GUARD = "entraide"


class Command(BaseCommand):
    help = "Create the demo community: branding, demo logins for each role, a small living forum and KPIs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument("--force", action="store_true", help="Allow --scale large with DEBUG off.")
        parser.add_argument("--members", type=int, default=100_000, help="(--scale large)")
        parser.add_argument("--threads", type=int, default=50_000, help="(--scale large)")
        parser.add_argument("--posts", type=int, default=1_000_000, help="(--scale large)")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed of the large community.")

    def handle(self, *args, **options) -> None:
        if options["scale"] == "large" and not settings.DEBUG and not options["force"]:
            raise CommandError("--scale large writes a million rows: run it with DEBUG on, or add --force.")
        # The demo's members post many messages at once: the limits meant for people typing stay off.
        with member_limits_off():
            people = self.seed_small()
        if options["scale"] == "large":
            # The benchmark's generator (bench/seed_large.py), loaded only for the large community.
            from bench.seed_large import Sizes

            sizes = Sizes(members=options["members"], threads=options["threads"], posts=options["posts"])
            if sizes.members < 10 or sizes.threads < 1 or sizes.posts < sizes.threads:
                raise CommandError("Give at least 10 members, 1 thread and as many posts as threads.")
            self.seed_large(sizes, people, seed=options["seed"])

    @transaction.atomic
    def seed_small(self) -> dict:
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
        people = {}
        for index, (key, email, name, roles, language) in enumerate(DEMO_PEOPLE):
            user = User.objects.filter(email=email).first()
            if user is None:
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
            people[key] = user
        if not Space.objects.filter(slug=COMMUNITY_GUARD).exists():
            written = DemoCommunity(demo_people=people, password=DEMO_PASSWORD).create()
            self.stdout.write(
                f"seeded the demo community: {written['threads']} threads, {written['posts']} posts"
            )
        today = timezone.localdate()
        kpi_rollup(first_day=today - timedelta(days=60), last_day=today)
        if created:
            self.stdout.write(f"seeded {created} demo account(s); password: {DEMO_PASSWORD}")
        return people

    def seed_large(self, sizes, people: dict, *, seed: int) -> None:
        from bench.seed_large import FIRST_EMAIL, HISTORY_DAYS, MEMBER_PASSWORD, LargeSeed

        User = get_user_model()
        if User.objects.filter(email=FIRST_EMAIL).exists():
            self.stdout.write(f"the large community is there already ({FIRST_EMAIL} exists): nothing to do")
            return
        started = time.monotonic()
        with transaction.atomic():
            spaces = spaces_ensure(DEMO_SPACES) | spaces_ensure(LARGE_SPACES, first_order=len(DEMO_SPACES))
        staff_ids = [people["cm"].pk]
        counts = LargeSeed(sizes=sizes, say=self.stdout.write, seed=seed).run(
            spaces=spaces, staff_ids=staff_ids
        )
        # The dashboards' member curve covers the whole history now.
        today = timezone.localdate()
        kpi_rollup(first_day=today - timedelta(days=HISTORY_DAYS + 31), last_day=today)
        summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        self.stdout.write(
            f"large community seeded in {time.monotonic() - started:.0f} s: {summary}; "
            f"members sign in as user<n>@example.com with the password {MEMBER_PASSWORD}"
        )
