"""The load run: gunicorn as in production, wrk against each page, results as JSON and Markdown.

    python -m config.launcher exec -- python bench/run.py [--duration 20] [--only home,trivial] [--tail 5000]
    python -m config.launcher exec -- python bench/run.py --mixed [--duration 20] [--write-rate 4]

Starts gunicorn (config.wsgi, 2 sync workers, DEBUG off) on a free loopback port against the database
the launcher provides (seed it first: `manage.py seed_demo --scale large`), counts each page's SQL
queries in-process, then runs `wrk -t2 -c4 -d<duration>s --latency` per page and writes
bench/results/<date>.json and <date>.md. Pages whose URL does not exist on this branch are listed as
skipped. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
# Production-like settings for the server and for this process (the session hash needs the same key).
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "agora-benchmark-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "BENCHMARK_VIEWS": "1",
    "LOG_LEVEL": "WARNING",
    # The load comes from one address: the search page's rate limit would answer 429 after 30 searches.
    "RATE_LIMIT_SEARCH": "",
}
MISSING_NOTE = "not on this branch yet (awaits its feature branch); re-run after merging"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install -y wrk) …", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)  # noqa: S607
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)  # noqa: S607
    return shutil.which("wrk") or "wrk"


def start_gunicorn(port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=BASE_DIR, env=os.environ.copy(), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=2).read()  # noqa: S310
            return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None:
                break
            time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p90/p99 latency (ms), request and error counts from `wrk --latency`."""
    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        result[f"p{percent}_ms"] = _ms(match.group(1)) if match else None
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    result["socket_errors"] = errors.group(1).strip() if errors else ""
    return result


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is reported as such: wrk would measure the redirect, not the page


_opener = urllib.request.build_opener(_NoRedirect)


def status_of(url: str, cookie: str | None, *, htmx: bool = False) -> int:
    headers = {"Accept-Language": "fr", **({"Cookie": cookie} if cookie else {})}
    if htmx:
        headers["HX-Request"] = "true"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with _opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run_wrk(
    wrk: str,
    url: str,
    cookie: str | None,
    duration: int,
    *,
    htmx: bool = False,
    units_file: Path | None = None,
    cookie_for_units: str | None = None,
    weights: str = "",
) -> dict:
    """One wrk run: `url` alone, or with `units_file` the units of bench/units.lua drawn at random."""
    headers = ["-H", "Accept-Language: fr"] + (["-H", f"Cookie: {cookie}"] if cookie else [])
    if htmx:
        headers += ["-H", "HX-Request: true"]
    env = None
    if units_file is not None:
        headers = ["-s", str(BASE_DIR / "bench" / "units.lua")]
        env = {
            **os.environ, "BENCH_UNITS": str(units_file), "BENCH_COOKIE": cookie_for_units or "",
            "BENCH_WEIGHTS": weights,
        }  # fmt: skip
    command = [wrk, "-t2", "-c4", f"-d{duration}s", "--latency", "--timeout", "10s", *headers, url]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    result = parse_wrk(output)
    units = {name: int(count) for name, count in re.findall(r"^UNITS (\S+) (\d+)$", output, re.M)}
    if units:
        result["units_drawn"] = units
    return result


def write_units(path: Path, units_by_category: dict[str, list]) -> Path:
    """The units file of bench/units.lua: "category<TAB>flags+path<TAB>…" per line."""
    lines = []
    for category, units in units_by_category.items():
        for unit in units:
            specs = [
                ("m" if signed_in else "-") + ("h" if htmx else "-") + path for path, signed_in, htmx in unit
            ]
            lines.append("\t".join([category, *specs]))
    path.write_text("\n".join(lines) + "\n")
    return path


class SharedStores:
    """Counts the shared thread copies stored (each one a miss that rendered the page) while it runs.

    Redis keyspace notifications of SET on the bench database, restricted to keys holding
    ":shared:thread:" (core/shared_pages.py); the server's previous notify-keyspace-events is put back
    on close(). Also reads INFO stats' keyspace hits and misses (all of the server's databases).
    """

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.db = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.previous = self.client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
        flags = set(self.previous) | {"E", "$"}
        self.client.config_set("notify-keyspace-events", "".join(sorted(flags)))
        self.count = 0
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.psubscribe(**{f"__keyevent@{self.db}__:set": self._seen})
        self.worker = self.pubsub.run_in_thread(sleep_time=0.05, daemon=True)

    def _seen(self, message) -> None:
        if b":shared:thread:" in message["data"]:
            self.count += 1

    def snapshot(self) -> tuple[int, int, int]:
        time.sleep(0.3)  # let the last notifications arrive
        stats = self.client.info("stats")
        return self.count, stats["keyspace_hits"], stats["keyspace_misses"]

    def close(self) -> None:
        self.worker.stop()
        self.client.config_set("notify-keyspace-events", self.previous)


