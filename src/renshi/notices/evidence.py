"""What the evidence log keeps of notices and demand letters, built from the rows just written.

``notice.created`` (the text as rendered, to whom, how much, until when), ``notice.sent`` (each
delivery attempt, sent or failed, with the exact bytes as a blob), ``notice.opened``,
``notice.acknowledged``, ``letter.issued`` (the PDF as a blob) and ``letter.dispatched`` (the
scanned receipt as a blob). The services append these records in the transaction of the change.

Two things are kept out on purpose:

- The personal link's token, and its hash, from every entry's document: whoever reads the log
  could open the link, and that opening would be logged as if it were the employee's.
  ``notice.created`` shows the text with the token replaced by ``TOKEN_WITHHELD``, and the
  SHA-256 of the text as stored, so that the text itself can still be checked. The exact bytes
  of a message that went out (a ``notice.sent`` blob) do hold the link, because they are the
  proof of what was sent and must hash to what the provider received: until the link expires
  (``NoticeSettings.link_days``), such a blob is as sensitive as the link itself.
- The addresses of HR and finance staff from the employee's case file: the copy sent to them is
  recorded with no employee (``about_employee`` names whom it was about), and the employee's
  entries name the staff only by role.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renshi.alerts.evidence import actor_name
from renshi.evidence.canonical import sha256_hex
from renshi.evidence.services import EvidenceRecord
from renshi.notices.channels.base import EMAIL

if TYPE_CHECKING:
    from renshi.access.checks import Actor
    from renshi.notices.letters import LetterLine
    from renshi.notices.models import (
        Acknowledgement,
        Delivery,
        DeliveryAttempt,
        DemandLetter,
        Notice,
        NoticeLink,
        NoticeOpening,
        PostalDispatch,
    )

NOTICE_CREATED = "notice.created"
NOTICE_SENT = "notice.sent"
NOTICE_OPENED = "notice.opened"
NOTICE_ACKNOWLEDGED = "notice.acknowledged"
LETTER_ISSUED = "letter.issued"
LETTER_DISPATCHED = "letter.dispatched"

TOKEN_WITHHELD = "[token withheld]"  # noqa: S105 - a placeholder, not a secret
EMPLOYEE = "employee"
STAFF = "staff"  # a copy to someone who no longer holds the HR or finance role
SENT = "sent"
FAILED = "failed"
# The blob of an attempt is named for what its bytes are: an RFC 5322 message for email, an
# HTTP request body (JSON) for the SMS gateway and the chat robots.
PAYLOAD_NAMES = {EMAIL: "message.eml"}
PAYLOAD_NAME = "request.json"
RECEIPT = "receipt"
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def text_sha256(text: str) -> str:
    return sha256_hex(text.encode())


def notice_created_record(
    notice: Notice,
    *,
    token: str,
    link: NoticeLink,
    deliveries: Iterable[Delivery],
    copy_roles: dict[str, str],
) -> EvidenceRecord:
    """The notice as rendered, its recipients by role (the employee's own addresses; staff by
    role only), the amounts, the deadline and when the link expires."""
    alert = notice.alert
    recipients = [
        {"role": copy_roles.get(d.address, STAFF), "channel": d.channel}
        if d.is_copy
        else {"role": EMPLOYEE, "channel": d.channel, "address": d.address}
        for d in deliveries
    ]
    return EvidenceRecord(
        kind=NOTICE_CREATED,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "notice": notice.pk,
            "alert": None if alert is None else alert.pk,
            "rule": None if alert is None else alert.rule.kind,
            "channels": [] if alert is None else list(alert.rule.channels),
            "recipients": recipients,
            "subject": notice.subject.replace(token, TOKEN_WITHHELD),
            "text": notice.body_text.replace(token, TOKEN_WITHHELD),
            "text_sha256": text_sha256(notice.body_text),
            "amount": notice.amount,
            "items": {} if alert is None else dict(alert.links.get("items", {})),
            "deadline": notice.deadline,
            "link_expires_at": link.expires_at,
            "created_at": notice.created_at,
        },
    )


def notice_sent_record(
    attempt: DeliveryAttempt,
    *,
    delivery: Delivery,
    number: int,
    recipient_role: str,
    error: str = "",
) -> EvidenceRecord:
    """One delivery attempt, sent or failed, with the bytes it put on the wire. A copy to HR or
    finance (``recipient_role`` names whose) is about the employee but not filed under them."""
    notice = delivery.notice
    payload = bytes(attempt.payload)
    data: dict[str, Any] = {
        "notice": notice.pk,
        "delivery": delivery.pk,
        "attempt": number,
        "channel": delivery.channel,
        "address": delivery.address,
        "binding": _binding(delivery),
        "status": SENT if attempt.outcome == SENT else FAILED,
        "outcome": attempt.outcome,
        "error": error,
        "provider_message_id": attempt.provider_message_id,
        "provider_response": attempt.provider_response,
        "sha256": attempt.sha256,
        "size": len(payload),
        "at": attempt.at,
        "delivery_state": delivery.state,
        "next_attempt_at": delivery.next_attempt_at,
        "recipient_role": recipient_role,
    }
    employee_id: int | None = notice.employee_id
    if delivery.is_copy:
        employee_id = None  # staff data stays out of the employee's case file
        data["about_employee"] = notice.employee.number
    name = PAYLOAD_NAMES.get(delivery.channel, PAYLOAD_NAME)
    return EvidenceRecord(
        kind=NOTICE_SENT,
        company_id=notice.company_id,
        employee_id=employee_id,
        data=data,
        blobs={name: payload} if payload else {},
    )


def notice_shown_record(delivery: Delivery) -> EvidenceRecord:
    """The in-app delivery: nothing is transmitted, the notice is in the employee's portal."""
    notice = delivery.notice
    return EvidenceRecord(
        kind=NOTICE_SENT,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "notice": notice.pk,
            "delivery": delivery.pk,
            "attempt": 1,
            "channel": delivery.channel,
            "address": delivery.address,
            "binding": {"is_verified": False, "source": "employee portal account"},
            "status": SENT,
            "outcome": SENT,
            "error": "",
            "provider_message_id": "",
            "provider_response": "shown in the employee portal",
            "sha256": text_sha256(notice.body_text),
            "size": len(notice.body_text.encode()),
            "at": delivery.sent_at,
            "delivery_state": delivery.state,
            "next_attempt_at": None,
            "recipient_role": EMPLOYEE,
        },
    )


