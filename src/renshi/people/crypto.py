"""Encryption at rest for resident IDs and bank accounts: AES-256-GCM with a key ring.

``RENSHI_ENCRYPTION_KEYS`` is ``"kid1:<key>,kid0:<key>"``, each key the URL-safe base64 of 32
random bytes. The first key encrypts; every key decrypts, so a new key can be put first and the
old values re-encrypted at leisure (``people_keys_rotate``). A token reads
``v1:<kid>:<nonce>:<ciphertext and tag>``, both parts URL-safe base64 without padding.

The *purpose* (``employee.id_number``) is the GCM associated data: a token copied from one
field into another does not decrypt there. ``lookup_hash`` is an HMAC-SHA256 under a separate
``RENSHI_LOOKUP_KEY``, so finding an employee by ID needs no decryption and rotating the
encryption keys leaves every hash as it was.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, GCM's native nonce size
ID_NUMBER_PURPOSE = "employee.id_number"
BANK_ACCOUNT_PURPOSE = "employee.bank_account"
_KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class UnknownKeyError(CoreError):
    template = gettext_noop(
        "{field}: the value was encrypted with key '{kid}', which RENSHI_ENCRYPTION_KEYS "
        "no longer holds"
    )


class DecryptionError(CoreError):
    template = gettext_noop(
        "{field}: the encrypted value is damaged, was altered, or belongs to another field"
    )


@dataclass(frozen=True, slots=True)
class KeyRing:
    current: str  # the kid that encrypts
    keys: dict[str, bytes]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=8)
def parse_key_ring(text: str) -> KeyRing:
    """Read ``"kid:key,kid:key"``; a bad entry is a configuration error naming the kid."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not _KID_RE.match(kid):
            raise ImproperlyConfigured(
                "RENSHI_ENCRYPTION_KEYS: each entry must read 'kid:key' with a key id of "
                "letters, digits, '-' or '_'"
            )
        try:
            key = _b64decode(encoded.strip())
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"RENSHI_ENCRYPTION_KEYS: key '{kid}' must be the URL-safe base64 of "
                f"{KEY_BYTES} bytes"
            )
        if kid in keys:
            raise ImproperlyConfigured(f"RENSHI_ENCRYPTION_KEYS: key id '{kid}' appears twice")
        keys[kid] = key
        order.append(kid)
    if not order:
        raise ImproperlyConfigured(
            "RENSHI_ENCRYPTION_KEYS is not set (make a key with: renshi keys generate)"
        )
    return KeyRing(current=order[0], keys=keys)


def key_ring() -> KeyRing:
    return parse_key_ring(settings.RENSHI_ENCRYPTION_KEYS)


def current_kid() -> str:
    return key_ring().current


def generate_key(kid: str) -> str:
    """A new key-ring entry ``kid:<key>`` from the operating system's random source."""
    if not _KID_RE.match(kid):
        raise ImproperlyConfigured(
            "a key id is 1 to 32 letters, digits, '-' or '_' (it is stored in every token)"
        )
    return f"{kid}:{_b64encode(os.urandom(KEY_BYTES))}"


def encrypt(value: str, *, purpose: str) -> str:
    """``value`` encrypted under the current key, bound to ``purpose``."""
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current]).encrypt(
        nonce, value.encode("utf-8"), purpose.encode("utf-8")
    )
    return f"{VERSION}:{ring.current}:{_b64encode(nonce)}:{_b64encode(sealed)}"


def token_kid(token: str) -> str:
    """The key id a token was encrypted with ("" when it is not a token of ours)."""
    parts = token.split(":")
    return parts[1] if len(parts) == 4 and parts[0] == VERSION else ""


def decrypt(token: str, *, purpose: str) -> str:
    """The clear text of ``token``; ``UnknownKeyError`` or ``DecryptionError`` otherwise."""
    parts = token.split(":")
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError(field=purpose)
    _, kid, nonce_text, sealed_text = parts
    key = key_ring().keys.get(kid)
    if key is None:
        raise UnknownKeyError(field=purpose, kid=kid)
    try:
        nonce, sealed = _b64decode(nonce_text), _b64decode(sealed_text)
        if len(nonce) != NONCE_BYTES:
            raise DecryptionError(field=purpose)
        clear = AESGCM(key).decrypt(nonce, sealed, purpose.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError(field=purpose) from None
    return clear.decode("utf-8")


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` under ``RENSHI_LOOKUP_KEY``: equal values, equal hashes."""
    key = settings.RENSHI_LOOKUP_KEY
    if not key:
        raise ImproperlyConfigured("RENSHI_LOOKUP_KEY is not set")
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
