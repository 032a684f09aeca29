# The production image: gunicorn for web, the same image for the Celery workers, beat and
# backups (pg_dump and pg_restore of Debian's PostgreSQL 15, the version compose runs).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/var/lib/portal

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# The folders compose mounts volumes on exist here owned by the portal's user, so that a
# new named volume takes that owner (beat's schedule, backups).
RUN useradd --system --create-home --home-dir /home/portal portal \
    && mkdir -p /var/lib/portal/beat /var/lib/portal/backups \
    && chown -R portal /var/lib/portal

COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .

COPY . .
RUN python -m babel.messages.frontend compile -d locale -D django \
    && DJANGO_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=build \
       python manage.py collectstatic --no-input

USER portal
EXPOSE 8000
# No gunicorn access log: the portal logs each request once, with the client address
# behind the proxy (wenzhou_portal.clients), which gunicorn's log would get wrong.
CMD ["gunicorn", "wenzhou_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
