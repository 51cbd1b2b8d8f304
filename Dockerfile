# Production image: gunicorn behind your TLS proxy, static files served by whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=supportdesk.settings

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no real secret or database.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app supportdesk \
    && chown -R supportdesk /app
USER supportdesk

EXPOSE 8000
# Web by default; run the worker and beat from the same image:
#   celery -A supportdesk worker -l info     celery -A supportdesk beat -l info
CMD ["gunicorn", "supportdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
