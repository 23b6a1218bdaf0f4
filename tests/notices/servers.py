"""Real servers on 127.0.0.1 for the channel tests: an SMTP server and an HTTP provider.

The SMTP server (aiosmtpd) keeps every message's bytes exactly as received, after SMTP's
transparency dots are taken off, and can be told to answer a recipient or the message with
any reply. The HTTP server plays the SMS gateway and the three chat robots: it checks their
signatures with its own code, not the channels', and can be told what to answer next.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

LOCALHOST = "127.0.0.1"
SMS_API_KEY = "key-1"
SMS_SECRET = "sms-secret"


def free_port() -> int:
    """A port nothing listens on (the kernel's pick, released at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    mail_options: tuple[str, ...]


@dataclass
class _SmtpHandler:
    received: list[ReceivedMail] = field(default_factory=list)
    # address -> reply ("550 5.1.1 ..."); the address is refused at RCPT with it.
    recipient_replies: dict[str, str] = field(default_factory=dict)
    # When set, the message is refused after its data with this reply.
    data_reply: str | None = None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.recipient_replies:
            return self.recipient_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply is not None:
            return self.data_reply
        self.received.append(
            ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=envelope.original_content,
                mail_options=tuple(envelope.mail_options),
            )
        )
        return f"250 2.0.0 Ok: queued as Q{len(self.received):04d}"


class SmtpTestServer:
    """``with SmtpTestServer() as smtp:`` an SMTP server on ``smtp.host``:``smtp.port``."""

    def __init__(self) -> None:
        self.handler = _SmtpHandler()
        self.host = LOCALHOST
        self.port = free_port()
        self._controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def refuse(self, address: str, reply: str) -> None:
        self.handler.recipient_replies[address] = reply

    def answer_data_with(self, reply: str | None) -> None:
        self.handler.data_reply = reply

    def __enter__(self) -> SmtpTestServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


# ---------------------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    # The server's own verdict on the request's signature; None when nothing was to check.
    is_signature_valid: bool | None


WECOM_OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match"}
FEISHU_OK = {
    "code": 0,
    "msg": "success",
    "data": {},
    "Extra": None,
    "StatusCode": 0,
    "StatusMessage": "success",
}
FEISHU_BAD_SIGN = {
    "code": 19021,
    "msg": "sign match fail or timestamp is not within one hour from current time",
}


class HttpTestServer:
    """``with HttpTestServer(...) as http:`` the SMS gateway and chat robots on ``http.url``.

    Routes: ``/sms``; ``/wecom/send?key=...``; ``/dingtalk/robot/send?access_token=...``;
    ``/feishu/hook/<token>``. The SMS gateway accepts only ``sms_api_key`` and requests signed
    with ``sms_secret``; DingTalk and Feishu check their signatures when given a secret.
    """

    def __init__(
        self,
        *,
        sms_api_key: str = SMS_API_KEY,
        sms_secret: str = SMS_SECRET,
        dingtalk_secret: str = "",
        feishu_secret: str = "",
    ) -> None:
        self.sms_api_key = sms_api_key
        self.sms_secret = sms_secret
        self.dingtalk_secret = dingtalk_secret
        self.feishu_secret = feishu_secret
        self.received: list[ReceivedRequest] = []
        self._answers: deque[tuple[int, bytes]] = deque()
        self.delay_seconds = 0.0
        self._stopping = threading.Event()
        self._server = _QuietHTTPServer((LOCALHOST, 0), _handler_for(self))
        self.host = LOCALHOST
        self.port = self._server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def answer_next(self, status: int, document: Any) -> None:
        """Answer the next request with ``status`` and ``document`` (as JSON), whatever it is."""
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self._answers.append((status, body))

    def __enter__(self) -> HttpTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def respond(
        self, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        route = path.split("/")[1] if path.startswith("/") else ""
        verdict: bool | None = None
        if route == "sms":
            verdict = self._sms_signature_is_valid(headers, body)
            status, answer = self._sms(verdict)
        elif route == "wecom":
            status, answer = 200, WECOM_OK
        elif route == "dingtalk":
            if self.dingtalk_secret:
                verdict = self._dingtalk_signature_is_valid(query)
            status, answer = 200, DINGTALK_OK if verdict in (None, True) else DINGTALK_BAD_SIGN
        elif route == "feishu":
            if self.feishu_secret:
                verdict = self._feishu_signature_is_valid(body)
            status, answer = 200, FEISHU_OK if verdict in (None, True) else FEISHU_BAD_SIGN
        else:
            status, answer = 404, {"error": "no such route"}
        self.received.append(ReceivedRequest(path, query, headers, body, verdict))
        if self._answers:
            return self._answers.popleft()
        return status, json.dumps(answer).encode()

    def _sms(self, is_signature_valid: bool) -> tuple[int, dict[str, str]]:
        if not is_signature_valid:
            return 401, {"error": "bad signature"}
        return 200, {"id": f"sms-{len(self.received) + 1:04d}", "status": "accepted"}

    def _sms_signature_is_valid(self, headers: dict[str, str], body: bytes) -> bool:
        if headers.get("x-api-key") != self.sms_api_key:
            return False
        timestamp = headers.get("x-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(
            self.sms_secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, headers.get("x-signature", ""))

    def _dingtalk_signature_is_valid(self, query: dict[str, str]) -> bool:
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
            return False
        string_to_sign = f"{timestamp}\n{self.dingtalk_secret}".encode()
        digest = hmac.new(self.dingtalk_secret.encode(), string_to_sign, hashlib.sha256).digest()
        # parse_qs has already undone the URL encoding.
        return hmac.compare_digest(base64.b64encode(digest).decode(), query.get("sign", ""))

    def _feishu_signature_is_valid(self, body: bytes) -> bool:
        document = json.loads(body)
        timestamp = str(document.get("timestamp", ""))
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 3600:
            return False
        key = f"{timestamp}\n{self.feishu_secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, str(document.get("sign", "")))


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is expected; anything else is shown."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(owner: HttpTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's method name)
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            if owner.delay_seconds:
                owner._stopping.wait(owner.delay_seconds)
            status, answer = owner.respond(parts.path, query, headers, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the tests read ``owner.received``."""

    return Handler
