"""What every channel shares: the message going out, the proof of what went, the failures.

A channel turns an :class:`Outgoing` into bytes, puts exactly those bytes on the wire and
returns a :class:`Sent` holding them, their SHA-256, the address, the provider's answer and the
time. It never reports success it did not get: anything short of the provider's acceptance is
a :class:`TemporaryFailure` (try again later) or a :class:`PermanentFailure` (do not retry;
report), each carrying whatever bytes were built and whatever the provider said.

This module imports nothing from Django, so the models and services can use it freely.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

from renshi.clock import now as clock_now
from renshi.core.errors import Message
from renshi.core.i18n import gettext_noop

EMAIL = "email"
SMS = "sms"
WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"
CHANNELS = (EMAIL, SMS, WECOM, DINGTALK, FEISHU)

# Provider answers are evidence, but a misbehaving provider must not fill the database.
RESPONSE_LIMIT = 2000

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")

# Why a delivery failed. Tests assert on these templates, never on rendered text.
BAD_ADDRESS = gettext_noop("{address} is not a valid {kind}")
CC_NOT_SUPPORTED = gettext_noop("The {channel} channel cannot send copies")
BAD_CONTENT = gettext_noop("The message cannot be built: {error}")
NOT_CONFIGURED = gettext_noop("The {channel} channel is not configured: {setting} is empty")
NETWORK_ERROR = gettext_noop("Could not reach {provider}: {error}")
SMTP_ERROR = gettext_noop("The mail server failed: {reply}")
SMTP_SENDER_REFUSED = gettext_noop("The mail server refused the sender {sender}: {reply}")
SMTP_RECIPIENT_REFUSED = gettext_noop("The mail server refused {address}: {reply}")
SMTP_MESSAGE_REFUSED = gettext_noop("The mail server refused the message: {reply}")
BACKEND_DECLINED = gettext_noop("The mail backend {backend} did not send the message")
HTTP_ERROR = gettext_noop("{provider} answered HTTP {status}")
PROVIDER_REJECTED = gettext_noop("{provider} did not accept the message: {detail}")


def utc_now() -> datetime:
    """Now in UTC, from Renshi's clock (which a demo or a test may set; see renshi.clock)."""
    return clock_now().astimezone(UTC)


Clock = Callable[[], datetime]


def sha256_hex(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def truncate_response(text: str) -> str:
    return text if len(text) <= RESPONSE_LIMIT else text[: RESPONSE_LIMIT - 1] + "…"


@dataclass(frozen=True)
class Outgoing:
    """One message to one address on one channel.

    ``address`` is an email address, a phone number in E.164 (``+8613800138001``) or a chat
    robot's webhook URL. ``reference`` is our own token for the delivery (a notice or delivery
    id); it goes into the message (email Message-ID, SMS ``ref``) so that the provider's
    receipts and bounces can be matched to it.
    """

    channel: str
    address: str
    subject: str = ""
    text: str = ""
    html: str | None = None
    sender: str = ""
    cc: tuple[str, ...] = ()
    reference: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"Unknown channel {self.channel!r}; expected one of {CHANNELS}")
        object.__setattr__(self, "cc", tuple(self.cc))
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))


@dataclass(frozen=True)
class Sent:
    """Proof of one accepted send: the exact bytes, their hash, where, when and the answer.

    ``payload`` is what went on the wire: the whole RFC 5322 message for email, the HTTP
    request body for SMS and chat robots. ``sha256`` is computed from it when left empty and
    checked against it when given, so a ``Sent`` can never carry a hash of other bytes.
    """

    payload: bytes
    address: str
    provider_response: str
    sent_at: datetime
    provider_message_id: str | None = None
    sha256: str = ""

    def __post_init__(self) -> None:
        digest = sha256_hex(self.payload)
        if not self.sha256:
            object.__setattr__(self, "sha256", digest)
        elif self.sha256 != digest:
            raise ValueError("sha256 does not match the payload")
        if self.sent_at.tzinfo is None:
            raise ValueError("sent_at must be timezone-aware")
        object.__setattr__(self, "provider_response", truncate_response(self.provider_response))


class DeliveryFailure(Exception):
    """A send that was not accepted. ``template`` and ``params`` say why.

    ``payload`` holds the bytes built so far (empty when the failure came before any were),
    ``provider_response`` what the provider answered, if anything.
    """

    is_temporary: ClassVar[bool] = False

    def __init__(
        self,
        template: str,
        *,
        payload: bytes = b"",
        provider_response: str = "",
        **params: Any,
    ) -> None:
        self.template = template
        self.params: dict[str, Any] = params
        self.payload = payload
        self.sha256 = sha256_hex(payload)
        self.provider_response = truncate_response(provider_response)
        super().__init__(self.render())

    @property
    def message(self) -> Message:
        return Message(self.template, self.params)

    def render(self, translate: Callable[[str], str] = str) -> str:
        return self.message.render(translate)


class TemporaryFailure(DeliveryFailure):
    """Not sent now; may succeed later: network errors, SMTP 4xx, HTTP 5xx and 429."""

    is_temporary = True


class PermanentFailure(DeliveryFailure):
    """Not sent, and sending again will not help: a refused address, HTTP 4xx, bad content."""


class Channel(Protocol):
    @property
    def name(self) -> str:
        """The channel's name, one of CHANNELS."""

    def send(self, outgoing: Outgoing) -> Sent: ...


def check_channel(channel: Channel, outgoing: Outgoing) -> None:
    if outgoing.channel != channel.name:
        raise ValueError(f"{type(channel).__name__} cannot send {outgoing.channel!r} messages")


def require_no_cc(outgoing: Outgoing) -> None:
    if outgoing.cc:
        raise PermanentFailure(CC_NOT_SUPPORTED, channel=outgoing.channel)


# Waiting times before the second, third, fourth and fifth attempt.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def is_last_attempt(attempt: int) -> bool:
    """Whether a temporary failure of attempt ``attempt`` (1-based) ends the retries."""
    return attempt >= MAX_ATTEMPTS


def retry_delays(attempt: int) -> timedelta:
    """How long to wait after attempt ``attempt`` (1-based) failed temporarily.

    There is no delay after the last attempt: check :func:`is_last_attempt` first and report
    the delivery as failed instead.
    """
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    if is_last_attempt(attempt):
        raise ValueError(f"attempt {attempt} was the last; report the failure instead")
    return RETRY_DELAYS[attempt - 1]
