"""A sensible default netiquette in French and English, published as version 1.

Community managers rewrite it in the admin; this only fills an empty table (re-running it changes nothing).
"""

from django.db import migrations

LOW, MEDIUM, HIGH, CRITICAL = 1, 2, 3, 5

RULES = [
    {
        "number": 1,
        "severity": HIGH,
        "title_fr": "Respect et courtoisie",
        "title_en": "Respect and courtesy",
        "text_fr": (
            "Adressez-vous aux autres membres comme vous aimeriez qu'on s'adresse à vous. Vous pouvez "
            "ne pas être d'accord, à condition de critiquer les idées et non les personnes : insultes, "
            "moqueries, attaques personnelles et provocations n'ont pas leur place ici."
        ),
        "text_en": (
            "Treat other members the way you would like to be treated. Disagreement is welcome when it "
            "targets ideas, not people: insults, mockery, personal attacks and baiting have no place here."
        ),
    },
    {
        "number": 2,
        "severity": CRITICAL,
        "title_fr": "Aucune discrimination ni haine",
        "title_en": "No discrimination or hate",
        "text_fr": (
            "Les propos racistes, sexistes, homophobes, transphobes, antisémites ou qui rabaissent "
            "quiconque en raison de son origine, de sa religion, de son handicap, de son âge ou de son "
            "orientation sont interdits, tout comme les appels à la haine ou au harcèlement."
        ),
        "text_en": (
            "Racist, sexist, homophobic, transphobic or antisemitic remarks, and anything that belittles "
            "people for their origin, religion, disability, age or orientation, are forbidden, as are "
            "calls to hatred or harassment."
        ),
    },
    {
        "number": 3,
        "severity": CRITICAL,
        "title_fr": "Pas de contenu pornographique ou violent",
        "title_en": "No pornographic or violent content",
        "text_fr": (
            "Ne publiez ni images, ni textes, ni liens à caractère pornographique, choquant ou violent. "
            "La communauté est ouverte à tous : gardez en tête que des mineurs peuvent vous lire."
        ),
        "text_en": (
            "Do not post pornographic, shocking or violent pictures, text or links. The community is "
            "open to everyone, minors included."
        ),
    },
    {
        "number": 4,
        "severity": MEDIUM,
        "title_fr": "Ni spam ni publicité",
        "title_en": "No spam or advertising",
        "text_fr": (
            "Messages répétés, chaînes, liens d'affiliation, démarchage et autopromotion ne sont pas les "
            "bienvenus. Si un lien vers votre propre site ou produit répond vraiment à la question posée, "
            "présentez-le comme tel, avec mesure."
        ),
        "text_en": (
            "Repeated messages, chain posts, affiliate links, canvassing and self-promotion are not "
            "welcome. If a link to your own site or product truly answers the question, say that it is "
            "yours and share it sparingly."
        ),
    },
    {
        "number": 5,
        "severity": LOW,
        "title_fr": "Restez dans le sujet",
        "title_en": "Stay on topic",
        "text_fr": (
            "Chaque espace a un objectif, indiqué en haut de sa page : publiez au bon endroit et restez "
            "dans le sujet de la discussion. Pour parler d'autre chose, ouvrez une nouvelle discussion. "
            "Cherchez d'abord si la question a déjà été posée."
        ),
        "text_en": (
            "Each space states its purpose at the top of its page: post in the right place and keep to "
            "the subject of the thread. To talk about something else, start a new thread. Search first "
            "to see whether the question has already been asked."
        ),
    },
    {
        "number": 6,
        "severity": HIGH,
        "title_fr": "Protégez les données personnelles",
        "title_en": "Protect personal data",
        "text_fr": (
            "Ne publiez pas d'informations personnelles, ni les vôtres ni celles des autres : adresse, "
            "téléphone, e-mail, numéro de commande, photos de tiers sans leur accord. Pour une demande "
            "qui vous concerne personnellement, passez par le service client plutôt que par le forum."
        ),
        "text_en": (
            "Do not post personal information, yours or anyone else's: addresses, phone numbers, e-mail "
            "addresses, order numbers, photos of people without their consent. For a request about your "
            "own account or order, contact customer service rather than the forum."
        ),
    },
    {
        "number": 7,
        "severity": CRITICAL,
        "title_fr": "Respectez les conditions d'utilisation et la loi",
        "title_en": "Follow the terms of use and the law",
        "text_fr": (
            "En participant, vous acceptez les conditions d'utilisation du site. Tout contenu illégal est "
            "interdit : diffamation, incitation à la violence, piratage, contrefaçon. Ne publiez que ce "
            "que vous avez le droit de partager et citez vos sources en respectant le droit d'auteur."
        ),
        "text_en": (
            "By taking part you accept the site's terms of use. Illegal content is forbidden: defamation, "
            "incitement to violence, piracy, counterfeits. Only post what you have the right to share, "
            "and credit your sources in line with copyright."
        ),
    },
    {
        "number": 8,
        "severity": MEDIUM,
        "title_fr": "Signalez plutôt que de répliquer",
        "title_en": "Report rather than retaliate",
        "text_fr": (
            "Un message vous semble contraire à ces règles ? Signalez-le à l'équipe de modération au lieu "
            "d'y répondre sur le même ton. Les community managers examinent chaque signalement et peuvent "
            "masquer un contenu, avertir ou suspendre un compte."
        ),
        "text_en": (
            "If a post seems to break these rules, report it to the moderation team instead of answering "
            "in kind. Community managers review every report and may hide content, warn or suspend an "
            "account."
        ),
    },
]


def seed_netiquette(apps, schema_editor):
    NetiquetteRule = apps.get_model("moderation", "NetiquetteRule")
    NetiquetteVersion = apps.get_model("moderation", "NetiquetteVersion")
    if not NetiquetteRule.objects.exists():
        NetiquetteRule.objects.bulk_create([NetiquetteRule(**rule) for rule in RULES])
    if not NetiquetteVersion.objects.exists():
        NetiquetteVersion.objects.create(number=1, note="Initial netiquette")


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_netiquette, migrations.RunPython.noop),
    ]
