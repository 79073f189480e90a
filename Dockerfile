# Agora: one image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
# Pinned to a patch release on Debian 12 (bookworm), the system the project is developed and tested on:
# a rebuild gets the same Python until this line changes (bump it for each 3.11 security release).
FROM python:3.11.15-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: production's lock only, every file
# checked against its hash (the embedded servers of requirements-local.txt are for development).
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY . .

# Throwaway values, for these build steps only, so that the settings import (they refuse to start
# without them); they are not kept in the image. The settings never connect to PostgreSQL or Redis at
# import, so no service is needed here.
RUN export SECRET_KEY=build-only-throwaway-value-never-used-at-run-time ALLOWED_HOSTS=localhost DEBUG=0 \
    && python manage.py compiletranslations \
    && python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin agora

USER agora
EXPOSE 8000

# Production web server: gunicorn, its workers, threads, timeouts and port read from the environment
# (config/gunicorn.conf.py: 2 sync workers on port 8000 by default), access log on stdout.
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"]
