"""One JSON POST over urllib, its outcome sorted into accepted, temporary and permanent.

Redirects are not followed: urllib would turn a redirected POST into a GET without its body,
and a provider that moved is a configuration error to see, not to paper over.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from renshi.notices.channels.base import (
    BAD_ADDRESS,
    HTTP_ERROR,
    NETWORK_ERROR,
    PermanentFailure,
    TemporaryFailure,
)

# Providers answer in a few hundred bytes; a larger reply is read only this far.
MAX_REPLY_BYTES = 1 << 20


@dataclass(frozen=True)
class HttpReply:
    status: int
    text: str

    @property
    def evidence(self) -> str:
        return f"HTTP {self.status}\n{self.text}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def check_http_url(url: str, *, allowed_hosts: frozenset[str] | None = None) -> None:
    """Refuse anything but an http(s) URL, and hosts outside ``allowed_hosts`` when given."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentFailure(BAD_ADDRESS, address=url, kind="webhook URL")
    if allowed_hosts is not None and parts.hostname not in allowed_hosts:
        raise PermanentFailure(BAD_ADDRESS, address=url, kind="webhook URL")


def post_json(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    timeout: float,
    provider: str,
) -> HttpReply:
    """POST ``body`` as it is; return a 2xx reply, raise a failure for anything else."""
    check_http_url(url)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Renshi-notices",
            **headers,
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return HttpReply(response.status, _decode(response.read(MAX_REPLY_BYTES)))
    except urllib.error.HTTPError as error:
        try:
            text = _decode(error.read(MAX_REPLY_BYTES))
        except (OSError, http.client.HTTPException):
            text = ""
        reply = HttpReply(error.code, text)
        failure = TemporaryFailure if error.code >= 500 or error.code == 429 else PermanentFailure
        raise failure(
            HTTP_ERROR,
            payload=body,
            provider_response=reply.evidence,
            provider=provider,
            status=error.code,
        ) from error
    except (OSError, http.client.HTTPException) as error:
        raise TemporaryFailure(
            NETWORK_ERROR, payload=body, provider=provider, error=str(error) or repr(error)
        ) from error


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
