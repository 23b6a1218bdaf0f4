"""Group chat robots: WeCom (企业微信), DingTalk (钉钉) and Feishu/Lark (飞书).

Each posts a plain text message (the subject, a newline, the text) to the robot's webhook URL,
which is the ``address``. The platforms answer HTTP 200 even when they refuse, with an error
code in the body (``errcode`` for WeCom and DingTalk, ``code`` for Feishu): a code other than
0 is a permanent failure, and the answer is kept.

The webhook URL must point at the platform's own host (``allowed_hosts``), so that a URL
typed into the settings cannot make the server post to an internal address.

Signing, when the robot has a secret:

- DingTalk: ``timestamp`` in milliseconds; ``sign`` = base64(HMAC-SHA256(key=secret,
  msg=timestamp + "\\n" + secret)), URL-encoded; both appended to the URL's query.
- Feishu: ``timestamp`` in seconds; ``sign`` = base64(HMAC-SHA256(key=timestamp + "\\n" +
  secret, msg=b"")); both put in the JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import quote_plus

from renshi.notices.channels._http import HttpReply, check_http_url, post_json
from renshi.notices.channels.base import (
    DINGTALK,
    FEISHU,
    PROVIDER_REJECTED,
    WECOM,
    Clock,
    Outgoing,
    PermanentFailure,
    Sent,
    check_channel,
    require_no_cc,
    utc_now,
)

DEFAULT_TIMEOUT = 10.0


def dingtalk_signature(secret: str, timestamp_ms: str) -> str:
    """The ``sign`` query value, already URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_signature(secret: str, timestamp: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def chat_text(outgoing: Outgoing) -> str:
    return "\n".join(part for part in (outgoing.subject, outgoing.text) if part)


def _json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _ChatRobot:
    name: ClassVar[str]
    provider: ClassVar[str]
    official_hosts: ClassVar[frozenset[str]]
    # Where the answer's result code is; the first one present counts.
    code_fields: ClassVar[tuple[str, ...]] = ("errcode",)

    def __init__(
        self,
        *,
        secret: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        allowed_hosts: Iterable[str] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.secret = secret
        self.timeout = timeout
        self.allowed_hosts = (
            self.official_hosts if allowed_hosts is None else frozenset(allowed_hosts)
        )
        self.clock = clock

    def build(self, outgoing: Outgoing) -> tuple[str, bytes]:
        """The URL to post to and the exact body."""
        raise NotImplementedError

    def send(self, outgoing: Outgoing) -> Sent:
        check_channel(self, outgoing)
        require_no_cc(outgoing)
        check_http_url(outgoing.address, allowed_hosts=self.allowed_hosts)
        url, body = self.build(outgoing)
        reply = post_json(url, body, headers={}, timeout=self.timeout, provider=self.provider)
        self._check_answer(reply, body)
        return Sent(
            payload=body,
            address=outgoing.address,
            provider_message_id=None,
            provider_response=reply.evidence,
            sent_at=self.clock(),
        )

    def _check_answer(self, reply: HttpReply, body: bytes) -> None:
        try:
            answer = json.loads(reply.text)
        except ValueError:
            answer = None
        present = [f for f in self.code_fields if isinstance(answer, dict) and f in answer]
        field = present[0] if present else self.code_fields[0]
        code = answer.get(field) if isinstance(answer, dict) else None
        if code != 0:
            raise PermanentFailure(
                PROVIDER_REJECTED,
                payload=body,
                provider_response=reply.evidence,
                provider=self.provider,
                detail=f"{field} {code!r}",
            )


class WeComRobotChannel(_ChatRobot):
    """企业微信群机器人: ``{"msgtype": "text", "text": {"content": ...}}``."""

    name = WECOM
    provider = "WeCom"
    official_hosts = frozenset({"qyapi.weixin.qq.com"})

    def build(self, outgoing: Outgoing) -> tuple[str, bytes]:
        body = _json_bytes({"msgtype": "text", "text": {"content": chat_text(outgoing)}})
        return outgoing.address, body


class DingTalkRobotChannel(_ChatRobot):
    """钉钉自定义机器人: ``{"msgtype": "text", "text": {"content": ...}}``, signed in the URL."""

    name = DINGTALK
    provider = "DingTalk"
    official_hosts = frozenset({"oapi.dingtalk.com"})

    def build(self, outgoing: Outgoing) -> tuple[str, bytes]:
        body = _json_bytes({"msgtype": "text", "text": {"content": chat_text(outgoing)}})
        url = outgoing.address
        if self.secret:
            timestamp = str(int(self.clock().timestamp() * 1000))
            separator = "&" if "?" in url else "?"
            signature = dingtalk_signature(self.secret, timestamp)
            url = f"{url}{separator}timestamp={timestamp}&sign={signature}"
        return url, body


class FeishuRobotChannel(_ChatRobot):
    """飞书自定义机器人: ``{"msg_type": "text", "content": {"text": ...}}``, signed in the body."""

    name = FEISHU
    provider = "Feishu"
    official_hosts = frozenset({"open.feishu.cn", "open.larksuite.com"})
    # StatusCode is the older answer, still sent beside code.
    code_fields = ("code", "StatusCode")

    def build(self, outgoing: Outgoing) -> tuple[str, bytes]:
        document: dict[str, Any] = {}
        if self.secret:
            timestamp = str(int(self.clock().timestamp()))
            document = {"timestamp": timestamp, "sign": feishu_signature(self.secret, timestamp)}
        document |= {"msg_type": "text", "content": {"text": chat_text(outgoing)}}
        return outgoing.address, _json_bytes(document)
