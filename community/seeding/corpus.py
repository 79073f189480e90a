"""Sentence fragments that demo posts are assembled from, in French and English.

The community is that of a maker of connected home devices (thermostat, sensors, plugs, a mobile app), so
that search meets real vocabulary. Fragments hold no Markdown syntax: a post made of them renders to plain
paragraphs, which lets the large seed build each post's HTML from the fragments' HTML, rendered once.
Markdown extras (lists, links, bold, code) are whole snippets, each rendered once as well.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

from community.text import render_markdown

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Alice", "Lina", "Zoé", "Sarah",
    "Juliette", "Anaïs", "Margaux", "Clara", "Mathilde", "Élodie", "Aurélie", "Nadia", "Fatima", "Yasmine",
    "Sophie", "Isabelle", "Nathalie", "Hélène", "Claire", "Agathe", "Maëlle", "Océane", "Lucas", "Hugo",
    "Louis", "Gabriel", "Arthur", "Jules", "Adam", "Raphaël", "Nathan", "Théo", "Tom", "Paul", "Maxime",
    "Antoine", "Julien", "Nicolas", "Thomas", "Pierre", "Mehdi", "Karim", "Youssef", "Olivier", "Sébastien",
    "François", "Étienne", "Benoît", "Rémi", "Loïc", "Yann", "Gaël", "Sacha", "Alex", "Morgan", "Noa",
    "Emily", "James", "Olivia", "Liam", "Sofia", "Marco", "Anna", "Lukas", "Priya", "Kenji",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Benali", "Haddad", "Le Goff", "Kerouac", "Smith", "Brown", "Rossi", "Schmidt", "Silva", "Tanaka",
]  # fmt: skip

FR_OPENERS = [
    "Bonjour à tous,", "Salut la communauté,", "Bonsoir,", "Merci pour vos retours,", "De mon côté,",
    "Petite question :", "Pour info,", "Franchement,", "Je confirme,", "Même souci ici :", "Bonne nouvelle,",
    "Après plusieurs essais,", "Depuis la dernière mise à jour,", "Chez moi,", "Pour compléter,",
    "Si ça peut aider,", "Je me permets de relancer :", "Honnêtement,", "Au passage,", "Bon,", "Alors,",
    "En fait,", "Pour être précis,", "Je rebondis sur ce message :", "Autre piste :", "Hier soir,",
    "Ce matin,", "Dans mon cas,", "Comme dit plus haut,", "Petite astuce :", "Attention,", "Bien vu,",
    "Résultat des courses :", "Pour les nouveaux,", "Merci beaucoup,", "Perso,", "Je ne suis pas expert mais",
    "D'après le support,", "Si je comprends bien,", "Au final,",
]  # fmt: skip
FR_CORES = [
    "le thermostat perd la connexion Wi-Fi après chaque mise à jour",
    "l'application plante quand j'ouvre l'historique de consommation",
    "la batterie du capteur de fenêtre tient à peine deux mois",
    "le mode absence ne se déclenche plus automatiquement",
    "la prise connectée affiche une consommation bizarre la nuit",
    "j'ai réinitialisé le boîtier et tout est reparti",
    "le firmware 4.2 règle enfin le problème de décalage de température",
    "la programmation hebdomadaire est beaucoup plus simple depuis la nouvelle interface",
    "le support m'a répondu en moins de deux heures",
    "le colis est arrivé avec un jour de retard mais en bon état",
    "le capteur de température du salon indique deux degrés de trop",
    "l'installation m'a pris vingt minutes avec le guide vidéo",
    "la chaudière ne répond plus aux commandes du thermostat",
    "les notifications arrivent en double sur mon téléphone",
    "le widget de l'écran d'accueil ne se met pas à jour",
    "le partage d'accès avec ma famille fonctionne très bien",
    "l'assistant vocal comprend mal les noms des pièces",
    "la facture d'électricité a baissé d'environ quinze pour cent cet hiver",
    "le réglage de l'hystérésis change vraiment le confort",
    "il faut redémarrer la box internet avant d'appairer le pont",
    "la géolocalisation coupe le chauffage trop tôt quand je pars",
    "le boîtier clignote en orange depuis ce matin",
    "le rapport mensuel compare bien les pièces entre elles",
    "la vanne thermostatique fait un petit bruit à chaque ajustement",
    "l'abonnement premium donne accès aux statistiques détaillées",
    "le mode éco est activé par défaut sur les nouveaux appareils",
    "la garantie couvre le remplacement du capteur défectueux",
    "l'écran du thermostat reste allumé toute la nuit",
    "la détection de fenêtre ouverte coupe le radiateur en quelques minutes",
    "les plannings se désynchronisent quand on change d'heure",
    "l'export des données en CSV marche depuis la version web",
    "le pont Zigbee a besoin d'être placé plus près des capteurs",
    "j'ai ouvert un ticket au service client avec les journaux",
    "la température de consigne remonte toute seule à vingt et un degrés",
    "la documentation en ligne explique bien le câblage",
    "le mode vacances se programme directement depuis le calendrier",
    "l'application demande de se reconnecter tous les matins",
    "l'intégration avec Home Assistant fonctionne avec le jeton d'accès",
    "les radiateurs électriques sont mieux gérés avec le fil pilote",
    "la mise à jour s'est bloquée à quatre-vingts pour cent",
    "les capteurs de la chambre remontent l'humidité toutes les dix minutes",
    "le tableau de bord de consommation est enfin lisible",
    "la livraison en point relais est plus rapide que prévu",
    "le thermostat apprend mes horaires au bout d'une semaine environ",
    "il y a un conflit entre deux plannings sur la même pièce",
    "le voyant reste rouge même après avoir changé les piles",
    "le bouton physique permet de forcer le chauffage pendant une heure",
    "le service client propose un échange standard sous garantie",
    "le nouveau design de l'application divise un peu la communauté",
    "les statistiques de la semaine dernière ont disparu",
    "le mode confort plus consomme nettement plus que prévu",
    "j'ai collé un adhésif double face pour fixer le capteur",
    "l'appairage échoue tant que le Bluetooth est désactivé",
    "la maison reste fraîche le matin malgré la programmation",
    "le délai de réponse du thermostat est passé à quelques secondes",
    "l'option anti-gel protège la maison secondaire tout l'hiver",
    "la tablette murale sert désormais de tableau de bord familial",
    "le capteur de qualité de l'air signale trop de CO2 dans le bureau",
    "on peut renommer les pièces depuis les réglages avancés",
    "l'historique garde les données pendant deux ans",
    "le prix de la version deux a augmenté de vingt euros",
    "la compatibilité avec les pompes à chaleur est annoncée pour le printemps",
    "les ambassadeurs organisent une rencontre à Lyon le mois prochain",
    "le webinaire de jeudi détaillait la feuille de route",
    "la traduction de l'application contient encore quelques coquilles",
    "le mode silencieux coupe les bips de confirmation",
    "la sonde extérieure améliore beaucoup l'anticipation",
    "j'ai suivi le tutoriel pas à pas sans aucun souci",
    "la connexion revient dès que je change le canal du routeur",
    "mes voisins ont le même modèle et aucun problème",
]  # fmt: skip
FR_CLOSERS = [
    "quelqu'un a une idée ?", "merci d'avance.", "je vous tiens au courant.", "c'est normal ?",
    "vous avez le même comportement ?", "bref, je suis ravi.", "à suivre.", "ça vaut le coup.",
    "je recommande.", "c'est assez frustrant.", "j'attends la prochaine version.", "une piste ?",
    "merci à l'équipe !", "ça m'a sauvé la semaine.", "je ne sais plus quoi tester.", "top !",
    "et vous, comment faites-vous ?", "je partage au cas où.", "il faudrait le signaler.",
    "c'est réglé de mon côté.", "je vais tester ce soir.", "voilà pour mon retour.",
    "j'espère que ça aidera.", "rien de grave.", "on verra avec le temps.", "c'est bluffant.",
    "je passe le sujet en résolu ?", "ça mériterait un tutoriel.", "je croise les doigts.",
    "pas de panique.",
]  # fmt: skip

EN_OPENERS = [
    "Hi everyone,", "Thanks for the replies,", "On my side,", "Quick question:", "For what it's worth,",
    "Honestly,", "Same here:", "Good news,", "After a few tries,", "Since the last update,", "At home,",
    "To add to this,", "In case it helps,", "Bumping this:", "By the way,", "Actually,", "To be precise,",
    "Another idea:", "Last night,", "This morning,", "In my case,", "As said above,", "Pro tip:",
    "Heads up,", "Nice catch,",
]  # fmt: skip
EN_CORES = [
    "the thermostat drops the Wi-Fi connection after every update",
    "the app crashes when I open the energy history",
    "the window sensor battery barely lasts two months",
    "away mode no longer kicks in automatically",
    "the smart plug reports strange consumption at night",
    "I reset the hub and everything came back",
    "firmware 4.2 finally fixes the temperature offset",
    "the weekly schedule is much easier with the new interface",
    "support answered in less than two hours",
    "the parcel arrived a day late but in good shape",
    "the living room sensor reads two degrees too high",
    "installation took twenty minutes with the video guide",
    "the boiler stopped responding to the thermostat",
    "notifications arrive twice on my phone",
    "the home screen widget does not refresh",
    "sharing access with my family works really well",
    "the voice assistant misunderstands room names",
    "my electricity bill dropped about fifteen percent this winter",
    "the pairing fails while Bluetooth is off",
    "the Zigbee bridge needs to be closer to the sensors",
    "the Home Assistant integration works with an access token",
    "the update got stuck at eighty percent",
    "the open window detection turns the radiator off within minutes",
    "schedules get out of sync when the clocks change",
    "the CSV export works from the web version",
    "the premium plan unlocks detailed statistics",
    "the warranty covers replacing the faulty sensor",
    "the outdoor probe makes the heating anticipate much better",
    "the heat pump compatibility is announced for spring",
    "I followed the tutorial step by step without any trouble",
    "the connection comes back as soon as I change the router channel",
    "the new app design splits the community a bit",
    "the air quality sensor flags too much CO2 in the office",
    "holiday mode can be set straight from the calendar",
    "the setpoint climbs back to twenty one degrees on its own",
]  # fmt: skip
EN_CLOSERS = [
    "any idea?", "thanks in advance.", "I will keep you posted.", "is that expected?",
    "do you see the same thing?", "anyway, I am happy with it.", "worth it.", "I recommend it.",
    "quite frustrating.", "waiting for the next release.", "thanks to the team!", "saved my week.",
    "how do you handle it?", "sharing in case it helps.", "should be reported.", "fixed on my side.",
    "will test tonight.", "hope this helps.", "nothing serious.", "fingers crossed.",
]  # fmt: skip

FR_TOPICS = [
    "le thermostat", "l'application mobile", "le capteur de fenêtre", "la prise connectée", "le mode absence",
    "la programmation", "le firmware 4.2", "la géolocalisation", "le pont Zigbee", "la vanne thermostatique",
    "le mode éco", "la sonde extérieure", "l'abonnement premium", "la garantie", "la livraison",
    "Home Assistant", "le fil pilote", "la pompe à chaleur", "le widget", "les notifications",
    "l'historique de consommation", "le capteur de qualité de l'air", "l'assistant vocal", "le mode vacances",
    "l'export CSV", "la batterie", "le Wi-Fi", "le boîtier", "les plannings", "le changement d'heure",
]  # fmt: skip
FR_TITLES = [
    "Problème avec {t}", "Question sur {t}", "{T} : vos retours ?", "Comment régler {t} ?",
    "{T} ne fonctionne plus", "Astuce pour {t}", "{T} après la mise à jour", "Besoin d'aide pour {t}",
    "Retour d'expérience : {t}", "Idée d'amélioration pour {t}", "{T} : bug ou réglage ?",
    "Quelqu'un a testé {t} ?", "{T} et la facture d'électricité", "Mon installation : {t}",
    "Tutoriel : {t} pas à pas", "{T}, ça vaut le coup ?",
]  # fmt: skip
EN_TOPICS = [
    "the thermostat", "the mobile app", "the window sensor", "the smart plug", "away mode", "schedules",
    "firmware 4.2", "geofencing", "the Zigbee bridge", "eco mode", "the outdoor probe", "the premium plan",
    "Home Assistant", "the heat pump", "notifications", "the energy history", "the battery", "Wi-Fi",
]  # fmt: skip
EN_TITLES = [
    "Problem with {t}", "Question about {t}", "{T}: your feedback?", "How to set up {t}?",
    "{T} stopped working", "Tip for {t}", "{T} after the update", "Need help with {t}",
    "Feature request for {t}", "Has anyone tried {t}?",
]  # fmt: skip

FR_SNIPPETS = [
    "Ce que j'ai essayé :\n\n- redémarrer le thermostat\n- réinitialiser le Wi-Fi\n"
    "- réinstaller l'application",
    "Les étapes qui marchent chez moi :\n\n1. couper le disjoncteur\n2. attendre trente secondes\n"
    "3. rallumer",
    "**Important :** pensez à noter votre code d'appairage avant de réinitialiser.",
    "La procédure officielle est ici : [guide d'installation](https://example.com/aide/installation).",
    "Voici ma règle d'automatisation :\n\n```yaml\ntrigger: fenetre_ouverte\naction: chauffage_off\n```",
    "Mes réglages actuels :\n\n- consigne jour : **20 °C**\n- consigne nuit : **17 °C**\n- hystérésis : 0,3",
    "Le journal affiche ceci :\n\n```\nERR 42: handshake timeout\nretry in 30 s\n```",
    "Plus d'infos dans la [FAQ](https://example.com/aide/faq) et sur le [blog](https://example.com/blog).",
    "> Le firmware 4.2 corrige le décalage de température.\n\nJe confirme, c'est *nettement* mieux.",
    "Pour résumer :\n\n- ~~ancien planning~~ supprimé\n- nouveau planning **actif**\n- tout est synchronisé",
]  # fmt: skip
EN_SNIPPETS = [
    "What I tried:\n\n- restart the thermostat\n- reset Wi-Fi\n- reinstall the app",
    "**Important:** write down your pairing code before resetting.",
    "The official guide is here: [installation guide](https://example.com/help/installation).",
    "My automation rule:\n\n```yaml\ntrigger: window_open\naction: heating_off\n```",
    "The log says:\n\n```\nERR 42: handshake timeout\nretry in 30 s\n```",
]  # fmt: skip


def _inline_html(text: str) -> str:
    """A fragment's HTML as a paragraph would hold it (render_markdown without the <p> wrapper)."""
    html = render_markdown(text)
    if not (html.startswith("<p>") and html.endswith("</p>\n")):
        raise ValueError(f"fragment is not plain inline text: {text!r}")
    return html[3:-5]