def flush_bench_redis(url: str) -> str:
    """FLUSHDB on the bench's Redis database, never on database 0."""
    import redis

    client = redis.Redis.from_url(url)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    if db == 0:
        return "not flushed: REDIS_URL is database 0 (flush only a bench database, e.g. /1)"
    keys = client.dbsize()
    client.flushdb()
    return f"FLUSHDB on Redis database {db} ({keys} keys)"


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "wrk": "wrk -t2 -c4 --latency",
        "gunicorn": "config.wsgi, 2 sync workers, DEBUG=0",
    }


def data_sizes() -> dict:
    from django.db import connection

    tables = [
        "accounts_user",
        "community_thread",
        "community_post",
        "community_reaction",
        "community_notification",
    ]
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")  # noqa: S608
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "total_bytes": size}
    return sizes


def trivial_base(rows: list[dict]) -> float | None:
    """The ceiling of a run: the mean of its anonymous trivial-view measurements (start, middle, end)."""
    found = [r["requests_per_s"] for r in rows if r["name"].startswith("trivial view (5 KB)") and
             "signed in" not in r["name"] and r.get("requests_per_s")]  # fmt: skip
    return sum(found) / len(found) if found else None


def markdown(report: dict) -> str:
    base = trivial_base(report["pages"])
    trivials = [f"{r['requests_per_s']:.0f}" for r in report["pages"]
                if r["name"].startswith("trivial view (5 KB)") and "signed in" not in r["name"]
                and r.get("requests_per_s")]  # fmt: skip
    lines = [
        f"Run of {report['date']} — {report['machine']['cpus']} CPUs, {report['machine']['memory_gib']} GiB, "
        f"Python {report['machine']['python']}, PostgreSQL {report['machine']['postgresql']}; "
        f"wrk -t2 -c4 -d{report['duration_s']}s against gunicorn (2 sync workers, DEBUG=0); "
        f"load average at start {report['machine'].get('load_average_at_start', 'not recorded')}; "
        f"{report.get('flush', '')}.",
        "",
        f"Ratios are to the mean of the run's anonymous trivial-view measurements ({', '.join(trivials)} "
        "requests/s). For a whole view (page + overlay), views/s = requests/s ÷ 2 and the ratio is of "
        "views/s; its latencies are those of its requests (pages and overlays together).",
        "",
        "| page | SQL queries | requests/s | views/s | p50 ms | p90 ms | p99 ms | vs trivial | copies stored "
        "| non-2xx | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["pages"]:
        if row.get("requests_per_s") is None:
            lines.append(f"| {row['name']} | | | | | | | | | | {row.get('note', '')} |")
            continue
        per = row.get("per_unit", 1)
        rate = row["requests_per_s"] / per
        ratio = f"{rate / base:.1%}" if base else ""
        views = f"{rate:.0f}" if per > 1 else ""
        queries = "" if row.get("queries") is None else str(row["queries"])
        stored = "" if row.get("shared_stored") is None else f"{row['shared_stored']:,}"
        lines.append(
            f"| {row['name']} | {queries} | {row['requests_per_s']:.0f} | {views} | {row['p50_ms']} "
            f"| {row['p90_ms']} | {row['p99_ms']} | {ratio} | {stored} | {row['non_2xx']} "
            f"| {row.get('note', '')} |"
        )
    mixed = report.get("mixed")
    if mixed:
        lines += ["", "Mixed workload:", "", "```", json.dumps(mixed, indent=2, ensure_ascii=False), "```"]
    if report.get("server_log_errors"):
        lines += ["", "gunicorn error log (errors and tracebacks):", "", "```",
                  *report["server_log_errors"][:40], "```"]  # fmt: skip
    return "\n".join(lines) + "\n"


def log_errors(log: Path) -> list[str]:
    """The gunicorn error log's lines about errors (tracebacks, 500s, worker timeouts)."""
    if not log.exists():
        return []
    wanted = re.compile(r"error|exception|traceback|timeout|critical|status 5\d\d", re.I)
    return [line.rstrip() for line in log.read_text(errors="replace").splitlines() if wanted.search(line)]


def measure(page, *, port: int, cookie: str | None, wrk: str, duration: int, queries: dict,
            stores: SharedStores | None, tmp: Path) -> dict:  # fmt: skip
    row = {"name": page.name, "url": page.url, "signed_in": page.signed_in, "note": page.note,
           "per_unit": page.per_unit}  # fmt: skip
    if page.url is None:
        row["note"] = MISSING_NOTE
        print(f"{page.name:55s} skipped: {MISSING_NOTE}", flush=True)
        return row
    send = cookie if page.signed_in else None
    if page.units:
        checks = [(f"http://127.0.0.1:{port}{path}", cookie if signed else None, htmx)
                  for path, signed, htmx in page.units[0]]  # fmt: skip
    else:
        checks = [(f"http://127.0.0.1:{port}{page.url}", send, page.htmx)]
    statuses = [status_of(url, who, htmx=htmx) for url, who, htmx in checks]
    row.update(status=statuses[0], queries=queries.get(page.name, {}).get("queries"))
    if any(status not in (200, 204) for status in statuses):
        row["note"] = f"HTTP {statuses}: not measured"
        print(f"{page.name:55s} HTTP {statuses}: not measured", flush=True)
        return row
    url = f"http://127.0.0.1:{port}{page.url}"
    units_file = None
    if page.units:
        units_file = write_units(tmp / f"units-{abs(hash(page.name))}.txt", {"units": page.units})
    else:
        for _ in range(20):  # warm both workers
            status_of(url, send, htmx=page.htmx)
    before = stores.snapshot() if stores else None
    measured = run_wrk(
        wrk, url, send, duration, htmx=page.htmx, units_file=units_file, cookie_for_units=cookie
    )
    row.update(measured)
    if stores:
        after = stores.snapshot()
        row["shared_stored"] = after[0] - before[0]
        row["redis_keyspace_hits"], row["redis_keyspace_misses"] = after[1] - before[1], after[2] - before[2]
    views = f" ({row['requests_per_s'] / page.per_unit:.1f} views/s)" if page.per_unit > 1 else ""
    stored = f"  {row['shared_stored']} copies stored" if stores else ""
    print(
        f"{page.name:55s} {row['requests_per_s']:8.1f} req/s{views}  p50 {row['p50_ms']} p90 {row['p90_ms']} "
        f"p99 {row['p99_ms']} ms  {row['queries']} queries  non-2xx {row['non_2xx']}{stored}",
        flush=True,
    )
    return row


def run_mixed(args, *, port: int, cookie: str, wrk: str, stores: SharedStores, tmp: Path) -> dict:
    """Readers on random and hot threads (one wrk, -t2 -c4) while bench/mixed_writers.py writes."""
    from bench.pages import hot_thread, overlay_path, thread_paths
    from community.models import Thread

    hot = hot_thread()
    hot_url = f"/threads/{hot.pk}/"
    tail = thread_paths(2 * args.tail, seed=args.seed + 100, exclude={hot_url})
    visitor_tail, member_tail = tail[: args.tail], tail[args.tail :]
    categories = {
        "tail-visitor": [[(path, False, False)] for path in visitor_tail],
        "tail-member-view": [[(path, True, False), (overlay_path(path), True, True)] for path in member_tail],
        "hot-visitor": [[(hot_url, False, False)]],
        "hot-member-view": [[(hot_url, True, False), (overlay_path(hot_url), True, True)]],
    }
    units_file = write_units(tmp / "mixed-units.txt", categories)
    pks = tmp / "mixed-threads.txt"
    pks.write_text("\n".join(re.search(r"/threads/(\d+)/", p).group(1) for p in tail) + "\n")
    version_before = Thread.objects.values_list("version", flat=True).get(pk=hot.pk)
    writers = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "bench" / "mixed_writers.py"), "--duration", str(args.duration),
         "--rate", str(args.write_rate), "--threads-file", str(pks), "--hot", str(hot.pk)],
        cwd=BASE_DIR, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(3)  # the writers set up Django and their members before the readers start
    before = stores.snapshot()
    row = run_wrk(wrk, f"http://127.0.0.1:{port}{hot_url}", None, args.duration, units_file=units_file,
                  cookie_for_units=cookie, weights=args.mixed_weights)  # fmt: skip
    after = stores.snapshot()
    out, err = writers.communicate(timeout=args.duration + 120)
    version_after = Thread.objects.values_list("version", flat=True).get(pk=hot.pk)
    units = row.get("units_drawn", {})
    pages_requested = sum(units.values())
    stored = after[0] - before[0]
    try:
        written = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        written = {"error": (err or out)[-2000:]}
    return {
        "name": "mixed: readers (random and hot threads) with writers",
        "weights": args.mixed_weights,
        **row,
        "page_requests": pages_requested,
        "overlay_requests": units.get("tail-member-view", 0) + units.get("hot-member-view", 0),
        "shared_stored": stored,
        "shared_hit_rate": round(1 - stored / pages_requested, 4) if pages_requested else None,
        "redis_keyspace_hits": after[1] - before[1],
        "redis_keyspace_misses": after[2] - before[2],
        "hot_thread": hot.pk,
        "hot_thread_version_bumps": version_after - version_before,
        "writers": written,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page (default 20)")
    parser.add_argument("--only", default="", help="comma-separated words; run only pages whose name has one")
    parser.add_argument("--tail", type=int, default=5000, help="random thread pages per long-tail list")
    parser.add_argument("--seed", type=int, default=1, help="seed of the long tail's random threads")
    parser.add_argument("--no-flush", action="store_true", help="keep the bench Redis database's copies")
    parser.add_argument("--mixed", action="store_true", help="the mixed workload instead of the pages")
    parser.add_argument("--write-rate", type=float, default=4.0, help="--mixed: writes per second")
    parser.add_argument(
        "--mixed-weights",
        default="tail-visitor=4,tail-member-view=2,hot-visitor=2,hot-member-view=2",
        help="--mixed: how often each kind of reader's unit is drawn",
    )
    args = parser.parse_args()

    load_at_start = [round(value, 2) for value in os.getloadavg()]
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(BASE_DIR))
    from bench.querycount import count_queries, setup

    setup()
    from django.conf import settings

    from bench.pages import Page, bench_member, pages, prepare_member, session_cookie

    redis_url = settings.CACHES["default"]["LOCATION"]
    flushed = "not flushed (--no-flush)" if args.no_flush else flush_bench_redis(redis_url)
    print(flushed, flush=True)
    wrk = ensure_wrk()
    member = bench_member()
    if member:
        prepare_member(member)
    cookie = session_cookie(member) if member else None
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M") + ("-mixed" if args.mixed else "")
    log = RESULTS / f"{stamp}-gunicorn.log"
    tmp = Path(tempfile.mkdtemp(prefix="agora-bench-"))
    stores = SharedStores(redis_url)
    listed = pages(tail=0 if args.mixed else args.tail)
    trivial = [p for p in listed if p.name.startswith("trivial")]
    if args.mixed:
        listed, queries = [], {}
    else:
        if args.only:
            words = [w.strip() for w in args.only.split(",") if w.strip()]
            listed = [p for p in listed if p.name.startswith("trivial") or any(w in p.name for w in words)]
        queries = count_queries(listed, cookie)
        # The ceiling again in the middle and at the end: the ratios use the mean of the three.
        middle = len(listed) // 2
        again = Page("trivial view (5 KB), middle of the run", trivial[0].url, note="ceiling")
        listed[middle:middle] = [again]
        listed.append(Page("trivial view (5 KB), end of the run", trivial[0].url, note="ceiling"))
    server = start_gunicorn(port, log)
    rows, mixed = [], None
    try:
        common = {"port": port, "cookie": cookie, "wrk": wrk, "duration": args.duration, "tmp": tmp}
        if args.mixed:
            rows.append(measure(trivial[0], queries={}, stores=stores, **common))
            print("mixed workload …", flush=True)
            mixed = run_mixed(args, port=port, cookie=cookie, wrk=wrk, stores=stores, tmp=tmp)
            rows.append({**mixed, "note": "all readers' requests; see below"})
            rows.append(measure(Page("trivial view (5 KB), end of the run", trivial[0].url), queries={},
                                stores=stores, **common))  # fmt: skip
        else:
            for page in listed:
                rows.append(measure(page, queries=queries, stores=stores, **common))
    finally:
        stop(server)
        stores.close()
        shutil.rmtree(tmp, ignore_errors=True)

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": args.duration,
        "flush": flushed,
        "machine": {**machine(), "load_average_at_start": load_at_start},
        "data": data_sizes(),
        "trivial_mean": trivial_base(rows),
        "pages": rows,
        "mixed": mixed,
        "server_log": str(log.relative_to(BASE_DIR)),
        "server_log_errors": log_errors(log),
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown(report))
    print(f"\nwrote bench/results/{stamp}.json and .md (server log {log.relative_to(BASE_DIR)})\n")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
