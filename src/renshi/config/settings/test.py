"""The test suite: ``DATABASE_URL`` selects PostgreSQL, otherwise SQLite."""

import tempfile
from pathlib import Path

from renshi.config.settings.base import *  # noqa: F403
from renshi.config.settings.base import RENSHI_ENCRYPTION_KEYS, RENSHI_LOOKUP_KEY

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# TESTS ONLY, public and therefore not secret (decodes to "renshi-test-key-0-not-a-secret!!").
RENSHI_ENCRYPTION_KEYS = (
    RENSHI_ENCRYPTION_KEYS or "test0:cmVuc2hpLXRlc3Qta2V5LTAtbm90LWEtc2VjcmV0ISE="  # noqa: S105
)
RENSHI_LOOKUP_KEY = RENSHI_LOOKUP_KEY or "test-only-lookup-key-not-a-secret"  # noqa: S105
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files straight from the apps and node_modules (no collectstatic needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite tests use a file, not memory, so that Celery worker processes started by the fan-out
# test can open the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-renshi.sqlite3")}  # noqa: F405

# Tests drive time-driven work with a simulated clock (alert_tick(now=...)), never by requests.
RENSHI_EMBEDDED_TICK_SECONDS = 0

# Files the tests upload go to a directory of their own, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="renshi-test-media-"))