@dataclass(frozen=True)
class Text:
    """A post's Markdown source and the HTML that render_markdown gives for it."""

    md: str
    html: str


class Corpus:
    """Assembles posts and titles from fragments whose HTML is rendered once, then reused."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    @cached_property
    def _fragments(self) -> dict[str, tuple[list[tuple[str, str]], ...]]:
        def pairs(items: list[str]) -> list[tuple[str, str]]:
            return [(item, _inline_html(item)) for item in items]

        def capitalised(items: list[str]) -> list[tuple[str, str]]:
            return pairs([item[0].upper() + item[1:] for item in items])

        return {
            "fr": (pairs(FR_OPENERS), pairs(FR_CORES), capitalised(FR_CORES), pairs(FR_CLOSERS)),
            "en": (pairs(EN_OPENERS), pairs(EN_CORES), capitalised(EN_CORES), pairs(EN_CLOSERS)),
        }

    @cached_property
    def _snippets(self) -> dict[str, list[tuple[str, str]]]:
        return {
            "fr": [(md, render_markdown(md)) for md in FR_SNIPPETS],
            "en": [(md, render_markdown(md)) for md in EN_SNIPPETS],
        }

    def _sentence(self, language: str) -> tuple[str, str]:
        openers, cores, cores_capitalised, closers = self._fragments[language]
        rng = self.rng
        if rng.random() < 0.45:
            opener_md, opener_html = rng.choice(openers)
            core_md, core_html = rng.choice(cores)
            md, html = f"{opener_md} {core_md}", f"{opener_html} {core_html}"
        else:
            md, html = rng.choice(cores_capitalised)
        if rng.random() < 0.5:
            closer_md, closer_html = rng.choice(closers)
            return f"{md}, {closer_md}", f"{html}, {closer_html}"
        return f"{md}.", f"{html}."

    def post(self, language: str, *, snippet_rate: float = 0.1) -> Text:
        rng = self.rng
        paragraphs_md, paragraphs_html = [], []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            sentences = [self._sentence(language) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
            paragraphs_md.append(" ".join(md for md, _ in sentences))
            paragraphs_html.append("<p>" + " ".join(html for _, html in sentences) + "</p>\n")
        if rng.random() < snippet_rate:
            md, html = rng.choice(self._snippets[language])
            paragraphs_md.append(md)
            paragraphs_html.append(html)
        return Text("\n\n".join(paragraphs_md), "".join(paragraphs_html))

    def title(self, language: str) -> str:
        topics, patterns = (FR_TOPICS, FR_TITLES) if language == "fr" else (EN_TOPICS, EN_TITLES)
        topic = self.rng.choice(topics)
        return self.rng.choice(patterns).format(t=topic, T=topic[0].upper() + topic[1:])

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)


FR_INTRODUCTIONS = [
    "Bonjour à tous ! Je viens d'équiper mon appartement avec le thermostat et deux capteurs de fenêtre.",
    "Salut ! Propriétaire d'une maison des années soixante-dix, je veux réduire ma facture de chauffage.",
    "Bonjour, je suis installateur chauffagiste et je conseille vos produits à mes clients depuis un an.",
    "Hello, nouvelle venue ici : j'ai reçu le kit de démarrage en cadeau et je découvre tout.",
    "Bonjour la communauté, passionné de domotique, j'ai tout branché sur Home Assistant.",
    "Bonsoir, je vis dans une petite maison en Bretagne et le mode absence m'intéresse beaucoup.",
]  # fmt: skip
EN_INTRODUCTIONS = [
    "Hi all! I just fitted my flat with the thermostat and two window sensors.",
    "Hello, home automation nerd here, everything runs through Home Assistant.",
]
FR_WELCOMES = [
    "Bienvenue parmi nous ! N'hésitez pas à poser vos questions dans Entraide.",
    "Bienvenue ! Le guide de démarrage dans Astuces devrait vous plaire.",
    "Ravi de vous lire, bienvenue dans la communauté !",
    "Bienvenue ! Vous êtes au bon endroit pour faire baisser la facture.",
]
EN_WELCOMES = [
    "Welcome aboard! Feel free to ask anything in the help space.",
    "Welcome, glad to have you here!",
]


def introduction(rng: random.Random, language: str) -> Text:
    texts = FR_INTRODUCTIONS if language == "fr" else EN_INTRODUCTIONS
    return _plain(rng.choice(texts))


def welcome(rng: random.Random, language: str) -> Text:
    return _plain(rng.choice(FR_WELCOMES if language == "fr" else EN_WELCOMES))


_PLAIN: dict[str, Text] = {}


def _plain(md: str) -> Text:
    if md not in _PLAIN:
        _PLAIN[md] = Text(md, render_markdown(md))
    return _PLAIN[md]
