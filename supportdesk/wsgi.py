import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
application = get_wsgi_application()

if settings.WARM_UP_AT_START:  # each gunicorn worker, before it accepts a request
    from resolution.warmup import warm_up

    warm_up()
