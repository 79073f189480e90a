"""Where a page's time goes: requests it in-process with Django's test Client under cProfile.

    python -m config.launcher exec -- python bench/profile_page.py [--signed-in] [--n 200] URL
    python -m config.launcher exec -- python bench/profile_page.py [--signed-in] --cold 300

With --cold N, each request is a different random thread page (a random valid page of a visible thread of
a public space, as bench/run.py's long tail), so its shared copy is rendered and stored; the time is
split into SQL, template rendering (without the SQL it ran), Redis (the shared copy's read and write,
the view counter, other cache calls) and the rest, then a cProfile of N more cold pages.

Prints the mean wall time and CPU time (this process's, not the database's or Redis's) per request,
and the functions with the most cumulative time. The load run (bench/run.py) is what the budgets are
checked against; this finds what to cut.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from querycount import setup


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--cold", type=int, default=0, help="N random cold thread pages instead of URL")
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime…")
    args = parser.parse_args()
    setup()
    from django.test import Client

    from bench.pages import bench_member, prepare_member, session_cookie

    client = Client(headers={"Accept-Language": "fr"}, HTTP_HOST="127.0.0.1")
    if args.signed_in:
        member = bench_member()
        prepare_member(member)
        name, value = session_cookie(member).split("=", 1)
        client.cookies[name] = value
    if args.cold:
        return cold(client, args)
    for _ in range(5):
        status = client.get(args.url).status_code
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        client.get(args.url)
    per_request = (time.perf_counter() - started) / args.n * 1000
    cpu_per_request = (time.process_time() - cpu_started) / args.n * 1000
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        client.get(args.url)
    profile.disable()
    print(
        f"{args.url}: status {status}, {per_request:.2f} ms per request, {cpu_per_request:.2f} ms of it "
        "in this process's CPU (without the profiler)"
    )
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


class Timers:
    """Time spent in SQL, template rendering, the cache and the view counter, per request."""

    def __init__(self):
        from collections import Counter

        self.seconds, self.calls = Counter(), Counter()
        self._sql_in_render = []

    def add(self, name: str, took: float, calls: int = 1) -> None:
        self.seconds[name] += took
        self.calls[name] += calls

    def sql(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - began
            self.add("SQL queries", took)
            for started in self._sql_in_render:
                started[0] += took

    def install(self):
        import django.template.backends.django as backend
        from django.core.cache import cache

        from community.services import thread_views

        timers = self
        render = backend.Template.render

        def timed_render(template, context=None, request=None):
            began, inner = time.perf_counter(), [0.0]
            timers._sql_in_render.append(inner)
            try:
                return render(template, context, request)
            finally:
                timers._sql_in_render.pop()
                timers.add("template rendering (without its SQL)", time.perf_counter() - began - inner[0])

        backend.Template.render = timed_render
        for method in ("get", "set", "get_many", "set_many", "delete", "incr", "add"):
            original = getattr(cache, method)

            def timed(*a, _original=original, _method=method, **k):
                began = time.perf_counter()
                try:
                    return _original(*a, **k)
                finally:
                    key = str(a[0]) if a else ""
                    what = "shared copy" if key.startswith("shared:thread:") else "other cache"
                    self.add(f"Redis {_method} ({what})", time.perf_counter() - began)
                    if _method == "set" and what == "shared copy":
                        self.add("copies stored", 0.0)

            setattr(cache, method, timed)
        viewed = thread_views.thread_viewed

        def timed_viewed(*a, **k):
            began = time.perf_counter()
            try:
                return viewed(*a, **k)
            finally:
                self.add("Redis view counter (thread_viewed)", time.perf_counter() - began)

        thread_views.thread_viewed = timed_viewed
        import community.views.forum as forum_views

        forum_views.thread_views.thread_viewed = timed_viewed


def cold(client, args) -> int:
    from django.db import connection

    from bench.pages import thread_paths

    paths = thread_paths(2 * args.cold + 5, seed=args.seed)
    for path in paths[:5]:  # warm the process (templates, branding, the session)
        client.get(path)
    timers = Timers()
    timers.install()
    measured = paths[5 : 5 + args.cold]
    statuses = set()
    with connection.execute_wrapper(timers.sql):
        started, cpu_started = time.perf_counter(), time.process_time()
        for path in measured:
            statuses.add(client.get(path).status_code)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    n = len(measured)
    print(
        f"{n} cold thread pages ({'signed in' if args.signed_in else 'visitor'}), "
        f"statuses {sorted(statuses)}: "
        f"{wall / n * 1000:.2f} ms per request, {cpu / n * 1000:.2f} ms of it this process's CPU; "
        f"{timers.calls['copies stored']} shared copies stored"
    )
    print(f"{'part':55s} {'ms/request':>10s} {'share':>6s} {'calls/request':>13s}")
    accounted = 0.0
    for name, seconds in sorted(timers.seconds.items(), key=lambda item: -item[1]):
        if name == "copies stored":
            continue
        accounted += seconds
        print(f"{name:55s} {seconds / n * 1000:10.2f} {seconds / wall:6.1%} {timers.calls[name] / n:13.1f}")
    rest = wall - accounted
    print(
        f"{'the rest (view code, middleware, session, test client)':55s} {rest / n * 1000:10.2f} "
        f"{rest / wall:6.1%}"
    )
    profile = cProfile.Profile()
    profile.enable()
    for path in paths[5 + args.cold :]:
        client.get(path)
    profile.disable()
    print(f"\ncProfile of {len(paths) - 5 - args.cold} more cold pages (--sort {args.sort}):")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
