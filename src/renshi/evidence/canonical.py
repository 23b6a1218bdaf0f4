"""Canonical JSON: one byte string for one document, so that its hash identifies it.

An evidence entry is hashed as bytes, and anyone re-encoding the same document must get the same
bytes: keys sorted, no insignificant whitespace, UTF-8 (not ``\\u`` escapes), and only types that
have one written form. Decimal is written as a string exactly as it is (``"1500.00"`` keeps its
scale, which a JSON number would lose); a datetime is ISO 8601 with its UTC offset, and one
without an offset is refused because it names no moment. Floats are refused: their decimal form
differs between languages, and money is Decimal here anyway. Bytes are refused: they belong in a
blob, referenced by their SHA-256.

Pure Python, no Django.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop


class CanonicalValueError(CoreError):
    """A value that has no canonical JSON form."""


class UnsupportedTypeError(CanonicalValueError):
    template = gettext_noop(
        "{field}: a value of type {type} cannot be written to the evidence log; use str, int, "
        "bool, None, Decimal, an aware datetime, a date, a list or a mapping with string keys"
    )


class FloatRefusedError(CanonicalValueError):
    template = gettext_noop(
        "{field}: a float has no single written form; write amounts as Decimal or str"
    )


class BytesRefusedError(CanonicalValueError):
    template = gettext_noop(
        "{field}: bytes go into the entry as an attached blob, referenced by their SHA-256"
    )


class NaiveDatetimeError(CanonicalValueError):
    template = gettext_noop(
        "{field}: the datetime {value} has no UTC offset, so it names no moment; make it aware"
    )


class NonFiniteDecimalError(CanonicalValueError):
    template = gettext_noop("{field}: the Decimal {value} is not a finite number")


class KeyTypeError(CanonicalValueError):
    template = gettext_noop("{field}: a mapping key must be a string, not {type}")


class InvalidTextError(CanonicalValueError):
    template = gettext_noop("{field}: the text is not valid Unicode (a lone surrogate)")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of ``value``; raise a ``CanonicalValueError`` naming the path
    (``$.data.amount``) of the first value that has no canonical form.

    The common types (dict, list, str, Decimal, int, None) take a quick path that builds no
    path names and leaves text to be checked by the encoding; anything else, and any refusal,
    goes through the careful walk, which names the path of the value at fault."""
    try:
        return _encode(_quick(value))
    except (_NotQuick, CanonicalValueError, UnicodeEncodeError):
        return _encode(_normalize(value, "$"))


def canonical_object(members: Mapping[str, bytes]) -> bytes:
    """The canonical bytes of an object whose members' values are canonical bytes already:
    how an append puts a document together around data it encoded before taking the log's
    lock. ``canonical_object({k: canonical_json(v)})`` equals ``canonical_json({k: v})``."""
    parts = [
        _encode(key) + b":" + members[key]
        for key in sorted(members)  # the order json.dumps(sort_keys=True) writes
    ]
    return b"{" + b",".join(parts) + b"}"


def _encode(value: Any) -> bytes:
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


class _NotQuick(Exception):
    """The quick path met something it leaves to the careful walk."""


def _quick(value: Any) -> Any:  # noqa: PLR0911 - one return per JSON type
    kind = type(value)
    if kind is str or value is None or kind is bool or kind is int:
        return value
    if kind is dict:
        normalized = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotQuick
            normalized[key] = _quick(item)
        return normalized
    if kind is Decimal:
        if not value.is_finite():
            raise _NotQuick
        return str(value)
    if kind is list or kind is tuple:
        return [_quick(item) for item in value]
    return _normalize(value, "$")  # a refusal here is redone from the root, with its path


def decimal_at_scale(value: Any, exponent: Decimal) -> Decimal | None:
    """A decimal column's value as the database stores it (``exponent`` is its scale, such as
    ``Decimal("0.01")``), whether the row was just made from input (``10000``, ``Decimal(3)``)
    or read back (PostgreSQL's ``Decimal``, SQLite's int or float, whose shortest form is the
    stored amount): one fact, one written form in the log. None stays None."""
    if value is None:
        return None
    if type(value) is Decimal:
        return value.quantize(exponent)
    return Decimal(str(value)).quantize(exponent)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lowercase hex digits: how entries name their blobs."""
    return hashlib.sha256(data).hexdigest()


def _normalize(value: Any, path: str) -> Any:  # noqa: C901 - one branch per JSON type
    # bool before int: True is an int to Python but a different JSON value.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):  # Django's TextChoices: the stored value, not the label
        return _normalize(value.value, path)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        _require_valid_text(value, path)
        return str(value)
    if isinstance(value, float):
        raise FloatRefusedError(field=path)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NonFiniteDecimalError(field=path, value=str(value))
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            raise NaiveDatetimeError(field=path, value=value.isoformat())
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raise BytesRefusedError(field=path)
    if isinstance(value, Mapping):
        normalized = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise KeyTypeError(field=path, type=type(key).__name__)
            _require_valid_text(key, path)
            normalized[str(key)] = _normalize(item, f"{path}.{key}")
        return normalized
    if isinstance(value, list | tuple):
        return [_normalize(item, f"{path}[{position}]") for position, item in enumerate(value)]
    raise UnsupportedTypeError(field=path, type=type(value).__name__)


def _require_valid_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidTextError(field=path) from None
