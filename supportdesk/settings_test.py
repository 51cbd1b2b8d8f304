"""Settings for the test suite: production settings plus a fast hasher and a plain-HTTP client."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The providers' inbound webhook URLs exist only with a secret (channels/urls.py).
os.environ.setdefault("INBOUND_WEBHOOK_SECRET", "inbound-user:inbound-test-secret")
os.environ.setdefault("MAILGUN_WEBHOOK_SIGNING_KEY", "mailgun-test-signing-key")
# Tests run webhook receivers on 127.0.0.1; production refuses private addresses.
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")

from supportdesk.settings import *  # noqa: E402,F403

# bcrypt is deliberately slow; tests log in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Stored e-mails and attachments go to a throw-away folder, not the work tree.
MEDIA_ROOT = tempfile.mkdtemp(prefix="supportdesk-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
# Tests change the desk and read the metrics at once: no cached figures.
METRICS_CACHE_SECONDS = 0
