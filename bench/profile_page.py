"""Where a page's time goes: requests it in-process with Django's test Client under cProfile.

    python -m config.launcher exec -- python bench/profile_page.py [--signed-in] [--n 200] URL

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
    parser.add_argument("url")
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


if __name__ == "__main__":
    raise SystemExit(main())
