"""Production: PostgreSQL via ``DATABASE_URL``, a real secret key, hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from renshi.config.settings.base import *  # noqa: F403
from renshi.config.settings.base import (
    ALLOWED_HOSTS,
    RENSHI_ENCRYPTION_KEYS,
    RENSHI_EVIDENCE_KEY,
    RENSHI_LOOKUP_KEY,
    SECRET_KEY,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("RENSHI_SECRET_KEY must be set in production")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("RENSHI_ALLOWED_HOSTS must name the site's host names")
if not RENSHI_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "RENSHI_ENCRYPTION_KEYS must be set in production (make a key: renshi keys generate)"
    )
if not RENSHI_LOOKUP_KEY:
    raise ImproperlyConfigured("RENSHI_LOOKUP_KEY must be set in production")
if not RENSHI_EVIDENCE_KEY:
    raise ImproperlyConfigured(
        "RENSHI_EVIDENCE_KEY must name the evidence signing key in production "
        "(make one: renshi evidence keygen --out PATH)"
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
