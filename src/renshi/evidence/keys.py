"""The Ed25519 key that signs checkpoints: loaded from ``RENSHI_EVIDENCE_KEY``, or a development
key generated once under the data directory.

A development key sits next to the database it vouches for, so whoever can change the one can
re-sign the other: it shows that the signing works, and proves nothing. Production keeps the key
elsewhere (a mounted secret, readable by Renshi only) and publishes the public key, so that
outsiders can check checkpoints with ``openssl`` alone (``checkpoint_text``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

from renshi.evidence.errors import KeyFileExistsError, SigningKeyError

logger = logging.getLogger(__name__)
DEVELOPMENT_KEY_NAME = "dev-signing-key.pem"
DEVELOPMENT_KEY_WARNING = (
    "The evidence log is signed with a development key generated at %s. It is stored beside "
    "the data it vouches for, so it proves nothing: set RENSHI_EVIDENCE_KEY to a key made with "
    "`renshi evidence keygen` and kept apart from the database before relying on the log."
)
_warned: set[str] = set()


@dataclass(frozen=True, slots=True)
class SigningKey:
    private: Ed25519PrivateKey
    path: Path
    is_development: bool

    @property
    def public_raw(self) -> bytes:
        return public_raw(self.private.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def signing_key() -> SigningKey:
    """The key checkpoints are signed with now."""
    configured = str(getattr(settings, "RENSHI_EVIDENCE_KEY", "") or "").strip()
    if configured:
        path = Path(configured).expanduser()
        return SigningKey(private=_read_private(path), path=path, is_development=False)
    path = Path(settings.DATA_DIR) / "evidence" / DEVELOPMENT_KEY_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Two processes may race to create it: the loser reads the winner's key.
        with contextlib.suppress(KeyFileExistsError):
            signing_key_generate(path=path)
    if str(path) not in _warned:
        _warned.add(str(path))
        logger.warning(DEVELOPMENT_KEY_WARNING, path)
    return SigningKey(private=_read_private(path), path=path, is_development=True)


def signing_key_generate(*, path: Path) -> Ed25519PublicKey:
    """Write a new private key to ``path`` (PKCS #8 PEM, readable by its owner only); a file that
    exists is never overwritten."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileExistsError(field="out", path=str(path)) from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key.public_key()


def trusted_public_keys() -> set[bytes]:
    """Raw public keys whose checkpoints verify: the current key's and the earlier ones'."""
    trusted = {signing_key().public_raw}
    for entry in getattr(settings, "RENSHI_EVIDENCE_TRUSTED_KEYS", []):
        path = Path(entry).expanduser()
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError, UnsupportedAlgorithm) as error:
            raise SigningKeyError(
                field="RENSHI_EVIDENCE_TRUSTED_KEYS", path=str(path), reason=str(error)
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError(
                field="RENSHI_EVIDENCE_TRUSTED_KEYS", path=str(path), reason="not Ed25519"
            )
        trusted.add(public_raw(key))
    return trusted


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(raw: bytes) -> bytes:
    """The SubjectPublicKeyInfo PEM that ``openssl pkeyutl -verify -pubin`` reads."""
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(raw: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_is_valid(*, public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SigningKeyError(
            field="RENSHI_EVIDENCE_KEY", path=str(path), reason=str(error)
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(field="RENSHI_EVIDENCE_KEY", path=str(path), reason="not Ed25519")
    return key
