"""Gunicorn's settings in production (the Dockerfile's CMD, docker-compose.yml's web), each read from the
environment, with the defaults the benchmark measured (2 sync workers):

    gunicorn -c config/gunicorn.conf.py config.wsgi

- PORT (8000): the port gunicorn listens on, on every interface of the container;
- WEB_CONCURRENCY (2): worker processes, about two per core the web container may use;
- GUNICORN_THREADS (1): threads per worker; above 1, gunicorn's gthread worker is used;
- GUNICORN_TIMEOUT (30): seconds a request may take before its worker is killed and replaced;
- GUNICORN_MAX_REQUESTS (1000, but 0 with PROMETHEUS_MULTIPROC_DIR) and GUNICORN_MAX_REQUESTS_JITTER
  (100): a worker is replaced after that many requests plus up to the jitter, so that slow memory growth
  never accumulates and workers are not all replaced at once (0: never). With /metrics across workers
  each worker leaves its counter files behind when it goes, so replacing workers would fill the folder;
- LOG_FORMAT and LOG_LEVEL, as for Django (settings.py): gunicorn's own lines (worker timeouts, boot
  errors) in the same JSON as the application's. Requests are logged by Django (ACCESS_LOG), with the
  route instead of the path, so gunicorn's access log is off;
- FORWARDED_ALLOW_IPS (127.0.0.1,::1), read by gunicorn itself: the proxies whose X-Forwarded-Proto sets
  the WSGI scheme. With BEHIND_TLS_PROXY=1 Django reads X-Forwarded-Proto itself
  (SECURE_PROXY_SSL_HEADER) whatever this list says, so leave it at its default; what must hold instead
  is that only the proxy reaches gunicorn's port (docker-compose.yml publishes it on 127.0.0.1).
"""

import os

from config.observability import logging_config


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [f"0.0.0.0:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "sync" if threads == 1 else "gthread"
timeout = _int("GUNICORN_TIMEOUT", 30)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0 if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Errors go to the container's log, formatted as the application's lines; no access log (see above).
accesslog = None
errorlog = "-"
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT") or ("plain" if _debug else "json"),
    level=os.environ.get("LOG_LEVEL") or "INFO",
)
# No control socket (gunicorn ≥ 25.1 opens one in $HOME for its `gunicornc` tool): the container is
# managed by docker, and its user may not write in $HOME.
control_socket_disable = True
# Workers signal they are alive through a file: keep it in memory, not on the container's overlay disk,
# where a slow write can make gunicorn kill a busy worker.
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's documented choice for containers
    worker_tmp_dir = "/dev/shm"  # noqa: S108


# With PROMETHEUS_MULTIPROC_DIR set (/metrics under several workers), each worker writes its counts to
# files there: start from an empty folder, and let a finished worker's gauges go with it.
def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        try:
            from prometheus_client import multiprocess
        except ImportError:
            return
        multiprocess.mark_process_dead(worker.pid)
