"""SQL queries per benchmarked page, counted in-process with Django's test Client.

    python -m config.launcher exec -- python bench/querycount.py      # prints a table

Each page is requested twice and the second request is counted: that is the steady state the load run
measures (per-process caches such as the branding are warm).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("BENCHMARK_VIEWS", "1")
    import django

    django.setup()


def count_queries(pages, cookie: str | None) -> dict[str, dict]:
    """{page name: {"status": int, "queries": int}}; pages without a URL are left out."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for page in pages:
        if page.url is None:
            continue
        client = Client(headers={"Accept-Language": "fr"}, HTTP_HOST="127.0.0.1")
        if page.signed_in and cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        if page.units:
            # A random page of the long tail is cold: count the first request of one unit, as served.
            total = 0
            for path, _signed_in, htmx in page.units[0]:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
                total += len(queries)
            results[page.name] = {"status": response.status_code, "queries": total}
            continue
        extra = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        client.get(page.url, **extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url, **extra)
        results[page.name] = {"status": response.status_code, "queries": len(queries)}
    return results


def main() -> int:
    setup()
    from bench.pages import bench_member, pages, prepare_member, session_cookie

    member = bench_member()
    if member:
        prepare_member(member)
    cookie = session_cookie(member) if member else None
    listed = pages()
    counts = count_queries(listed, cookie)
    for page in listed:
        found = counts.get(page.name)
        shown = f"{found['queries']:3d} queries (HTTP {found['status']})" if found else "not on this branch"
        print(f"{page.name:45s} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
