"""Development and the embedded default (``make run``): SQLite, debug pages, local hosts."""

from renshi.config.settings.base import *  # noqa: F403
from renshi.config.settings.base import (
    ALLOWED_HOSTS,
    RENSHI_ENCRYPTION_KEYS,
    RENSHI_LOOKUP_KEY,
    SECRET_KEY,
)

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
# DEVELOPMENT ONLY, public and therefore not secret: the key decodes to
# "renshi-dev-key-0-not-a-secret!!!". Production refuses to start without real keys.
RENSHI_ENCRYPTION_KEYS = (
    RENSHI_ENCRYPTION_KEYS or "dev0:cmVuc2hpLWRldi1rZXktMC1ub3QtYS1zZWNyZXQhISE="  # noqa: S105
)
RENSHI_LOOKUP_KEY = RENSHI_LOOKUP_KEY or "dev-only-lookup-key-not-a-secret"  # noqa: S105

# Static files straight from the apps and node_modules (no collectstatic needed).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
