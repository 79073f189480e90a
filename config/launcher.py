"""One entry point for `make run`, `make test` and the containers.

    python -m config.launcher run            # embedded services (if no URLs), prepare, web + worker + beat
    python -m config.launcher exec -- CMD    # embedded services (if no URLs), then CMD with the URLs set
    python -m config.launcher wait           # report plainly whether PostgreSQL and Redis are reachable

Ctrl-C (or SIGTERM) stops the web server, the worker and beat first, then the servers this process
started; nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable


def _say(message: str) -> None:
    print(f"agora | {message}", flush=True)


class _Stop(Exception):
    pass


def _raise_stop(signum, frame) -> None:
    raise _Stop


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def check_services(env: dict[str, str] | None = None, *, attempts: int = 1) -> str | None:
    """Return None when PostgreSQL and Redis answer, else one plain sentence saying which does not."""
    import dj_database_url
    import psycopg
    import redis

    env = env or dict(os.environ)
    problem = None
    for attempt in range(attempts):
        problem = None
        db = dj_database_url.parse(env.get("DATABASE_URL", ""))
        try:
            psycopg.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                dbname=db["NAME"],
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            where = db["HOST"] or "local socket"
            problem = f"PostgreSQL is unreachable at {where} (database {db['NAME']}): {reason}"
        if problem is None:
            try:
                redis.Redis.from_url(env.get("REDIS_URL", ""), socket_timeout=3).ping()
            except (redis.RedisError, ValueError) as exc:
                problem = f"Redis is unreachable at {env.get('REDIS_URL', '')}: {exc}"
        if problem is None or attempt == attempts - 1:
            break
        time.sleep(1)
    return problem


def _processes(env: dict[str, str]) -> dict[str, list[str]]:
    port = env.get("PORT", "8000")
    return {
        "web": [PY, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [PY, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
        "beat": [PY, "-m", "celery", "-A", "config", "beat", "-l", "info"],
    }


def _terminate(name: str, process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Reap anything the process left in its group (runserver's autoreloader child, Celery's pool).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    _say(f"{name} stopped")


def _handle_stop_signals() -> None:
    # Explicit handlers: a shell that starts the launcher in the background may have ignored SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)


def run() -> int:
    _handle_stop_signals()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    services = embedded.EmbeddedServices()
    children: dict[str, subprocess.Popen] = {}
    try:
        services = embedded.start()
        env.update(services.env)
        problem = check_services(env)
        if problem:
            _say(problem)
            return 1
        _manage("compiletranslations", env=env)
        _manage("migrate", "--no-input", "-v", "0", env=env)
        _manage("seed_demo", env=env)
        for name, command in _processes(env).items():
            # Own session per child: Ctrl-C reaches only the launcher, which stops them in order.
            children[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        port = env.get("PORT", "8000")
        _say(f"Agora is up: http://127.0.0.1:{port}/  (admin: /admin/, dashboards: /reporting/)")
        _say(
            "demo logins (password: agora-demo): member@example.com, cm@example.com, "
            "marketing@example.com, ambassador@example.com"
        )
        _say("press Ctrl-C to stop everything")
        while True:
            for name, process in children.items():
                if process.poll() is not None:
                    _say(f"{name} exited with code {process.returncode}; stopping")
                    return process.returncode or 1
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        _say("stopping …")
        return 0
    except subprocess.CalledProcessError as exc:
        _say(f"start-up step failed: {' '.join(map(str, exc.cmd[1:]))}")
        return exc.returncode or 1
    except embedded.EmbeddedServiceError as exc:
        _say(str(exc))
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for name in ("web", "beat", "worker"):
            if name in children:
                _terminate(name, children[name])
        services.stop()


def exec_(command: list[str]) -> int:
    _handle_stop_signals()
    services = embedded.EmbeddedServices()
    try:
        services = embedded.start(quiet=True)
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), **services.env}
        return subprocess.call(command, cwd=BASE_DIR, env=env)
    except (KeyboardInterrupt, _Stop):
        return 130
    except embedded.EmbeddedServiceError as exc:
        _say(str(exc))
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        services.stop()


def wait() -> int:
    problem = check_services(attempts=int(os.environ.get("WAIT_ATTEMPTS", "30")))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        return run()
    if argv[:1] == ["exec"]:
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        return exec_(command)
    if argv[:1] == ["wait"]:
        return wait()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
