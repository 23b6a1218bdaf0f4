"""Text messages through an HTTP JSON gateway.

The gateway interface (one request per message):

``POST <RENSHI_SMS_URL>`` with the UTF-8 JSON body ``{"to", "sign", "text", "ref"}``:
``to`` the phone number in E.164, ``sign`` the sender's signature (the 【签名】 Chinese carriers
require), ``text`` the message, ``ref`` our delivery reference (the gateway should treat a
repeated ``ref`` as the same message, so a retry after a lost reply does not send twice).

Headers: ``X-Api-Key``; ``X-Timestamp``, Unix seconds; ``X-Signature``, the lowercase hex
HMAC-SHA256 with the shared secret as key of ``timestamp + "\\n" + body`` (the body's exact
bytes).

The gateway answers 2xx with ``{"id": "<its message id>", "status": "accepted"}`` when it has
taken the message. 5xx and 429 mean try later; any other 4xx means the message will never go.
A 2xx with another status, or without an id, is not taken as sent, and is not retried either
(the gateway may have sent it): it is reported as a permanent failure for a person to check.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

from renshi.notices.channels._http import post_json
from renshi.notices.channels.base import (
    BAD_ADDRESS,
    E164,
    NOT_CONFIGURED,
    PROVIDER_REJECTED,
    SMS,
    Clock,
    Outgoing,
    PermanentFailure,
    Sent,
    TemporaryFailure,
    check_channel,
    require_no_cc,
    utc_now,
)

PROVIDER = "the SMS gateway"
ACCEPTED = "accepted"
DEFAULT_TIMEOUT = 10.0


def sms_signature(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"\n" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class SmsGatewayChannel:
    name = SMS

    def __init__(
        self,
        url: str,
        api_key: str,
        secret: str,
        sign_name: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.secret = secret
        self.sign_name = sign_name
        self.timeout = timeout
        self.clock = clock

    def build_body(self, outgoing: Outgoing) -> bytes:
        document = {
            "to": outgoing.address,
            "sign": self.sign_name,
            "text": outgoing.text,
            "ref": outgoing.reference,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, outgoing: Outgoing) -> Sent:
        check_channel(self, outgoing)
        require_no_cc(outgoing)
        if not E164.fullmatch(outgoing.address):
            raise PermanentFailure(BAD_ADDRESS, address=outgoing.address, kind="phone number")
        body = self.build_body(outgoing)
        timestamp = str(int(self.clock().timestamp()))
        reply = post_json(
            self.url,
            body,
            headers={
                "X-Api-Key": self.api_key,
                "X-Timestamp": timestamp,
                "X-Signature": sms_signature(self.secret, timestamp, body),
            },
            timeout=self.timeout,
            provider=PROVIDER,
        )
        try:
            answer = json.loads(reply.text)
        except ValueError:
            answer = None
        message_id = answer.get("id") if isinstance(answer, dict) else None
        status = answer.get("status") if isinstance(answer, dict) else None
        if status != ACCEPTED or not isinstance(message_id, str) or not message_id:
            raise PermanentFailure(
                PROVIDER_REJECTED,
                payload=body,
                provider_response=reply.evidence,
                provider=PROVIDER,
                detail=f"status {status!r}",
            )
        return Sent(
            payload=body,
            address=outgoing.address,
            provider_message_id=message_id,
            provider_response=reply.evidence,
            sent_at=self.clock(),
        )


SETTINGS = ("RENSHI_SMS_URL", "RENSHI_SMS_API_KEY", "RENSHI_SMS_SECRET", "RENSHI_SMS_SIGN")


def sms_channel_from_settings() -> SmsGatewayChannel:
    """The gateway named by the settings; a temporary failure while any of them is empty.

    Temporary, so that messages queued before an administrator fills the settings in are
    retried, and reported if nobody does.
    """
    values = {name: getattr(settings, name, "") for name in SETTINGS}
    for name, value in values.items():
        if not value:
            raise TemporaryFailure(NOT_CONFIGURED, channel=SMS, setting=name)
    return SmsGatewayChannel(
        url=values["RENSHI_SMS_URL"],
        api_key=values["RENSHI_SMS_API_KEY"],
        secret=values["RENSHI_SMS_SECRET"],
        sign_name=values["RENSHI_SMS_SIGN"],
        timeout=float(getattr(settings, "RENSHI_SMS_TIMEOUT", DEFAULT_TIMEOUT)),  # float-ok: s
    )
