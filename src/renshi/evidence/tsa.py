"""RFC 3161 timestamps from an outside authority (TSA), with the ``openssl ts`` command.

A signed checkpoint proves what the operator's key committed to, not when: whoever holds the key
can sign any time. A timestamp token is the TSA's signature over the checkpoint's signed text
and the time it saw it, so a checkpoint with a token existed no later than that time, whatever
the operator does afterwards.

The request asks for the TSA's certificate in the token (``-cert``) and carries a nonce; the
reply is checked against the request (imprint, nonce, signature, a certificate chain to
``RENSHI_TSA_CA_FILE`` with the timeStamping usage) before its token is kept. Later checks
verify the token at the time it states (``-attime``), so that it still verifies after the TSA's
certificate has expired, as long-term timestamps must. The commands are the ones an outsider
runs on the exported files, which is the point of using them here.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from renshi.evidence.errors import (
    OpensslMissingError,
    TimestampInvalidError,
    TimestampRequestError,
)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
_TIME_LINE = re.compile(r"^Time stamp: (.+?)\s*$", re.MULTILINE)
_MAX_REPLY_BYTES = 1 << 20


def timestamp_fetch(*, url: str, data: bytes, ca_file: str, timeout: float) -> bytes:
    """Ask the TSA at ``url`` to stamp ``data``; return the token (DER) once it checks out."""
    if not url.startswith(("http://", "https://")):
        raise TimestampRequestError(field="RENSHI_TSA_URL", url=url, reason="not an http(s) URL")
    with tempfile.TemporaryDirectory(prefix="renshi-tsa-") as directory:
        folder = Path(directory)
        (folder / "data").write_bytes(data)
        _openssl(["ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "query.tsq"], folder)
        query = (folder / "query.tsq").read_bytes()
        (folder / "reply.tsr").write_bytes(_post(url=url, query=query, timeout=timeout))
        checked = _openssl(
            ["ts", "-verify", "-queryfile", "query.tsq", "-in", "reply.tsr", "-CAfile", ca_file],
            folder,
            check=False,
        )
        if checked.returncode != 0:
            raise TimestampRequestError(
                field="RENSHI_TSA_URL", url=url, reason=_reason(checked.stderr)
            )
        _openssl(["ts", "-reply", "-in", "reply.tsr", "-token_out", "-out", "token.tst"], folder)
        return (folder / "token.tst").read_bytes()


def timestamp_verify(*, token: bytes, data: bytes, ca_file: str) -> datetime.datetime:
    """Check that ``token`` stamps exactly ``data`` and chains to ``ca_file`` with the
    timeStamping usage; return the time it states. Raise ``TimestampInvalidError`` otherwise."""
    with tempfile.TemporaryDirectory(prefix="renshi-tsa-") as directory:
        folder = Path(directory)
        (folder / "token.tst").write_bytes(token)
        (folder / "data").write_bytes(data)
        stamped = timestamp_time(token=token)
        result = _openssl(
            [
                "ts", "-verify", "-token_in", "-in", "token.tst", "-data", "data",
                "-CAfile", ca_file, "-attime", str(int(stamped.timestamp())),
            ],
            folder,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise TimestampInvalidError(field="token", reason=_reason(result.stderr))
        return stamped


def timestamp_time(*, token: bytes) -> datetime.datetime:
    """The time a token states (its TSTInfo genTime), read by ``openssl ts -reply -text``."""
    with tempfile.TemporaryDirectory(prefix="renshi-tsa-") as directory:
        folder = Path(directory)
        (folder / "token.tst").write_bytes(token)
        result = _openssl(
            ["ts", "-reply", "-in", "token.tst", "-token_in", "-text"], folder, check=False
        )
    match = _TIME_LINE.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise TimestampInvalidError(field="token", reason=_reason(result.stderr) or "no time")
    return _parse_openssl_time(match.group(1))


def _parse_openssl_time(text: str) -> datetime.datetime:
    # "Nov  7 01:00:00 2025 GMT", with fractions of a second when the TSA gives them.
    text = re.sub(r"(\d{2}:\d{2}:\d{2})\.\d+", r"\1", " ".join(text.split()))
    try:
        moment = datetime.datetime.strptime(text.replace(" GMT", " +0000"), "%b %d %H:%M:%S %Y %z")
    except ValueError:
        raise TimestampInvalidError(field="token", reason=f"unreadable time {text!r}") from None
    return moment.astimezone(datetime.UTC)


def _post(*, url: str, query: bytes, timeout: float) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s) above
        url, data=query, method="POST", headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            content_type = response.headers.get_content_type()
            body = bytes(response.read(_MAX_REPLY_BYTES + 1))
    except (urllib.error.URLError, OSError) as error:
        raise TimestampRequestError(field="RENSHI_TSA_URL", url=url, reason=str(error)) from None
    if content_type != REPLY_TYPE:
        reason = f"the reply is {content_type}, not {REPLY_TYPE}"
        raise TimestampRequestError(field="RENSHI_TSA_URL", url=url, reason=reason)
    if len(body) > _MAX_REPLY_BYTES:
        reason = "the reply is larger than any timestamp"
        raise TimestampRequestError(field="RENSHI_TSA_URL", url=url, reason=reason)
    return body


def _openssl(
    args: list[str], folder: Path, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("openssl")
    if binary is None:
        raise OpensslMissingError(field="openssl")
    result = subprocess.run(  # noqa: S603 - fixed arguments and file names of our own
        [binary, *args], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    if check and result.returncode != 0:
        raise TimestampInvalidError(field="openssl", reason=_reason(result.stderr))
    return result


def _reason(stderr: str) -> str:
    """openssl's last error line, shortened to what a person can act on."""
    lines = [line for line in stderr.splitlines() if line and not line.startswith("Using ")]
    if not lines:
        return "openssl failed"
    last = lines[-1]
    # "...:ts_verify_cert:certificate verify error:...:Verify error:unsuitable certificate
    # purpose" keeps the part after the source location; a line without one stays whole.
    parts = last.split(":")
    if len(parts) >= 6:
        tail = [part for part in parts[5:] if not part.startswith("../") and not part.isdigit()]
        return ": ".join(part.strip() for part in tail if part.strip()) or last
    return last
