"""SupportDesk settings: everything that differs between machines comes from the environment.

Safe local defaults (SQLite, eager tasks, console e-mail); production refuses to start
half-configured (no SECRET_KEY with DEBUG off).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "supportdesk.admin_site.AdminConfig",  # Django's admin, with a query-string guard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "accounts",
    "tickets",
    "feedback",
    "resolution",
    "anymail",
    "channels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The customer's pages in their language: the cookie set by the switcher (set_language),
    # else the browser's Accept-Language (accounts.signals applies User.language at login).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # a signed-in person's own choice wins
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "supportdesk.middleware.ContentSecurityPolicyMiddleware",
    "supportdesk.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "supportdesk.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Reuse connections between requests in production; SQLite gains nothing from it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The queue's covering indexes carry extra columns (INCLUDE) for PostgreSQL; SQLite builds
    # them without those columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    # PostgreSQL's JIT compiles any query its planner thinks is big (an aggregate over many
    # tickets) for 50-150 ms, more than such a query then runs: off for this OLTP workload.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_SERVER_SIDE_BINDING", default=True
):
    # The parameters travel apart from the SQL, and psycopg prepares a statement the fifth time
    # it sees it: PostgreSQL then skips parsing and planning the same few INSERTs and UPDATEs
    # every ticket runs. Off (false) behind a pooler in transaction mode, which cannot keep a
    # connection's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Throttles and lockouts count in the cache: set CACHE_URL (e.g. redis://127.0.0.1:6379/1) in
# production so every gunicorn worker shares one count.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, without a new Redis client per call (common/redis_cache.py says why).
    CACHES["default"]["BACKEND"] = "common.redis_cache.RedisCache"
# The API reads its user's row from that cache for this long instead of the database on every
# request; every change to a user drops it (accounts/auth_cache.py). 0: read it every time.
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=30)

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The languages the desk serves (ISO 639-1 codes, the first is the fallback when a ticket is
# too short to tell). A ticket detected in any other language escalates (tickets/language.py).
DESK_LANGUAGES = env.list("DESK_LANGUAGES", default=["en", "es", "de", "fr", "pt", "it", "nl"])
# The customer's pages, e-mails and answers come in the same languages (locale/<code>/ holds
# each one's catalog; README "Languages"). English is the answers' fallback and the agent
# side's language.
LANGUAGE_CODE = "en"
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in DESK_LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded attachments and stored e-mails (local files by default; S3 through django-storages:
# docs/OPERATIONS.md "Attachments").
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"  # never served directly: attachments go through an authorizing view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@supportdesk.local")

# Security: strict by default when DEBUG is off; each switch can be turned off behind a proxy
# that already does the job.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, plus tokens revoked by logout and password changes.
        "accounts.authentication.RevocableJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.exception_handler",
    # JSON only, with a clean 400 for any malformed body (api_parsers.py).
    "DEFAULT_PARSER_CLASSES": ["common.api_parsers.JSONParser"],
    # Log-in, sign-up and password-reset limits (accounts/throttling.py, docs/OPERATIONS.md).
    # A rate is "N/s|min|hour|day"; an empty one switches that limit off.
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),  # per (account, client)
        "login_client": env.str("LOGIN_CLIENT_THROTTLE_RATE", default="30/min"),
        "login_account": env.str("LOGIN_ACCOUNT_THROTTLE_RATE", default="100/hour"),
        "signup_client": env.str("SIGNUP_CLIENT_THROTTLE_RATE", default="5/hour"),
        "signup_email": env.str("SIGNUP_EMAIL_THROTTLE_RATE", default="3/hour"),
        "reset_client": env.str("RESET_CLIENT_THROTTLE_RATE", default="10/hour"),
        "reset_email": env.str("RESET_EMAIL_THROTTLE_RATE", default="3/hour"),
    },
    # Proxies in front of the app whose X-Forwarded-For may be trusted to name the client (for
    # login throttling). 0: use the socket's address; a client-sent X-Forwarded-For is ignored.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Per-customer limits (tickets/limits.py): what one customer may submit in a window; over it,
# a 429 in the API and a form error in the portal. "N/min|hour|day"; empty switches one off.
CUSTOMER_TICKET_RATE = env.str("CUSTOMER_TICKET_RATE", default="20/hour")
CUSTOMER_REPLY_RATE = env.str("CUSTOMER_REPLY_RATE", default="60/hour")  # every message
CUSTOMER_FEEDBACK_RATE = env.str("CUSTOMER_FEEDBACK_RATE", default="30/hour")
# The agents' desk (tickets/assignment.py): hand escalated tickets without a team to available
# agents in turn (teams switch it per team). Off: they wait in the queue to be claimed.
DESK_ROUND_ROBIN = env.bool("DESK_ROUND_ROBIN", default=False)
# The satisfaction survey (feedback/csat.py): how long a rating link works, and how long after
# the first answer the customer may still change it.
CSAT_LINK_DAYS = env.int("CSAT_LINK_DAYS", default=30)
CSAT_CHANGE_HOURS = env.int("CSAT_CHANGE_HOURS", default=72)
# Failures from one client on one account before each further attempt waits 1 s, 2 s, 4 s, ...
LOGIN_PROGRESSIVE_AFTER = env.int("LOGIN_PROGRESSIVE_AFTER", default=5)
# A client that logged in to an account within this many days is not refused by that account's
# ceiling (login_account), so an attacker elsewhere cannot lock the owner out.
LOGIN_KNOWN_CLIENT_DAYS = env.int("LOGIN_KNOWN_CLIENT_DAYS", default=30)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SupportDesk API",
    "DESCRIPTION": "Automated customer-support desk: tickets, AI resolution, feedback, metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One schema name per choice set, wherever a field uses it.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "EscalationReasonEnum": "tickets.models.EscalationReason",
        "PriorityEnum": "tickets.models.Priority",
    },
}

# Celery: no broker configured -> tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection per task, ~2.5 per decided ticket, most of the
# worker's time (docs/BENCHMARKS.md, "With a Celery worker"). Set, it closes them only every
# this many tasks; between, supportdesk/celery.py closes a broken or CONN_MAX_AGE-old one after
# each task, as Django does after each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULE = {
    # Safety net for tickets whose scheduling was lost (e.g. the broker was down).
    "resolve-stale-open-tickets": {
        "task": "resolution.tasks.resolve_stale_open_tickets",
        "schedule": 60.0,
    },
}

# --- Workers and the learning loop (issue 6; docs/OPERATIONS.md) ------------------------------
# Redis re-delivers a message whose worker died unacknowledged after this many seconds; it must
# exceed the longest task (re-delivery of a still-running task is harmless: the pipeline is
# idempotent, but it wastes work).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# An auto-answered ticket with no follow-up from the customer for this long counts as resolved.
AI_RESOLUTION_WINDOW_HOURS = env.float("AI_RESOLUTION_WINDOW_HOURS", default=24.0)
# A pending knowledge entry this similar (cosine) to an active one is flagged as its duplicate.
KNOWLEDGE_DUPLICATE_SIMILARITY = env.float("KNOWLEDGE_DUPLICATE_SIMILARITY", default=0.8)
# An active entry rated by at least this many distinct customers, with a helpful share (of
# customers) below this, over at least this many hours from first to last rating, is retired.
KNOWLEDGE_RETIRE_MIN_RATINGS = env.int("KNOWLEDGE_RETIRE_MIN_RATINGS", default=5)
KNOWLEDGE_RETIRE_HELPFUL_SHARE = env.float("KNOWLEDGE_RETIRE_HELPFUL_SHARE", default=0.4)
KNOWLEDGE_RETIRE_MIN_HOURS = env.float("KNOWLEDGE_RETIRE_MIN_HOURS", default=24.0)
# A reviewed entry this similar to a ticket (every similarity view at least
# KNOWLEDGE_DIRECT_VIEW_SIMILARITY) answers it even when the classifier does not know the
# intent (docs/OPERATIONS.md, "What agents teach answers"). False: only the classifier's path.
KNOWLEDGE_DIRECT_ANSWERS = env.bool("KNOWLEDGE_DIRECT_ANSWERS", default=True)
KNOWLEDGE_DIRECT_SIMILARITY = env.float("KNOWLEDGE_DIRECT_SIMILARITY", default=0.8)
KNOWLEDGE_DIRECT_VIEW_SIMILARITY = env.float("KNOWLEDGE_DIRECT_VIEW_SIMILARITY", default=0.6)
# How long a knowledge suggestion shown to a customer can be answered "yes, it helped".
SUGGESTION_TOKEN_MAX_AGE = env.int("SUGGESTION_TOKEN_MAX_AGE", default=3600)
# One-person desks: an agent may approve a knowledge entry they added (admins always may).
KNOWLEDGE_SELF_APPROVAL = env.bool("KNOWLEDGE_SELF_APPROVAL", default=False)
# The desk's own contact details (phone, e-mail, URLs) that knowledge may quote: never scrubbed.
KNOWLEDGE_SCRUB_ALLOW = env.list("KNOWLEDGE_SCRUB_ALLOW", default=[])
RETRAIN_EVERY_HOURS = env.float("RETRAIN_EVERY_HOURS", default=24.0)
# Where customers reach the portal, for links in notification e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
CELERY_BEAT_SCHEDULE.update(
    {
        "retrain-model": {
            "task": "resolution.tasks.retrain_model",
            "schedule": RETRAIN_EVERY_HOURS * 3600,
        },
        "refresh-metrics-rollup": {
            "task": "resolution.tasks.refresh_metrics_rollup",
            "schedule": 60.0,
        },
        "refresh-knowledge-index": {
            "task": "resolution.tasks.refresh_knowledge_index",
            "schedule": 300.0,
        },
        "close-unanswered-auto-resolutions": {
            "task": "resolution.tasks.close_quiet_auto_resolved_tickets",
            "schedule": 900.0,
        },
    }
)
# --- end of workers and the learning loop ---------------------------------------------------

# The resolution engine.
AUTO_RESOLVE_THRESHOLD = env.float("AUTO_RESOLVE_THRESHOLD", default=0.75)
SIMILARITY_THRESHOLD = env.float("SIMILARITY_THRESHOLD", default=0.6)
# The knowledge index (docs/OPERATIONS.md): "exact" scores every entry, "ann" scores the
# candidates of an approximate search exactly, "auto" is ann from SIMILARITY_ANN_MIN_ENTRIES
# active entries on. A full rebuild once changes since the last one pass this share of it.
SIMILARITY_INDEX = env.str("SIMILARITY_INDEX", default="auto")
SIMILARITY_ANN_MIN_ENTRIES = env.int("SIMILARITY_ANN_MIN_ENTRIES", default=20_000)
SIMILARITY_REBUILD_DRIFT = env.float("SIMILARITY_REBUILD_DRIFT", default=0.1)
MODEL_RELOAD_SECONDS = env.float("MODEL_RELOAD_SECONDS", default=5.0)
# The shared knowledge index snapshot (memory-mapped by every process; docs/OPERATIONS.md,
# "The knowledge index"): its directory, and the size from which the periodic task keeps one
# without being asked (`manage.py build_knowledge_index` makes one at any size).
KNOWLEDGE_INDEX_DIR = Path(
    env.str("KNOWLEDGE_INDEX_DIR", default=str(BASE_DIR / "var" / "knowledge-index"))
)
KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES = env.int(
    "KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES", default=20_000
)
# A worker decides up to this many waiting tickets in one go (one transaction; 1: one at a
# time), claiming them in the cache for RESOLVE_CLAIM_SECONDS (resolution/services/batch.py).
RESOLVE_BATCH_SIZE = env.int("RESOLVE_BATCH_SIZE", default=8)
# With a broker, a new ticket queues a batch task only when none is queued and not yet started,
# not a task of its own (resolution/services/batch.py): a task per batch instead of eight. The
# mark that says so lives in the cache, so it needs one cache shared by the web and worker
# processes (CACHE_URL); with a per-process cache each ticket queues its own task.
RESOLVE_ONE_TASK_PER_BATCH = env.bool(
    "RESOLVE_ONE_TASK_PER_BATCH",
    default=CACHES["default"]["BACKEND"]
    not in (
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ),
)
# Web and worker processes load the model and knowledge index at start, not on their first
# ticket (resolution/warmup.py). Off with DEBUG: runserver and the tests start at once.
WARM_UP_AT_START = env.bool("WARM_UP_AT_START", default=not DEBUG)
RESOLVE_CLAIM_SECONDS = env.int("RESOLVE_CLAIM_SECONDS", default=60)
# Earned autonomy (docs/OPERATIONS.md): an intent may answer alone once the lower bound of its
# live precision (one-sided Clopper-Pearson at AUTONOMY_CONFIDENCE, over verified outcomes of
# the last AUTONOMY_WINDOW_DAYS) clears the target on at least AUTONOMY_MIN_VERIFIED tickets;
# an intent in auto whose bound falls below the target drops to draft (the circuit breaker).
AUTONOMY_TARGET_PRECISION = env.float("AUTONOMY_TARGET_PRECISION", default=0.95)
AUTONOMY_MIN_VERIFIED = env.int("AUTONOMY_MIN_VERIFIED", default=30)
AUTONOMY_CONFIDENCE = env.float("AUTONOMY_CONFIDENCE", default=0.95)
AUTONOMY_WINDOW_DAYS = env.int("AUTONOMY_WINDOW_DAYS", default=90)
if not (
    0 < AUTONOMY_TARGET_PRECISION < 1
    and 0 < AUTONOMY_CONFIDENCE < 1
    and AUTONOMY_MIN_VERIFIED >= 1
    and AUTONOMY_WINDOW_DAYS >= 1
):
    raise ImproperlyConfigured(
        "AUTONOMY_TARGET_PRECISION and AUTONOMY_CONFIDENCE must be between 0 and 1 (exclusive); "
        "AUTONOMY_MIN_VERIFIED and AUTONOMY_WINDOW_DAYS at least 1."
    )
# SLAs (docs/OPERATIONS.md, "SLAs and business calendars"): a target this close (real minutes)
# shows "due soon" in the queue and is announced once by the sweep, which runs this often.
SLA_WARNING_MINUTES = env.int("SLA_WARNING_MINUTES", default=60)
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=60.0)
# A rule's "matches" condition gives up on a pattern after this long (a catastrophic regex).
RULE_REGEX_TIMEOUT_SECONDS = env.float("RULE_REGEX_TIMEOUT_SECONDS", default=0.05)
# How many tickets of history `seed_demo` makes (over the last 30 days; 0: none).
DEMO_HISTORY_TICKETS = env.int("DEMO_HISTORY_TICKETS", default=300)
CELERY_BEAT_SCHEDULE["sla-sweep"] = {
    "task": "tickets.tasks.sla_sweep",
    "schedule": SLA_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["check-autonomy-breaker"] = {
    "task": "resolution.tasks.check_autonomy",
    "schedule": 900.0,
}
# What the classifier (and, when not "tfidf", the similarity search) reads: "tfidf" (default,
# light), "embeddings" or "hybrid" (both; needs requirements-embeddings.txt). Takes effect for
# models trained after the change; a model remembers its own featurizer.
INTENT_FEATURIZER = env.str("INTENT_FEATURIZER", default="tfidf")
# The metrics page and API keep their figures this many seconds per date range (0: never):
# a year of a big desk is seconds of database work (docs/BENCHMARKS.md).
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=60)
# Wiring between apps: tickets asks for valid intents without importing resolution.
TICKET_INTENT_CHOICES = "resolution.selectors.intent_slugs"
# ... and the intents' names (slug -> name) that dropdowns show instead of raw slugs.
TICKET_INTENT_NAMES = "resolution.selectors.intent_names"
# ... and the AI's draft answer that the agents' reply box starts from ("" for none).
TICKET_REPLY_DRAFT = "resolution.selectors.pending_draft"
# A customer's data export and erasure (accounts/privacy.py) asks these modules for their part.
PRIVACY_PROVIDERS = [
    "tickets.privacy",
    "feedback.privacy",
    "resolution.privacy",
    "channels.privacy",
]
LLM_BASE_URL = env.str("LLM_BASE_URL", default="")
LLM_MODEL = env.str("LLM_MODEL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=5.0)

# --- Channels: e-mail in and out, webhooks, attachments, voice notes (issue 16) -----------------
# docs/OPERATIONS.md "Channels". Where customers' e-mail replies go (default: DEFAULT_FROM_EMAIL);
# with EMAIL_REPLY_PLUS_TOKEN each ticket's replies go to support+t<id>-<signature>@… as well.
EMAIL_REPLY_ADDRESS = env.str("EMAIL_REPLY_ADDRESS", default="")
EMAIL_REPLY_PLUS_TOKEN = env.bool("EMAIL_REPLY_PLUS_TOKEN", default=False)
# The domain of the Message-IDs the desk mints (default: DEFAULT_FROM_EMAIL's domain).
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")
# Larger e-mails are refused with a log line (a Postfix pipe bounces them).
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=40 * 1024 * 1024)
INBOUND_EMAIL_POLL_SECONDS = env.float("INBOUND_EMAIL_POLL_SECONDS", default=60.0)
IMAP_TIMEOUT_SECONDS = env.float("IMAP_TIMEOUT_SECONDS", default=30.0)
# How long the "did this solve it?" links in automatic answers work.
EMAIL_FEEDBACK_LINK_DAYS = env.int("EMAIL_FEEDBACK_LINK_DAYS", default=30)
# Providers' inbound webhooks (django-anymail): basic-auth secret in the URL, and Mailgun's
# signing key. Without INBOUND_WEBHOOK_SECRET the inbound webhook URLs do not exist.
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("INBOUND_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}
# Webhooks out: a short timeout (a dead endpoint must not hold a worker), retries with
# exponential backoff from WEBHOOK_RETRY_SECONDS, at most WEBHOOK_MAX_ATTEMPTS attempts.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_SECONDS = env.float("WEBHOOK_RETRY_SECONDS", default=30.0)
# Refuse endpoints on private, loopback and link-local addresses (SSRF) unless allowed.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# Attachments (portal, API, e-mail): the type is read from the file's bytes, never taken from
# the sender's word; anything else is refused. Served only as downloads.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_PER_MESSAGE = env.int("ATTACHMENT_MAX_PER_MESSAGE", default=10)
ATTACHMENT_CONTENT_TYPES = env.list(
    "ATTACHMENT_CONTENT_TYPES",
    default=[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/x-wav",
        "audio/webm",
        "video/webm",
    ],
)
# Voice notes: an optional OpenAI-compatible /audio/transcriptions endpoint (like LLM_*).
TRANSCRIBE_BASE_URL = env.str("TRANSCRIBE_BASE_URL", default="")
TRANSCRIBE_MODEL = env.str("TRANSCRIBE_MODEL", default="whisper-1")
TRANSCRIBE_API_KEY = env.str("TRANSCRIBE_API_KEY", default="")
TRANSCRIBE_TIMEOUT_SECONDS = env.float("TRANSCRIBE_TIMEOUT_SECONDS", default=60.0)
# Wiring between apps: tickets asks for a voice note's text without importing channels.
TICKET_TRANSCRIBER = "channels.services.voice.transcribe"
CELERY_BEAT_SCHEDULE.update(
    {
        "poll-mailboxes": {
            "task": "channels.tasks.poll_mailboxes",
            "schedule": INBOUND_EMAIL_POLL_SECONDS,
        },
        "retry-webhook-deliveries": {
            "task": "channels.tasks.retry_due_webhook_deliveries",
            "schedule": 60.0,
        },
    }
)
# --- end of channels ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
