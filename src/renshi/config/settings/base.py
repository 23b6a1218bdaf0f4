"""Settings shared by every environment; values that differ per installation come from the
environment (see the README's configuration table)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/renshi
PROJECT_DIR = PACKAGE_DIR.parents[1]  # the checkout (for node_modules in development)
DATA_DIR = Path(os.environ.get("RENSHI_DATA_DIR", Path.cwd() / "var")).resolve()
NODE_MODULES_DIR = Path(os.environ.get("RENSHI_NODE_MODULES", PROJECT_DIR / "node_modules"))

SECRET_KEY = os.environ.get("RENSHI_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("RENSHI_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "renshi.web",
    "renshi.policies",
    "renshi.calc",
    "renshi.people",
    "renshi.attendance",
    "renshi.payroll",
    "renshi.access",
    "renshi.alerts",
    "renshi.notices",
    "renshi.evidence",
    "renshi.portal",
    "renshi.backpay",
    "renshi.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "renshi.web.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "renshi.alerts.middleware.EmbeddedTickMiddleware",
]

ROOT_URLCONF = "renshi.config.urls"
WSGI_APPLICATION = "renshi.config.wsgi.application"

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
                "renshi.web.context_processors.language_neutral_path",
                "renshi.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'renshi.sqlite3'}"),
        conn_max_age=int(os.environ.get("RENSHI_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; a busy timeout instead of errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Renshi's roles grant the admin's model permissions (renshi.access.backends); ModelBackend
# still signs people in and keeps any permissions given by hand.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "renshi.access.backends.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploads (contract and training attachments, scanned postal receipts) live with the data.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end libraries come from the npm registry at setup (package.json), never from a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES_DIR / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES_DIR / "echarts" / "dist"),
]

# A simulated clock for a demonstration (`make run` with DEMO=1 sets it to the demo company's
# moment): RENSHI_NOW, ISO 8601 with an offset, is "now" for everything time-driven
# (renshi.clock.now). Never set in production.
RENSHI_NOW_FORMAT_ERROR = (
    "RENSHI_NOW must be an ISO 8601 date and time with an offset, such as "
    "2025-11-07T09:00:00+08:00; it is {value!r}"
)
RENSHI_SIMULATED_NOW: datetime.datetime | None = None
if _now := os.environ.get("RENSHI_NOW", "").strip():
    try:
        RENSHI_SIMULATED_NOW = datetime.datetime.fromisoformat(_now)
    except ValueError:
        raise ImproperlyConfigured(RENSHI_NOW_FORMAT_ERROR.format(value=_now)) from None
    if RENSHI_SIMULATED_NOW.utcoffset() is None:
        raise ImproperlyConfigured(RENSHI_NOW_FORMAT_ERROR.format(value=_now))

# Where notices' personal links point (the public address of this installation).
RENSHI_PUBLIC_URL = os.environ.get("RENSHI_PUBLIC_URL", "http://127.0.0.1:8000")
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
DEFAULT_FROM_EMAIL = os.environ.get("RENSHI_FROM_EMAIL", "renshi@localhost")
EMAIL_HOST = os.environ.get("RENSHI_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RENSHI_SMTP_PORT", "25"))

# The policy library: bundled files, then this directory's files replace whole cities.
RENSHI_POLICY_DIR = os.environ.get("RENSHI_POLICY_DIR", "")

# Resident IDs and bank accounts are encrypted at rest (renshi.people.crypto). The key ring is
# "kid:<urlsafe base64 of 32 bytes>,..." (make one with `renshi keys generate`): the first key
# encrypts, every key decrypts. The lookup key makes the keyed hash that finds an ID without
# decrypting it; it is separate so that rotating the encryption keys leaves the hashes alone.
RENSHI_ENCRYPTION_KEYS = os.environ.get("RENSHI_ENCRYPTION_KEYS", "")
RENSHI_LOOKUP_KEY = os.environ.get("RENSHI_LOOKUP_KEY", "")

# Celery: Redis at scale; with no broker configured (the embedded default) tasks run inline.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Time-driven work (warnings, notices, escalation, evidence checkpoints): Celery beat in
# production...
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "renshi.alerts.tick", "schedule": 300.0},
}
# ...and, in the embedded installation with no beat, after a request at most this often.
RENSHI_EMBEDDED_TICK_SECONDS = int(
    os.environ.get("RENSHI_EMBEDDED_TICK_SECONDS", "0" if CELERY_BROKER_URL else "300")
)

# The evidence log (renshi.evidence). RENSHI_EVIDENCE_KEY is the path to the PEM Ed25519 private
# key that signs its checkpoints (make one with `renshi evidence keygen`); without it a key is
# generated under RENSHI_DATA_DIR/evidence/, with a warning: fine for development and tests, not
# for production, where the key must be kept (and backed up) apart from the database.
# RENSHI_EVIDENCE_TRUSTED_KEYS: comma-separated paths to public keys (PEM) of earlier signing
# keys, whose checkpoints still verify after a key change. RENSHI_EVIDENCE_ORIGIN names the log
# in its checkpoints (default: the host of RENSHI_PUBLIC_URL + "/evidence").
# RENSHI_EVIDENCE_CHECKPOINT_SECONDS: a scheduled checkpoint is made when the log has grown and
# the last one is at least this old. RENSHI_TSA_URL: an RFC 3161 timestamp authority that
# countersigns each checkpoint (empty: none); RENSHI_TSA_CA_FILE: the PEM certificates its
# tokens are verified against (required with a URL).
RENSHI_EVIDENCE_KEY = os.environ.get("RENSHI_EVIDENCE_KEY", "")
RENSHI_EVIDENCE_TRUSTED_KEYS = [
    path.strip()
    for path in os.environ.get("RENSHI_EVIDENCE_TRUSTED_KEYS", "").split(",")
    if path.strip()
]
RENSHI_EVIDENCE_ORIGIN = os.environ.get("RENSHI_EVIDENCE_ORIGIN", "")
RENSHI_EVIDENCE_CHECKPOINT_SECONDS = int(
    os.environ.get("RENSHI_EVIDENCE_CHECKPOINT_SECONDS", "3600")
)
RENSHI_TSA_URL = os.environ.get("RENSHI_TSA_URL", "")
RENSHI_TSA_CA_FILE = os.environ.get("RENSHI_TSA_CA_FILE", "")
RENSHI_TSA_TIMEOUT_SECONDS = int(os.environ.get("RENSHI_TSA_TIMEOUT_SECONDS", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RENSHI_LOG_LEVEL", "INFO")},
}
