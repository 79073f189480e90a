"""The load run: gunicorn as in production, wrk against each page, results as JSON and Markdown.

    python -m config.launcher exec -- python bench/run.py [--duration 20] [--only home,trivial]

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


def status_of(url: str, cookie: str | None) -> int:
    headers = {"Accept-Language": "fr", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with _opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run_wrk(wrk: str, url: str, cookie: str | None, duration: int) -> dict:
    headers = ["-H", "Accept-Language: fr"] + (["-H", f"Cookie: {cookie}"] if cookie else [])
    command = [wrk, "-t2", "-c4", f"-d{duration}s", "--latency", "--timeout", "10s", *headers, url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


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


def markdown(report: dict) -> str:
    trivial = next(
        (r for r in report["pages"] if r["name"].startswith("trivial") and r.get("requests_per_s")), None
    )
    lines = [
        f"Run of {report['date']} — {report['machine']['cpus']} CPUs, {report['machine']['memory_gib']} GiB, "
        f"Python {report['machine']['python']}, PostgreSQL {report['machine']['postgresql']}; "
        f"wrk -t2 -c4 -d{report['duration_s']}s against gunicorn (2 sync workers, DEBUG=0).",
        "",
        "| page | SQL queries | requests/s | p50 ms | p99 ms | vs trivial | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["pages"]:
        if row.get("requests_per_s") is None:
            lines.append(f"| {row['name']} | | | | | | {row.get('note', '')} |")
            continue
        ratio = f"{row['requests_per_s'] / trivial['requests_per_s']:.0%}" if trivial else ""
        queries = "" if row.get("queries") is None else str(row["queries"])
        lines.append(
            f"| {row['name']} | {queries} | {row['requests_per_s']:.0f} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {ratio} | {row.get('note', '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page (default 20)")
    parser.add_argument("--only", default="", help="comma-separated words; run only pages whose name has one")
    args = parser.parse_args()

    load_at_start = [round(value, 2) for value in os.getloadavg()]
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(BASE_DIR))
    from bench.querycount import count_queries, setup

    setup()
    from bench.pages import bench_member, pages, prepare_member, session_cookie

    wrk = ensure_wrk()
    member = bench_member()
    if member:
        prepare_member(member)
    cookie = session_cookie(member) if member else None
    listed = pages()
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        listed = [p for p in listed if p.name.startswith("trivial") or any(w in p.name for w in words)]
    queries = count_queries(listed, cookie)

    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    server = start_gunicorn(port, Path(tempfile.gettempdir()) / f"agora-bench-{stamp}-gunicorn.log")
    rows = []
    try:
        for page in listed:
            row = {"name": page.name, "url": page.url, "signed_in": page.signed_in, "note": page.note}
            if page.url is None:
                row["note"] = MISSING_NOTE
                rows.append(row)
                print(f"{page.name:45s} skipped: {MISSING_NOTE}", flush=True)
                continue
            url = f"http://127.0.0.1:{port}{page.url}"
            send = cookie if page.signed_in else None
            status = status_of(url, send)
            row.update(status=status, queries=queries.get(page.name, {}).get("queries"))
            if status != 200:
                row["note"] = f"HTTP {status}: not measured"
                rows.append(row)
                print(f"{page.name:45s} HTTP {status}: not measured", flush=True)
                continue
            for _ in range(20):  # warm both workers
                status_of(url, send)
            row.update(run_wrk(wrk, url, send, args.duration))
            rows.append(row)
            print(
                f"{page.name:45s} {row['requests_per_s']:8.1f} req/s  p50 {row['p50_ms']} ms  "
                f"p99 {row['p99_ms']} ms  {row['queries']} queries",
                flush=True,
            )
    finally:
        stop(server)

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": args.duration,
        "machine": {**machine(), "load_average_at_start": load_at_start},
        "data": data_sizes(),
        "pages": rows,
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown(report))
    print(f"\nwrote bench/results/{stamp}.json and .md\n")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
