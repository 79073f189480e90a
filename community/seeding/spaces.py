"""The demo community's spaces (French, as the community's default language is)."""

from __future__ import annotations

from dataclasses import dataclass

from community.models import Space, Visibility


@dataclass(frozen=True)
class SpaceSpec:
    slug: str
    name: str
    icon: str
    colour: str
    description: str
    objective: str
    visibility: str = Visibility.PUBLIC
    is_introductions: bool = False


DEMO_SPACES = [
    SpaceSpec(
        "annonces", "Annonces", "📣", "#dc2626",
        "Nouveautés, mises à jour et vie de la communauté.",
        "Les annonces officielles de l'équipe : nouvelles versions, maintenances, rendez-vous. "
        "Commentez-les ici pour poser vos questions.",
    ),
    SpaceSpec(
        "entraide", "Entraide et questions", "🙋", "#2563eb",
        "Une question sur un produit ? Les membres et l'équipe vous répondent.",
        "Posez une question par sujet, avec votre modèle et ce que vous avez déjà essayé. "
        "Quand une réponse vous a aidé, marquez-la comme meilleure réponse.",
    ),
    SpaceSpec(
        "idees", "Idées et suggestions", "💡", "#ca8a04",
        "Proposez et discutez des améliorations.",
        "Une idée par sujet : décrivez le besoin avant la solution. L'équipe produit lit tout et "
        "répond aux idées les plus soutenues.",
    ),
    SpaceSpec(
        "astuces", "Astuces", "🛠", "#059669",
        "Réglages, automatisations et bonnes pratiques partagés par les membres.",
        "Partagez ce qui marche chez vous, pas à pas, pour que d'autres puissent le refaire.",
    ),
    SpaceSpec(
        "evenements", "Événements", "📅", "#7c3aed",
        "Webinaires, rencontres et ateliers.",
        "Les rendez-vous en ligne et près de chez vous : inscrivez-vous, posez vos questions avant, "
        "partagez vos impressions après.",
    ),
    SpaceSpec(
        "presentations", "Présentations", "👋", "#db2777",
        "Nouveau ou nouvelle ? Présentez-vous !",
        "Dites-nous qui vous êtes, ce que vous avez installé et ce que vous attendez de la communauté. "
        "L'équipe et les ambassadeurs passent dire bonjour à chaque nouveau membre.",
        is_introductions=True,
    ),
    SpaceSpec(
        "ambassadeurs", "Coin des ambassadeurs", "⭐", "#0891b2",
        "L'espace des membres relais.",
        "Réservé aux membres connectés : coordonnez l'accueil des nouveaux, préparez les rencontres "
        "et remontez à l'équipe ce que vous entendez.",
        visibility=Visibility.MEMBERS,
    ),
    SpaceSpec(
        "equipe", "Équipe", "🔒", "#475569",
        "Coulisses de l'équipe d'animation.",
        "Réservé aux gestionnaires de communauté : planning d'animation, sujets à lancer, suivi de la "
        "modération.",
        visibility=Visibility.STAFF,
    ),
]  # fmt: skip

LARGE_SPACES = [
    SpaceSpec(
        "support-technique", "Support technique", "🔧", "#ea580c",
        "Pannes, erreurs et diagnostics.",
        "Décrivez le symptôme, le modèle, la version du firmware et joignez les messages d'erreur.",
    ),
    SpaceSpec(
        "cafe", "Le café", "☕", "#92400e",
        "Hors-sujet et discussions libres.",
        "On parle de tout, dans le respect de la netiquette.",
    ),
    SpaceSpec(
        "english-corner", "English corner", "🌍", "#0d9488",
        "For members who prefer to write in English.",
        "Ask and answer in English; the team replies here too.",
    ),
]  # fmt: skip


def spaces_ensure(specs: list[SpaceSpec], *, first_order: int = 0) -> dict[str, Space]:
    """Create the spaces that do not exist yet (by slug); existing ones are left as they are."""
    spaces = {}
    for index, spec in enumerate(specs):
        spaces[spec.slug], _ = Space.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "icon": spec.icon,
                "colour": spec.colour,
                "description": spec.description,
                "objective": spec.objective,
                "visibility": spec.visibility,
                "is_introductions": spec.is_introductions,
                "order": (first_order + index) * 10,
            },
        )
    return spaces