def _binding(delivery: Delivery) -> dict[str, Any]:
    """How the address is tied to its holder: a verified contact, or only the record."""
    if delivery.is_copy:
        return {"is_verified": False, "source": "staff user account"}
    contact = delivery.contact
    if contact is None or contact.verified_at is None:
        return {"is_verified": False, "source": "employee record"}
    return {
        "is_verified": True,
        "source": "bound contact address",
        "contact": contact.pk,
        "verification": contact.verification,
        "verified_at": contact.verified_at,
    }


def notice_opened_record(opening: NoticeOpening, *, notice: Notice) -> EvidenceRecord:
    return EvidenceRecord(
        kind=NOTICE_OPENED,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "notice": notice.pk,
            "opening": opening.pk,
            "at": opening.at,
            "ip": opening.ip,
            "user_agent": opening.user_agent,
            "is_expired": opening.is_expired,
        },
    )


def notice_acknowledged_record(
    acknowledgement: Acknowledgement, *, notice: Notice, actor: Actor
) -> EvidenceRecord:
    return EvidenceRecord(
        kind=NOTICE_ACKNOWLEDGED,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "notice": notice.pk,
            "acknowledgement": acknowledgement.pk,
            "user": actor_name(actor),
            "at": acknowledgement.at,
            "ip": acknowledgement.ip,
            "user_agent": acknowledgement.user_agent,
            "text_sha256": acknowledgement.text_sha256,
            "note": "signed in to the employee portal",
        },
    )


def letter_issued_record(
    letter: DemandLetter,
    *,
    lines: Sequence[LetterLine],
    offsets: Sequence[tuple[str, Decimal]],
    issued_on: datetime.date,
) -> EvidenceRecord:
    notice = letter.notice
    return EvidenceRecord(
        kind=LETTER_ISSUED,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "letter": letter.pk,
            "number": letter.number,
            "notice": notice.pk,
            "alert": notice.alert_id,
            "total": letter.amount,
            "lines": [
                {"month": line.month, "item": line.item, "amount": line.amount} for line in lines
            ],
            "offsets": [{"label": label, "amount": amount} for label, amount in offsets],
            "deadline": letter.deadline,
            "issued_on": issued_on,
            "sha256": letter.sha256,
        },
        blobs={"letter.pdf": bytes(letter.pdf)},
    )


def letter_dispatched_record(
    dispatch: PostalDispatch,
    *,
    letter: DemandLetter,
    actor: Actor,
    address: str,
    receipt: bytes | None,
    receipt_name: str,
) -> EvidenceRecord:
    notice = letter.notice
    blobs = {}
    if receipt is not None:
        blobs[receipt_blob_name(receipt_name)] = receipt
    return EvidenceRecord(
        kind=LETTER_DISPATCHED,
        company_id=notice.company_id,
        employee_id=notice.employee_id,
        data={
            "dispatch": dispatch.pk,
            "letter": letter.pk,
            "number": letter.number,
            "carrier": dispatch.carrier,
            "tracking_number": dispatch.tracking_number,
            "dispatched_on": dispatch.dispatched_on,
            "address": address,
            "actor": actor_name(actor),
            "recorded_at": dispatch.recorded_at,
            "receipt_name": receipt_name,
            "receipt_sha256": dispatch.receipt_sha256,
        },
        blobs=blobs,
    )


def receipt_blob_name(filename: str) -> str:
    """``receipt.jpg`` for ``扫描件.JPG``: the upload's extension, if it looks like one."""
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    return f"{RECEIPT}.{suffix}" if _EXTENSION.fullmatch(suffix) else RECEIPT
