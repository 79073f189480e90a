"""Time the search statement (EXPLAIN ANALYZE) on a scratch database filled with generated posts.

    CREATE DATABASE searchbench;    -- a scratch database, never the real one
    DATABASE_URL=…/searchbench python manage.py migrate
    DATABASE_URL=…/searchbench python bench/search_sql.py --seed   # 200k posts, then the timings
    DATABASE_URL=…/searchbench python bench/search_sql.py --seed 40000   # 800k more
    DATABASE_URL=…/searchbench python bench/search_sql.py          # the timings again

Bodies are 15 to 75 words drawn (skewed towards the first words) from small French and English lists,
so every word is fairly common: a pessimistic case for the backward walk of the primary key.
"""

import os
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402

from community.models import Space  # noqa: E402
from community.selectors import search  # noqa: E402

FR = """le la les un une des de du et à en pour avec sur dans pas plus très bien tout fait comme mais
chat chien cheval chevaux oiseau maison jardin voiture vélo train gare ville campagne montagne mer plage
soleil pluie neige hiver été printemps automne café thé pain fromage vin tarte pomme poire recette cuisine
livre lecture musique concert film cinéma photo appareil téléphone ordinateur logiciel réseau serveur
problème solution question réponse aide merci bonjour salut projet équipe réunion travail vacances voyage
éléphant girafe renard loup ours forêt rivière lac randonnée sentier école élève professeur médecin hôpital
santé sport football tennis course marathon entraînement économie prix achat vente boutique commande
livraison retour garantie réparation batterie écran clavier souris imprimante mise jour sécurité
mot passe compte profil inscription communauté forum message discussion sujet idée avis conseil""".split()  # noqa: SIM905
EN = """the a an of and to in for with on at is it not very well all but
cat dog horse bird house garden car bike train station city country mountain sea beach sun rain snow
winter summer spring autumn coffee tea bread cheese wine pie apple pear recipe kitchen book reading
music concert movie photo camera phone computer software network server problem solution question
answer help thanks hello project team meeting work holiday travel elephant giraffe fox wolf bear forest
river lake hiking trail school student teacher doctor hospital health sport football tennis running
marathon training economy price purchase sale shop order delivery return warranty repair battery
screen keyboard mouse printer update security password account profile signup community forum""".split()  # noqa: SIM905


def arr(words):
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


SQL = f"""
INSERT INTO community_space (name, slug, description, objective, "order", visibility, premoderated,
  is_introductions, icon, colour, thread_count, post_count, created_at)
SELECT 'Space ' || g, 'space-' || g, '', '', g, CASE WHEN g = 5 THEN 'members' ELSE 'public' END,
  false, false, '', '#4f46e5', 0, 0, now()
FROM generate_series(1, 5) g
ON CONFLICT (slug) DO NOTHING;

INSERT INTO community_thread (space_id, title, pinned, locked, state, post_count, last_position,
  last_activity_at, view_count, created_at)
SELECT (SELECT min(id) FROM community_space) + (g % 5),
       initcap((SELECT string_agg(w[1 + floor(power(random(), 1.5) * array_length(w, 1))::int], ' ')
                FROM (SELECT CASE WHEN g % 10 < 7 THEN {arr(FR)} ELSE {arr(EN)} END AS w) ws,
                     generate_series(1, 3 + (g % 5)) k WHERE g > 0)),
       false, false, 'visible', 20, 20, now(), 0, now()
FROM generate_series(1, __THREADS__) g;

INSERT INTO community_post (thread_id, position, body_md, body_html, language, state, is_first_of_member,
  like_count, helpful_count, edit_count, created_at)
SELECT t.id, p.pos,
       (SELECT string_agg(w[1 + floor(power(random(), 2) * array_length(w, 1))::int], ' ')
        FROM (SELECT CASE WHEN (t.id + p.pos) % 10 < 7 THEN {arr(FR)} ELSE {arr(EN)} END AS w) ws,
             generate_series(1, 15 + ((t.id * 7 + p.pos * 13) % 60)) k WHERE p.pos > 0),
       '', CASE WHEN (t.id + p.pos) % 10 < 7 THEN 'fr' ELSE 'en' END,
       CASE WHEN (t.id + p.pos) % 50 = 0 THEN 'deleted' ELSE 'visible' END, false, 0, 0, 0,
       now() - interval '1 minute' * (1200000 - t.id * 20 - p.pos)
FROM community_thread t, generate_series(1, 20) p(pos)
WHERE NOT EXISTS (SELECT 1 FROM community_post o WHERE o.thread_id = t.id);
"""

QUERIES = [
    "chat", "chats", "éléphant", "elephant", "running", "recette tarte", '"mise à jour"', "chat -chien",
    "randonnée montagne", "ordinateur", "batterie écran", "garantie", "giraffe", "chevaux", "serveur réseau",
    "imprimante", "printer keyboard", "marathon", "hôpital", "communauté forum",
]  # fmt: skip


def params(text, space_ids, **overrides):
    values = {
        "text": text, "visible": "visible", "space_ids": space_ids, "space_id": None, "author_id": None,
        "after": None, "before": None, "candidates": search.CANDIDATES,
        "title_candidates": search.TITLE_CANDIDATES, "title_boost": search.TITLE_BOOST,
        "probe_rows": search.PROBE_ROWS, "walk_rows": search.WALK_ROWS, "probe_hits": search.PROBE_HITS,
        "limit": search.PAGE_SIZE + 1, "offset": 0, "snippet_max": search.SNIPPET_SOURCE_MAX,
        "markdown": search.MARKDOWN_PUNCTUATION,
        "headline_options": search.HEADLINE_OPTIONS,
    }  # fmt: skip
    values.update(overrides)
    return values


def run(label, space_ids, **overrides):
    timings = []
    with connection.cursor() as cursor:
        for text in QUERIES:
            sql = "EXPLAIN (ANALYZE, FORMAT JSON) " + search._statement(text)
            cursor.execute(sql, params(text, space_ids, **overrides))
            plan = cursor.fetchone()[0][0]
            timings.append(plan["Planning Time"] + plan["Execution Time"])
    print(
        f"{label}: p50 {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (planning + execution)"
    )
    if "-v" in sys.argv:
        for text, ms in zip(QUERIES, timings, strict=True):
            print(f"    {text:24} {ms:6.1f} ms")


def main():
    with connection.cursor() as cursor:
        if "--seed" in sys.argv:
            # 20 posts per thread; run it again to add more.
            threads = int(sys.argv[sys.argv.index("--seed") + 1]) if sys.argv[-1] != "--seed" else 10_000
            started = time.monotonic()
            cursor.execute(SQL.replace("__THREADS__", str(threads)))
            cursor.execute("ANALYZE")
            print(f"seeded in {time.monotonic() - started:.0f} s")
        cursor.execute("SELECT count(*) FROM community_post")
        print("posts:", cursor.fetchone()[0])
    space_ids = list(Space.objects.filter(visibility="public").values_list("id", flat=True))
    run("warm-up", space_ids)
    for candidates in (2000, 1000, 500):
        run(f"{candidates} candidates, page 1", space_ids, candidates=candidates)
    run(f"{search.CANDIDATES} candidates, page 5", space_ids, offset=4 * search.PAGE_SIZE)


if __name__ == "__main__":
    main()
