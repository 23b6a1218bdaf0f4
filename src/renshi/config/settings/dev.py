"""Development and the embedded default (``make run``): SQLite, debug pages, local hosts."""

from renshi.config.settings.base import *  # noqa: F403
from renshi.config.settings.base import ALLOWED_HOSTS, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

# Static files straight from the apps and node_modules (no collectstatic needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
