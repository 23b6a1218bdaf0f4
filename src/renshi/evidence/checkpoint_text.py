"""The signed text of a checkpoint, and how anyone checks it without Renshi.

A checkpoint says "the log named ORIGIN had SIZE entries with this Merkle root at TIME". The bytes
signed are four lines, each ending in a newline (``\\n``, no carriage return), UTF-8::

    renshi.example.com/evidence
    1042
    dGhlIDMyLWJ5dGUgcm9vdCBoYXNoIGluIGJhc2U2NCBoZXJlIQ==
    2025-11-07T01:00:00Z

1. the origin: the log's name, one line of printable text;
2. the size: how many entries the tree covers, in decimal, no leading zeros;
3. the root: the RFC 6962 Merkle tree hash of the first ``size`` entries' canonical bytes, in
   standard base64 with padding (44 characters);
4. the time: UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ``.

The first three lines are those of a C2SP transparency-log checkpoint; the time is a line of our
own. The signature is a raw 64-byte Ed25519 signature (RFC 8032) of exactly these bytes. With
the message in ``checkpoint.txt``, the signature in ``checkpoint.sig`` and the log's public key
in ``evidence-public.pem`` (``renshi evidence public-key``)::

    openssl pkeyutl -verify -pubin -inkey evidence-public.pem -rawin \\
        -in checkpoint.txt -sigfile checkpoint.sig

prints ``Signature Verified Successfully``. An RFC 3161 timestamp token of a checkpoint is over
the same bytes: ``openssl ts -verify -in checkpoint.tst -token_in -data checkpoint.txt -CAfile
tsa-ca.pem``.

Pure Python, no Django.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from dataclasses import dataclass

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.merkle import HASH_SIZE

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SIZE = re.compile(r"0|[1-9][0-9]*")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class CheckpointTextError(CoreError):
    template = gettext_noop("{field}: this is not a checkpoint's signed text: {reason}")


class OriginError(CoreError):
    template = gettext_noop(
        "{field}: a log's origin is one line of printable text, without spaces at either end; "
        "{value!r} is not"
    )


@dataclass(frozen=True, slots=True)
class CheckpointText:
    origin: str
    size: int
    root: bytes
    time: datetime.datetime

    def message(self) -> bytes:
        """The exact bytes that are signed and timestamped."""
        require_origin(self.origin)
        if self.size < 0 or len(self.root) != HASH_SIZE:
            raise CheckpointTextError(field="checkpoint", reason="size or root out of range")
        root = base64.b64encode(self.root).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\n{format_time(self.time)}\n".encode()


def format_time(moment: datetime.datetime) -> str:
    """The time line: UTC, whole seconds (a checkpoint's time is truncated, never rounded up)."""
    if moment.utcoffset() is None:
        raise CheckpointTextError(field="time", reason="a time without a UTC offset")
    return moment.astimezone(datetime.UTC).strftime(TIME_FORMAT)


def checkpoint_time(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` as a checkpoint holds it: UTC, whole seconds."""
    return datetime.datetime.strptime(format_time(moment), TIME_FORMAT).replace(tzinfo=datetime.UTC)


def require_origin(origin: str) -> None:
    if not origin or origin != origin.strip() or not origin.isprintable():
        raise OriginError(field="origin", value=origin)


def parse_checkpoint_text(message: bytes) -> CheckpointText:
    """Read signed bytes back; anything but the exact form ``CheckpointText.message`` writes is
    refused, so that one checkpoint has one text."""
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointTextError(field="checkpoint", reason="not UTF-8") from None
    lines = text.split("\n")
    if len(lines) != 5 or lines[4] != "":
        raise CheckpointTextError(field="checkpoint", reason="four lines, each ending in \\n")
    origin, size, root, time = lines[:4]
    require_origin(origin)
    if not _SIZE.fullmatch(size):
        raise CheckpointTextError(field="checkpoint", reason="the size is not a decimal number")
    try:
        root_bytes = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise CheckpointTextError(field="checkpoint", reason="the root is not base64") from None
    if len(root_bytes) != HASH_SIZE or base64.b64encode(root_bytes).decode() != root:
        raise CheckpointTextError(field="checkpoint", reason="the root is not 32 bytes")
    if not _TIME.fullmatch(time):
        raise CheckpointTextError(field="checkpoint", reason="the time is not YYYY-MM-DDTHH:MM:SSZ")
    try:
        moment = datetime.datetime.strptime(time, TIME_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise CheckpointTextError(field="checkpoint", reason="the time is not a date") from None
    parsed = CheckpointText(origin=origin, size=int(size), root=root_bytes, time=moment)
    if parsed.message() != message:
        raise CheckpointTextError(field="checkpoint", reason="not in canonical form")
    return parsed
