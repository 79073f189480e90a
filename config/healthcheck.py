"""The containers' health checks (docker-compose.yml): exit 0 when healthy, else 1 with one line on stderr.

    python -m config.healthcheck web     # GET /healthz on this container's gunicorn answers 200
    python -m config.healthcheck beat    # the last beat heartbeat in Redis is recent

The worker's check is Celery's own (`celery -A config inspect ping -d celery@$HOSTNAME`).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10


def _allowed_host() -> str:
    """A host name the site answers to: Django refuses any other Host header (400)."""
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def web() -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/healthz"
    request = urllib.request.Request(url, headers={"Host": _allowed_host()})  # noqa: S310 - fixed http URL
    # Straight to this container's gunicorn, whatever proxy the environment names.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        return f"{url} did not answer: {exc}"
    return None if status == 200 else f"{url} answered {status}"


def beat() -> str | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.health import beat_state

    state = beat_state()
    if state["ok"]:
        return None
    if "age_seconds" in state:
        age = state["age_seconds"]
        return f"the last beat heartbeat is {age:.0f} s old (beat stuck, or no worker runs its task)"
    return f"no beat heartbeat: {state['error']} (Redis unreachable, or beat or every worker down)"


CHECKS = {"web": web, "beat": beat}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(__doc__, file=sys.stderr)
        return 2
    problem = CHECKS[argv[0]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
