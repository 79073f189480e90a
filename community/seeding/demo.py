"""The small living demo community that `seed_demo` creates once, through the forum services.

Everything is written by the services (so counters, positions and first-post marks are theirs), then
backdated over the last weeks so that the community looks lived in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from community.models import MemberState, Post, Space, Thread, Visibility
from community.seeding import corpus
from community.seeding.spaces import DEMO_SPACES, spaces_ensure
from community.services import forum
from moderation.selectors import netiquette_accepted

# Members who bring the demo to life (they can sign in with the demo password too).
VOICES = {
    "lea": ("lea.bernard@example.com", "Léa Bernard", "fr"),
    "karim": ("karim.haddad@example.com", "Karim Haddad", "fr"),
    "julien": ("julien.roux@example.com", "Julien Roux", "fr"),
    "nadia": ("nadia.benali@example.com", "Nadia Benali", "fr"),
    "tom": ("tom.legrand@example.com", "Tom Legrand", "fr"),
    "emily": ("emily.brown@example.com", "Emily Brown", "en"),
    "helene": ("helene.faure@example.com", "Hélène Faure", "fr"),
    "yann": ("yann.le.goff@example.com", "Yann Le Goff", "fr"),
}


@dataclass
class Topic:
    space: str
    author: str
    days_ago: float
    title: str
    body: str
    replies: list[tuple[str, str]] = field(default_factory=list)
    extra_replies: int = 0  # replies assembled from the corpus, after the written ones
    pinned: bool = False
    featured: bool = False
    solution: int | None = None  # index of the reply that answered it
    language: str = "fr"


TOPICS = [
    Topic(
        "annonces", "cm", 38, "Bienvenue dans la communauté !",
        "Bonjour à toutes et à tous,\n\nCette communauté est **la vôtre** : posez vos questions, partagez "
        "vos astuces et vos idées.\n\nPour bien démarrer :\n\n1. lisez la netiquette ;\n2. présentez-vous "
        "dans l'espace **Présentations** ;\n3. répondez à un membre : c'est comme ça qu'on apprend tous.\n\n"
        "À très vite !",
        [("lea", "Merci pour l'accueil, hâte de découvrir tout ça !"),
         ("karim", "Super initiative, il manquait un endroit pour échanger entre utilisateurs.")],
        extra_replies=3, pinned=True,
    ),
    Topic(
        "annonces", "cm", 12, "Firmware 4.2 disponible : ce qui change",
        "La version **4.2** du firmware est en cours de déploiement.\n\nAu programme :\n\n- correction du "
        "décalage de température sur les capteurs de salon ;\n- mode absence plus rapide à se déclencher ;\n"
        "- nouvelle option *anti-gel* pour les résidences secondaires.\n\nLes notes complètes sont sur "
        "[notre blog](https://example.com/blog/firmware-4-2).",
        [("julien", "Installé ce matin, le décalage de deux degrés a disparu chez moi."),
         ("nadia", "Toujours pas reçue, c'est normal ?"),
         ("cm", "@nadia.benali le déploiement se fait par vagues sur une semaine, pas d'inquiétude.")],
        extra_replies=6,
    ),
    Topic(
        "entraide", "lea", 30, "Le thermostat perd le Wi-Fi toutes les nuits",
        "Bonjour,\n\nDepuis une semaine mon thermostat se déconnecte vers 3 h du matin et ne se reconnecte "
        "qu'au redémarrage.\n\nCe que j'ai essayé :\n\n- redémarrer la box ;\n- rapprocher le pont ;\n"
        "- réinstaller l'application.\n\nUne idée ?",
        [("karim", "Votre box change peut-être de canal Wi-Fi la nuit. Essayez de fixer le canal sur 1, 6 "
                   "ou 11 dans l'interface de la box."),
         ("lea", "C'était ça ! Canal fixé sur 6, aucune coupure depuis trois nuits. Merci !"),
         ("ambassador", "Bien vu Karim, je note l'astuce pour la FAQ.")],
        extra_replies=2, solution=0,
    ),
    Topic(
        "entraide", "tom", 21, "Compatibilité avec une pompe à chaleur ?",
        "Quelqu'un a réussi à piloter une pompe à chaleur air-eau avec le thermostat ? Le guide ne parle "
        "que des chaudières.",
        [("julien", "Oui, avec le contact sec c'est possible, mais on perd la modulation."),
         ("cm", "La compatibilité complète est prévue pour le printemps : je vous tiens au courant ici."),
         ("tom", "Merci, j'attendrai la version officielle alors.")],
        extra_replies=3, solution=1,
    ),
    Topic(
        "entraide", "emily", 16, "Away mode does not trigger",
        "Hi everyone,\n\nAway mode never kicks in when I leave home, even with location enabled on my "
        "phone. Am I missing a setting?",
        [("yann", "Check that the app is allowed to use location *all the time*, not only while in use."),
         ("emily", "That was it, thanks a lot!")],
        solution=0, language="en",
    ),
    Topic(
        "entraide", "nadia", 9, "Capteur de fenêtre : autonomie très faible",
        "Mes capteurs de fenêtre vident leurs piles en deux mois. Normal ?",
        [("helene", "Pas normal, chez moi ça tient un an. Vérifiez la distance avec le pont."),
         ("karim", "Et la marque des piles : les premiers prix tiennent beaucoup moins.")],
        extra_replies=3,
    ),
    Topic(
        "entraide", "yann", 4, "Intégration Home Assistant : jeton refusé",
        "J'ai suivi la doc mais Home Assistant me renvoie une erreur :\n\n```\n401 Unauthorized: invalid "
        "token\n```\n\nLe jeton a été généré il y a cinq minutes.",
        [("julien", "Le jeton doit être collé **sans** le préfixe `Bearer`, l'intégration l'ajoute déjà.")],
        extra_replies=2,
    ),
    Topic(
        "entraide", "karim", 1, "Plannings décalés après le changement d'heure",
        "Depuis dimanche tous mes plannings ont une heure de décalage. Vous aussi ?",
        extra_replies=4,
    ),
    Topic(
        "idees", "julien", 27, "Un mode « télétravail » dans les plannings",
        "Je télétravaille deux jours par semaine : ce serait pratique d'avoir un profil **télétravail** à "
        "activer en un clic, qui chauffe le bureau en journée.\n\nQui serait intéressé ?",
        [("lea", "Oui ! Je bricole ça avec des exceptions au planning, c'est pénible."),
         ("tom", "+1, et idéalement relié au calendrier."),
         ("cm", "Idée transmise à l'équipe produit, merci. Continuez à commenter vos usages.")],
        extra_replies=5, featured=True,
    ),
    Topic(
        "idees", "helene", 18, "Afficher la consommation en euros",
        "Les kWh c'est bien, mais une estimation en euros parlerait à toute la famille.",
        [("nadia", "Avec le tarif saisi par l'utilisateur, sinon ce sera faux."),
         ("yann", "Et l'option heures creuses / heures pleines.")],
        extra_replies=3,
    ),
    Topic(
        "idees", "emily", 6, "English translation of the help pages",
        "Some help pages are only in French. Could they be translated?",
        [("cm", "Good point, we are translating the most read pages first.")],
        language="en",
    ),
    Topic(
        "astuces", "karim", 25, "Mes réglages pour une maison mal isolée",
        "Après deux hivers, voici ce qui marche chez moi :\n\n- consigne jour : **19,5 °C** ;\n- consigne "
        "nuit : **17 °C** ;\n- anticipation activée avec la sonde extérieure ;\n- hystérésis à 0,3.\n\n"
        "La facture a baissé d'environ 15 %.",
        [("lea", "Merci, je teste l'hystérésis à 0,3 ce soir."),
         ("ambassador", "Excellent partage, je l'épingle dans le guide des bonnes pratiques.")],
        extra_replies=4, pinned=True,
    ),
    Topic(
        "astuces", "yann", 14, "Automatisation : couper le chauffage quand une fenêtre s'ouvre",
        "Ma règle dans Home Assistant :\n\n```yaml\ntrigger: fenetre_ouverte\ncondition: dehors_sous_15\n"
        "action: chauffage_off\n```\n\nLe chauffage repart dix minutes après la fermeture.",
        [("helene", "Très propre, merci pour le partage !")],
        extra_replies=3,
    ),
    Topic(
        "astuces", "helene", 8, "Fixer les capteurs sans percer",
        "Un adhésif double face de qualité suffit, même sur du PVC. Nettoyez à l'alcool avant.",
        extra_replies=3,
    ),
    Topic(
        "evenements", "cm", 20, "Webinaire : bien programmer son chauffage pour l'hiver",
        "Rendez-vous **jeudi à 18 h 30** pour un webinaire de 45 minutes avec l'équipe produit.\n\n"
        "Posez vos questions ici à l'avance, nous y répondrons en direct.",
        [("tom", "Est-ce qu'il y aura un replay ?"),
         ("cm", "Oui, le replay sera publié ici le lendemain."),
         ("lea", "Merci pour le webinaire, très clair !")],
        extra_replies=5, featured=True,
    ),
    Topic(
        "evenements", "ambassador", 10, "Rencontre à Lyon le mois prochain",
        "Les ambassadeurs organisent un apéro-rencontre à Lyon. Qui viendrait ?",
        [("julien", "Présent !"), ("nadia", "Je viens avec une amie qui hésite à s'équiper.")],
        extra_replies=2,
    ),
    Topic(
        "presentations", "lea", 35, "Bonjour, je suis Léa !",
        "Bonjour à tous ! J'habite une maison des années 70 près de Nantes et j'ai installé le thermostat "
        "cet automne. J'attends surtout des astuces pour réduire la facture.",
        [("ambassador", "Bienvenue Léa ! L'espace Astuces devrait vous plaire.")],
    ),
    Topic(
        "presentations", "tom", 22, "Salut la communauté",
        "Tom, 34 ans, passionné de domotique. Je viens pour la pompe à chaleur et je reste pour l'ambiance.",
        [("karim", "Bienvenue Tom !")],
    ),
    Topic(
        "presentations", "emily", 17, "Hello from Emily",
        "Hi all! I moved to France last year and I am setting up my first smart thermostat. My French is "
        "improving, but I may write in English sometimes.",
        [("cm", "Welcome Emily! Feel free to write in English, many members read it.")],
        language="en",
    ),
    Topic(
        "ambassadeurs", "ambassador", 15, "Planning d'accueil des nouveaux",
        "Je propose qu'on se répartisse l'accueil des nouveaux par jour :\n\n- lundi et mardi : "
        "moi ;\n- mercredi et jeudi : Karim ;\n- vendredi : Hélène.",
        [("karim", "Ça me va."), ("helene", "Parfait pour moi.")],
    ),
    Topic(
        "ambassadeurs", "karim", 5, "Questions qui reviennent souvent",
        "On pourrait lister ici les questions les plus fréquentes pour enrichir la FAQ.",
        extra_replies=3,
    ),
    Topic(
        "equipe", "cm", 13, "Sujets à lancer ce mois-ci",
        "Idées de sujets pour relancer la discussion :\n\n1. vos réglages d'hiver ;\n2. un concours photo "
        "de vos installations ;\n3. un questionnaire de satisfaction.\n\nRelire la [charte d'animation]"
        "(https://example.com/interne/animation) avant de publier.",
        [("cm", "Le concours photo part lundi.")],
    ),
    Topic(
        "astuces", "nadia", 3, "Vos applications préférées pour suivre la consommation",
        "En dehors de l'application officielle, vous utilisez quoi pour suivre votre consommation ?",
        extra_replies=4,
    ),
    Topic(
        "idees", "tom", 2, "Un widget pour montre connectée",
        "Voir la température et changer la consigne depuis ma montre, ce serait top.",
        extra_replies=3,
    ),
]  # fmt: skip
INTRODUCTION_DAYS_AGO = 3
INTRODUCTION = (
    "Bonjour à toutes et à tous !\n\nJe m'appelle Camille, j'habite à Lyon dans un appartement ancien. "
    "J'ai installé le thermostat et deux capteurs le mois dernier.\n\n**Ce que j'attends de la "
    "communauté :** des astuces pour bien programmer le chauffage, et rencontrer d'autres utilisateurs."
)


def _accept_netiquette(user: User) -> None:
    """Authors accept the netiquette first, as every member does before posting."""
    if netiquette_accepted(user):
        return
    try:
        from moderation.services import netiquette_accept
    except ImportError:  # the netiquette services are not on this branch yet
        return
    netiquette_accept(actor=user)


def _voice(key: str, people: dict[str, User], password: str) -> User:
    if key in people:
        return people[key]
    email, name, language = VOICES[key]
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, display_name=name, language=language)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    people[key] = user
    return user


class DemoCommunity:
    def __init__(self, *, demo_people: dict[str, User], password: str, seed: int = 7) -> None:
        self.people = dict(demo_people)
        self.password = password
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.corpus = corpus.Corpus(self.rng)
        self.now = timezone.now()
        self.timeline: list[tuple[Post, object]] = []

    def person(self, key: str) -> User:
        user = _voice(key, self.people, self.password)
        _accept_netiquette(user)
        return user

    def create(self) -> dict[str, int]:
        """Create the spaces and their threads; return how many threads and posts were written."""
        spaces = spaces_ensure(DEMO_SPACES)
        threads = posts = 0
        # Oldest first, so that the services' first-post marks follow the story's order.
        steps = [(topic.days_ago, topic) for topic in TOPICS] + [(INTRODUCTION_DAYS_AGO, None)]
        for _days_ago, topic in sorted(steps, key=lambda step: -step[0]):
            written = self._introduction(spaces) if topic is None else self._topic(topic, spaces[topic.space])
            threads += 1
            posts += written
        self._backdate()
        return {"threads": threads, "posts": posts}

    def _topic(self, topic: Topic, space: Space) -> int:
        author = self.person(topic.author)
        at = self.now - timedelta(days=topic.days_ago)
        thread = forum.thread_create(actor=author, space=space, title=topic.title, body=topic.body)
        self._when(thread.posts.get(position=1), at)
        replies = list(topic.replies)
        regulars = ["lea", "karim", "julien", "nadia", "tom", "helene", "yann", "ambassador"]
        for _ in range(topic.extra_replies):
            replies.append(
                (self.rng.choice(regulars), self.corpus.post(topic.language, snippet_rate=0.15).md)
            )
        written, previous = 1, None
        reply_posts = []
        for index, (key, body) in enumerate(replies):
            if space.visibility == Visibility.STAFF:
                key = "cm"
            at += timedelta(hours=self.rng.uniform(1, 20) * (1 if topic.days_ago > 2 else 0.1))
            quote = previous if index and self.rng.random() < 0.15 else None
            post = forum.post_create(actor=self.person(key), thread=thread, body=body, reply_to=quote)
            self._when(post, min(at, self.now))
            reply_posts.append(post)
            previous = post
            written += 1
        self._react(thread)
        team = self.person("cm")
        if topic.solution is not None and topic.solution < len(reply_posts):
            forum.thread_mark_solution(actor=author, thread=thread, post=reply_posts[topic.solution])
        if topic.pinned or topic.featured:
            forum.thread_update_flags(
                actor=team, thread=thread, pinned=topic.pinned or None, featured=topic.featured or None
            )
        return written

    def _introduction(self, spaces: dict[str, Space]) -> int:
        member = self.person("member")
        intro_space = spaces["presentations"]
        thread = forum.thread_create(
            actor=member, space=intro_space, title="Bonjour, je suis Camille !", body=INTRODUCTION
        )
        at = self.now - timedelta(days=INTRODUCTION_DAYS_AGO)
        self._when(thread.posts.get(position=1), at)
        welcome = forum.thread_welcome(actor=self.person("cm"), thread=thread)
        self._when(welcome, at + timedelta(hours=2))
        reply = forum.post_create(
            actor=self.person("lea"), thread=thread, body="Bienvenue Camille ! Lyonnaise aussi, on se verra "
            "peut-être à la rencontre du mois prochain."
        )  # fmt: skip
        self._when(reply, at + timedelta(hours=5))
        self._react(thread)
        return 3

    def _react(self, thread: Thread) -> None:
        readers = ["lea", "karim", "julien", "nadia", "tom", "helene", "yann", "ambassador", "member"]
        if thread.space.visibility == Visibility.STAFF:
            return
        for post in thread.posts.order_by("position"):
            for key in self.rng.sample(readers, self.rng.choice((0, 0, 1, 2, 3))):
                user = self.person(key)
                if user.pk != post.author_id:
                    kind = "helpful" if post.position > 1 and self.rng.random() < 0.3 else "like"
                    forum.reaction_toggle(actor=user, post=post, kind=kind)

    def _when(self, post: Post, at) -> None:
        self.timeline.append((post, at))

    def _backdate(self) -> None:
        """Move the posts to the moments of the story, then the dates that derive from them."""
        for post, at in self.timeline:
            Post.objects.filter(pk=post.pk).update(created_at=at)
            if post.position == 1:
                Thread.objects.filter(pk=post.thread_id).update(created_at=at)
        thread_ids = {post.thread_id for post, _ in self.timeline}
        last_post = Post.objects.filter(thread=OuterRef("pk")).order_by("-position")
        Thread.objects.filter(pk__in=thread_ids).update(
            last_activity_at=Subquery(last_post.values("created_at")[:1])
        )
        Thread.objects.filter(pk__in=thread_ids, welcomed_at__isnull=False).update(
            welcomed_at=Subquery(
                Post.objects.filter(thread=OuterRef("pk"), position=2).values("created_at")[:1]
            )
        )
        for space in Space.objects.filter(threads__pk__in=thread_ids).distinct():
            space.last_activity_at = space.threads.aggregate(at=Max("last_activity_at"))["at"]
            space.save(update_fields=["last_activity_at"])
        # A newcomer's first post is their earliest one in the story's time.
        for author_id in {post.author_id for post, _ in self.timeline}:
            first = Post.objects.filter(author_id=author_id).order_by("created_at", "pk").first()
            Post.objects.filter(author_id=author_id, is_first_of_member=True).exclude(pk=first.pk).update(
                is_first_of_member=False
            )
            Post.objects.filter(pk=first.pk).update(is_first_of_member=True)
        for state in MemberState.objects.filter(first_reply_at__isnull=False):
            first = (
                Post.objects.filter(author_id=state.user_id, position__gt=1)
                .exclude(thread__author_id=state.user_id)
                .aggregate(at=Min("created_at"))["at"]
            )
            if first is not None:
                state.first_reply_at = first
                state.save(update_fields=["first_reply_at"])
