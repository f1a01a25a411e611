"""Settings for the tracker: one file, read from the environment.

Contract (DESIGN.md "Configuration"): DATABASE_URL (default: an SQLite file in the
project), SECRET_KEY, DEBUG (on only for `make run`), ALLOWED_HOSTS (comma-separated).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from tracker.storage import documents_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Fail closed (issue 13): a key in the repository would let anyone forge signed links and sessions,
# so with DEBUG off there is no fallback. `make run` sets DEBUG=1; the tests get a random key per run
# (tests/secret_key.py).
DEVELOPMENT_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or (DEVELOPMENT_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG off the tracker will not start on a public key. Set SECRET_KEY "
        "to a long random value, e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
        "(or set DEBUG=1 for development on your own machine)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests (a new PostgreSQL connection costs a few milliseconds) and
# checked before reuse, so a database that went away and came back is reconnected, not an error.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

INSTALLED_APPS = [
    # The admin's default site demands a verified second factor (tracker/apps.py, two_factor).
    "tracker.apps.OTPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "core",
    "incidents",
    "cases",
    "dashboard",
    "monitoring",
    "alerts",
    # Background work (issue 19): Django's Tasks API (the django-tasks backport), its database
    # backend, and the project's jobs (retries, the schedule, a killed worker's tasks run again).
    "django_tasks",
    "django_tasks_db",
    "jobs",
    # Hardening (issue 6): staff 2FA, login throttling, Content-Security-Policy, commands.
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "csp",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "tracker.middleware.DatabaseUnavailableMiddleware",
    "tracker.middleware.RateLimitMiddleware",
    # After the security headers and the rate limit (a cached page is still counted and refused), before
    # sessions, CSRF, authentication and the second factor: a request without a cookie has no session to
    # load and no user to check, so a cached page costs none of that (tracker/pagecache.py).
    "tracker.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the path alone: English unprefixed, Urdu under /ur/ (tracker/urls.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracker.middleware.StaffSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Bad ids and lookups in admin addresses: 400/404, not 500 (tracker/admin_errors.py).
    "tracker.admin_errors.AdminBadInputMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "tracker.context_processors.site",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# English at the unprefixed paths, Urdu under /ur/ (DESIGN.md "Public interface"). The tracker's own
# catalogue (locale/ur/) translates everything its users see, Django's admin strings included:
# Django's Urdu catalogue is incomplete.
LANGUAGES = [("en-gb", "English"), ("ur", "اردو")]
# Two catalogues. locale/ur/ is the tracker's own, rewritten by `make messages` (makemessages).
# locale/django/ur/ completes and corrects Django's Urdu catalogues (admin, auth, form validation:
# Django leaves many of the admin's strings untranslated) and is edited by hand: makemessages never
# writes there, since it never walks into a directory named "locale" and assigns each source file to
# the first locale path whose parent directory contains it, and no source file is under locale/.
# compilemessages compiles both. The first path wins when both translate one message.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django"]
# Urdu dates and numbers (tracker/formats/ur/formats.py): Django has no format module for "ur".
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` (run by `make serve`) puts the hashed, compressed files that whitenoise serves.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # The manifest (collectstatic) only when deployed (see PRODUCTION below): tests render
            # {% static %} with DEBUG off and no collectstatic.
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or "ALLOWED_HOSTS" not in env.ENVIRON
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Court documents (cases.documents): the file system under MEDIA_ROOT by default, an S3-compatible
# bucket with DOCUMENTS_STORAGE=s3 (tracker/storage.py). MEDIA_ROOT is never served: every download
# goes through the view that applies the visibility rule. Uploads over DOCUMENT_MAX_BYTES are refused.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES["documents"] = documents_storage(env.ENVIRON)
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Tests and `make run` serve static files without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Staff sign in through two_factor's wizard (password, then TOTP or a backup code);
# /admin/login/ redirects there (AdminSiteOTPRequired).
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "/"

# ATA 1997 s.19(7): the clock counts working days. Weekday numbers as in
# datetime.date.weekday(): Monday is 0. Gazetted holidays live in the Holiday table.
WORKING_WEEKDAYS = env.list("WORKING_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4])
STATUTORY_LIMIT_WORKING_DAYS = 7

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Session only: HTTP Basic would let a password alone (no second factor) read staff views of the API.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tracker API",
    "DESCRIPTION": "Read-only data on sectarian and terrorist violence in Pakistan and its trials.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: Swagger UI would otherwise send the schema's URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The API is public and read-only: document no login schemes (a staff session still works).
    "AUTHENTICATION_WHITELIST": [],
    # Several models have a field named "outcome" or use the stages: one schema name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "HearingOutcomeEnum": "cases.models.HearingOutcome",
        "AppealOutcomeEnum": "cases.models.AppealOutcome",
        "VictimOutcomeEnum": "incidents.models.VictimOutcome",
        "StageEnum": "cases.models.Stage",
    },
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# E-mail (alerts and staff digests): EMAIL_URL names the SMTP server, e.g.
# smtp+tls://user:password@mail.example.org:587 (django-environ; user and password URL-encoded);
# without it mail is printed to the console (or goes to EMAIL_BACKEND, a Django backend path).
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# A mail server that does not answer fails the request in seconds (the follow page says so), not never.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tracker <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address of the site, for links in e-mails sent by commands (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Production hardening: on when deployed, i.e. DEBUG off and ALLOWED_HOSTS given (as DESIGN.md's
# "Configuration" describes). Tests and `make run` talk plain HTTP to localhost and leave it off.
PRODUCTION = not DEBUG and "ALLOWED_HOSTS" in env.ENVIRON
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line passes tracker.redact: no iCalendar or e-mail link token in the log (issue 13).
    "filters": {"redact_secrets": {"()": "tracker.redact.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Hardening (issue 6): authentication, throttling, CSP, rate limits, failure behaviour ---
from csp.constants import NONCE, NONE, SELF  # noqa: E402

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+IP is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock that pair out for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client address from the same helper (and the same trusted-proxy setting) as the rate limits:
# behind a proxy, a lockout is the attacker's address, not the proxy's (issue 13).
AXES_CLIENT_IP_CALLABLE = "tracker.security.axes_client_ip"
# The hour counts from the lockout: further attempts during it do not start it again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracker.security.lockout_response"
AXES_USERNAME_CALLABLE = "tracker.security.axes_username"  # two_factor's wizard prefixes its fields
AXES_SENSITIVE_PARAMETERS = ["password", "auth-password", "token-otp_token", "backup-otp_token"]

# The strongest password rules Django ships (see AUTH_PASSWORD_VALIDATORS above), and 2FA for
# every staff user: TOTP apps plus one-time backup codes, no phone or e-mail gateways.
TWO_FACTOR_REMEMBER_COOKIE_AGE = None
OTP_TOTP_ISSUER = "Tracker"
# A signed-in user who has not passed the second factor can use only the sign-in pages below
# (everywhere else they are sent to set up 2FA or enter their code), so a password alone never
# shows a draft (tracker.middleware.StaffSecurityMiddleware). Anonymous visitors to the
# login-required prefixes go to the login wizard; the admin enforces 2FA itself too.
OTP_EXEMPT_PATH_PREFIXES = ["/account/"]
LOGIN_REQUIRED_PATH_PREFIXES = ["/staff/"]
# Responses on these paths, and every response to a signed-in user, get Cache-Control: no-store.
NO_STORE_PATH_PREFIXES = ["/staff/", "/admin/", "/account/"]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# Content-Security-Policy (django-csp 4): nothing inline without a per-request nonce, nothing
# from another origin, no framing. `data:` images are the admin's and Swagger UI's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [
            SELF,
            NONCE,
            # The admin change list's one inline <style> (shown when a model has no actions).
            "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='",
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# The shared cache (tracker/cache.py): rate-limit counters, the data version, cached pages and cached
# statistics, seen alike by every server process and every host. The database by default (the table
# `tracker_cache`, made by `migrate`: nothing else to run); Redis when REDIS_URL is set
# (e.g. redis://127.0.0.1:6379/0), its values signed with SECRET_KEY, since Redis lets any local
# user write. CACHE_KEY_PREFIX keeps two sites on one Redis apart.
REDIS_URL = env.str("REDIS_URL", default="")
DATABASE_CACHE_TABLE = "tracker_cache"
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="tracker")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "serializer": "tracker.cache.SignedSerializer",
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=5000)},
        }
    }
# The data version (tracker/dataversion.py): the database counts every committed change to the
# public tables; the app copies the count into the shared cache when it commits a change, and a
# process trusts that copy for at most this many seconds (the bound on how late a change made
# outside the app, e.g. in psql, is seen). 0 reads the database's count on every request, which
# costs no more than reading the cache when the cache is the database: the default then.
DATA_VERSION_CACHE_SECONDS = env.int("DATA_VERSION_CACHE_SECONDS", default=2 if REDIS_URL else 0)

# Public pages for anonymous readers, from the shared cache (tracker/pagecache.py): retired at once
# by any committed change to the data (a new data version); kept this many seconds at most; 0 = off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_EXCLUDED_PREFIXES = ["/staff/", "/admin/", "/account/", "/follow/", "/healthz", "/static/"]
# The filter form of the incident and case lists, rendered once per data version, language and filter
# values (incidents/listing.py ``rendered_filter_form``), for every reader; kept this many seconds at
# most; 0 = off.
FILTER_FORM_CACHE_SECONDS = env.int("FILTER_FORM_CACHE_SECONDS", default=600)

# Computed statistics per filter set (dashboard/cache.py), kept under the data version and the day:
# this many seconds at most (0 = off). One computation per filter set at a time: a computation holds
# its lock at most STATISTICS_LOCK_SECONDS; readers meanwhile get the previous figures, marked with
# their time, or wait. After a committed change the unfiltered figures are computed again in the
# background, STATISTICS_REFRESH_DELAY seconds later and at most once per STATISTICS_REFRESH_INTERVAL.
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=86400)
STATISTICS_LOCK_SECONDS = env.int("STATISTICS_LOCK_SECONDS", default=120)
# A reader waits this long for figures another reader is computing (when there are no earlier ones
# to show), then gets a "being computed" page that reloads itself: one process computes, the others
# go on answering the rest of the site. 0: no waiting (each waiting reader would hold a server
# process: gunicorn's workers are synchronous).
STATISTICS_WAIT_SECONDS = env.float("STATISTICS_WAIT_SECONDS", default=0.0)
STATISTICS_REFRESH_DELAY = env.float("STATISTICS_REFRESH_DELAY", default=1.0)
STATISTICS_REFRESH_INTERVAL = env.float("STATISTICS_REFRESH_INTERVAL", default=60.0)

# Rate limits per client address, counted in Django's cache (tracker.middleware.RateLimitMiddleware):
# name -> (requests, window in seconds). Generous: they stop scrapers and floods, not readers.
RATE_LIMITS = {
    "api": (env.int("RATE_LIMIT_API", default=600), 60),
    "csv": (env.int("RATE_LIMIT_CSV", default=60), 60),
    "follow": (env.int("RATE_LIMIT_FOLLOW", default=20), 60),
}
# Set when a trusted reverse proxy puts the client address in X-Forwarded-For (its right-most entry).
RATE_LIMIT_TRUST_X_FORWARDED_FOR = env.bool("RATE_LIMIT_TRUST_X_FORWARDED_FOR", default=False)

# A database that does not answer fails a request in seconds (503), not minutes.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))
    # The statistics group tens of thousands of rows per query: with PostgreSQL's default 4 MB
    # of sort memory they spill to disk. Per sort, per connection; 64 MB × 5 workers is small.
    # At 1,000,000 incidents the justice counts group 375,000 charges by incident: with 32 MB
    # PostgreSQL sorted them on disk (13 MB "external merge"), with 64 MB it hashes them in memory.
    # Measured on the statistics at 1,000,000 incidents (bench/bench_pages.py --cold): the JIT
    # spends ~0.5 s compiling those grouped queries for nothing (jit=off); with the default
    # parallel_tuple_cost PostgreSQL misjudges the few groups a grouped join over millions of
    # hearings returns and runs it in one process, twice as slow as in parallel (0.01).
    options.setdefault(
        "options",
        f"-c work_mem={env.str('DB_WORK_MEM', default='64MB')} -c jit=off -c parallel_tuple_cost=0.01",
    )

# Background tasks (jobs/queue.py): the queue lives in the database (django_tasks_db) and
# `manage.py worker` runs it. TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs
# every task at once in the process that queues it (the tests do).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
TASK_RETRY_BACKOFF_SECONDS = env.float("TASK_RETRY_BACKOFF_SECONDS", default=60)
# A task RUNNING this long is taken to have lost its worker (on another host) and runs again.
TASK_STALE_SECONDS = env.int("TASK_STALE_SECONDS", default=6 * 3600)
TASK_SCHEDULER_INTERVAL = env.float("TASK_SCHEDULER_INTERVAL", default=30)
# What the worker's scheduler queues, and when, in TIME_ZONE (jobs/schedule.py); TASK_SCHEDULE, a JSON
# object of the same shape in the environment, replaces it.
TASK_SCHEDULE = {
    "alerts-digest": {"task": "alerts.tasks.send_alert_digests", "every": "day", "at": "06:00"},
    "staff-worklist-digest": {
        "task": "alerts.tasks.send_staff_worklist_digests",
        "every": "week",
        "weekday": 0,
        "at": "07:00",
    },
    "backup": {"task": "tracker.tasks.backup_database", "every": "day", "at": "02:00"},
    "holidays": {"task": "cases.tasks.extend_holidays", "every": "year", "date": "12-01", "at": "03:00"},
    "statistics-check": {"task": "dashboard.tasks.check_cached_statistics", "every": "day", "at": "03:30"},
}
TASK_SCHEDULE = env.json("TASK_SCHEDULE", default=TASK_SCHEDULE)
# Daily backups kept by the scheduled backup (the oldest beyond this are deleted).
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "backups")))
# Files uploaded to the admin's import wait here for the editor's confirmation (incidents/import_admin.py):
# a folder of the project only the server's user may enter (made 0700), never the shared /tmp.
IMPORT_UPLOAD_DIR = Path(env.str("IMPORT_UPLOAD_DIR", default=str(BASE_DIR / "uploads")))
# Limits an import checks before reading a file (incidents/importing/readers.py): its size, its data
# rows, and how far an XLSX (a zip) may expand when unzipped (a "zip bomb" is refused unopened).
IMPORT_MAX_UPLOAD_MB = env.float("IMPORT_MAX_UPLOAD_MB", default=20)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_XLSX_EXPANDED_MB = env.float("IMPORT_MAX_XLSX_EXPANDED_MB", default=200)

LOGGING["loggers"] = {
    # Logins, logouts, failures, lockouts and refusals: never a password, token or OTP code.
    "tracker.security": {"level": "INFO"},
    # runserver's request lines (`make run`) through the same redacting handler as everything else.
    "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
}
