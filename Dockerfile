# Production image: gunicorn behind your TLS proxy, static files served by whitenoise.
# Dependencies come from requirements.lock only: every package pinned, and pip refuses any file
# whose hash the lock does not list. The same image runs web (default), worker and beat
# (compose.yaml, render.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=supportdesk.settings

WORKDIR /app
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
# collectstatic needs settings but no real secret or database.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app supportdesk \
    && chown -R supportdesk /app
USER supportdesk

EXPOSE 8000
# Web by default (gunicorn.conf.py: port $PORT or 8000, workers and threads from the
# environment). The worker and beat run from the same image:
#   celery -A supportdesk worker -l info
#   celery -A supportdesk beat -l info -s /tmp/celerybeat-schedule
CMD ["gunicorn", "supportdesk.wsgi:application", "--access-logfile", "-"]
