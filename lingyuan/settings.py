"""Settings for the Lingyuan plan-target tracker, read from the environment.

Every setting that differs between a laptop and a server comes from an environment
variable (or a `.env` file beside manage.py); `.env.example` lists them with defaults.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

BASE_DIR = Path(__file__).resolve().parent.parent


def read_dotenv(path: Path, environ=os.environ) -> None:
    """Put a .env file's settings into the environment, without overriding it.

    Read as a shell reads it: `export KEY=value`, quoted values, and a comment after a value
    (`DEBUG=0   # production` is 0). Values are taken as written: `${NAME}` is not expanded.
    """
    for key, value in dotenv_values(path, interpolate=False, encoding="utf-8").items():
        if value is not None:  # a bare KEY line sets nothing
            environ.setdefault(key, value)


read_dotenv(BASE_DIR / ".env")


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracker.middleware.ChosenLanguageOnly",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Under /public/: a rate limit per client address and cache validators, before the
    # CSRF check, the user and the view (tracker/public/http.py).
    "tracker.public.http.PublicResponses",
    # Before the CSRF check, which reads the body: refuses bodies over the view's limit.
    "tracker.uploads.CapRequestBodies",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous visitors see the login page and nothing else.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and language are known, so its 404 and 400 are the site's own pages.
    "tracker.middleware.UnstorableTextRefused",
    "tracker.middleware.WrongMethodPage",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins per user name and address, and locks both out for a while.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Proxies in front of the server (nginx: 1). Failed sign-ins are counted against the
# client's address, which the last of them adds to X-Forwarded-For (tracker.network).
PROXY_COUNT = envint("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "tracker.network.client_address"

# Content Security Policy: only this site's own files run or load. Inline style attributes
# remain allowed: the bars and badges size and colour themselves with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "lingyuan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "lingyuan.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other (up to 20 s) instead of failing with "database is locked":
    # a transaction takes the write lock as it begins, since SQLite cannot wait to upgrade a
    # transaction that has read to one that writes while another connection writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tracker" / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"


def file_storage(env) -> dict:
    """Where evidence files live: MEDIA_ROOT on local disk by default, or an S3-compatible
    bucket when FILE_STORAGE=s3, so that several app servers share them (see README).
    """
    kind = env.get("FILE_STORAGE", "local") or "local"
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {kind!r}")
    if not env.get("S3_BUCKET"):
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["S3_BUCKET"],
            # Empty for Amazon itself; the address of MinIO, Ceph or a cloud's own service.
            "endpoint_url": env.get("S3_ENDPOINT_URL") or None,
            "region_name": env.get("S3_REGION") or None,
            # Empty: boto3 finds credentials itself (instance role, ~/.aws, AWS_* variables).
            "access_key": env.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("S3_SECRET_ACCESS_KEY") or None,
            "location": env.get("S3_PREFIX", ""),
            # Evidence is served through the app, which checks who is signed in; the bucket
            # stays private and two files of the same name never replace each other.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# No state in a process or on its disk, so that several app servers can share one database:
# sessions and login lockouts are rows in it, and nothing is cached per process.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # The public pages' rate limit counts requests per client address here: a table of the
    # database (made by `migrate`, tracker.apps), so every app server counts together.
    # Its increments are a read and a write, not atomic: a burst of one address's requests
    # at the same instant may be counted a little short. The limit is a guard against
    # floods, not a quota.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tracker_ratelimit_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("PUBLIC_RATE_LIMIT_ENTRIES", 10000)},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:plan-list"
LOGOUT_REDIRECT_URL = "/accounts/login/?signed_out=1"

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# Upload limits, in bytes. REQUEST_MAX_BYTES caps any request body (an entry page may carry
# several evidence files); the import views accept IMPORT_MAX_BYTES and a little more.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", 30 * 1024 * 1024)
# How long a previewed import waits for its user to confirm it.
IMPORT_PREVIEW_MINUTES = envint("IMPORT_PREVIEW_MINUTES", 60)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
# A form body without files (the largest is a 2,000-target entry page) stays far below this;
# files are capped per view before they are read (tracker.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# Uploads larger than this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Reasons for a change (returns, reopenings, closed years, imports) are as long as people
# write them: the history keeps them in a text column, not in varchar(100).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Mail: deadline reminders, review notices and the weekly digest (tracker/reminders/mail.py).
# While DEBUG, mail is printed on the console unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# For django.core.mail.backends.filebased.EmailBackend: the folder the mails are written to.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mail are absolute: the address people open the tracker at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# Reminders go this many days before a deadline, on it, then weekly while it is overdue.
REMINDER_DAYS_BEFORE = envint("REMINDER_DAYS_BEFORE", 7)
# The administrators' weekly digest goes out on this weekday (0 Monday ... 6 Sunday).
DIGEST_WEEKDAY = envint("DIGEST_WEEKDAY", 0)

# Production switches: secure by default when DEBUG is off, each one overridable.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload directive only matters once the domain is submitted to the browsers' list.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Everything goes to standard error (gunicorn and systemd keep it). Every server error is
# logged by django.request with its traceback, the request's method and path, and the user;
# a refused request (403) in one line, with why, without a traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"forbidden_in_one_line": {"()": "tracker.log_filters.ForbiddenInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["forbidden_in_one_line"],
        },
    },
}

# The public pages and open data of published plans (/public/, tracker/public/).
# Responses may be kept by browsers and proxies this many seconds before asking again
# (then a 304 answers when nothing changed).
PUBLIC_MAX_AGE = envint("PUBLIC_MAX_AGE", 60)
# Requests per client address (tracker.network.client_address, as the sign-in lock-out
# counts them) over a period: "120/m" is 120 a minute; s, m, h or d. Empty: no limit.
PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "120/m") or None
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_CACHE_PREFIX = "public:"
# The licence the open data is published under (datapackage.json, data.json): by default
# Creative Commons Attribution 4.0; a government's own open-data terms (政务公开) otherwise.
OPEN_DATA_LICENSE_NAME = os.environ.get("OPEN_DATA_LICENSE_NAME", "CC-BY-4.0")
OPEN_DATA_LICENSE_PATH = os.environ.get(
    "OPEN_DATA_LICENSE_PATH", "https://creativecommons.org/licenses/by/4.0/"
)
OPEN_DATA_LICENSE_TITLE = os.environ.get(
    "OPEN_DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0"
)
