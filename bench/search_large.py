"""Time search on the seeded database (`seed_demo --scale large`): SQL alone and the whole page.

    .venv/bin/python -m config.launcher exec -- env DEBUG=0 SECRET_KEY=x ALLOWED_HOSTS=testserver \
        SECURE_SSL_REDIRECT=0 STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
        .venv/bin/python bench/search_large.py [-v]

For each query: the search statement as an anonymous visitor runs it (executed and fetched, timed
from Python), then the search page through Django's test client; each is run REPEAT times after
one warm-up and the median is kept. Prints the p50 and max over the queries.
"""

import os
import statistics
import sys
import time
from urllib.parse import urlencode

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.search_sql import params  # noqa: E402
from community.selectors import search  # noqa: E402

REPEAT = 5
QUERIES = [
    "pompe à chaleur", "thermostat", "firmware", "garantie capteur", "installateur", "xylophone",
    "updates", "application batterie", "thermostat -zigbee", '"mise à jour"',
]  # fmt: skip


def sql_ms(text, space_ids):
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(search._statement(text), params(text, space_ids))
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def page_ms(client, url):
    started = time.perf_counter()
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000


def main():
    space_ids = [s.pk for s in search.search_spaces(AnonymousUser())]
    client = Client()
    rows = []
    for text in QUERIES:
        url = f"{reverse('community:search')}?{urlencode({'q': text})}"
        sql_ms(text, space_ids), page_ms(client, url)  # warm-up
        sql = statistics.median(sql_ms(text, space_ids) for _ in range(REPEAT))
        page = statistics.median(page_ms(client, url) for _ in range(REPEAT))
        rows.append((text, sql, page))
        if "-v" in sys.argv:
            print(f"    {text:24} SQL {sql:6.1f} ms   page {page:6.1f} ms", flush=True)
    for label, index in (("SQL", 1), ("page", 2)):
        values = [row[index] for row in rows]
        print(f"{label}: p50 {statistics.median(values):.1f} ms, max {max(values):.1f} ms")


if __name__ == "__main__":
    main()
