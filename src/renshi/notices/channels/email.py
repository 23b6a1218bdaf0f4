"""Email through Django's mail settings, sending the very bytes it hashes.

The message is built once, with Django's ``EmailMultiAlternatives`` and a fixed ``Date`` and
``Message-ID``; its bytes (CRLF line endings, as SMTP carries them) are the payload that is
hashed and kept. With Django's SMTP backend those bytes are then handed to the open SMTP
connection as they are: Django's own ``send_messages`` would build the MIME message again,
and a multipart message gets a new random boundary each time it is built.

The SMTP transaction is run here rather than by ``smtplib.sendmail`` to keep the server's
final reply (``250 ... queued as <id>``), which is the provider's answer and holds its queue
id, and to refuse the whole message when the server refuses its main recipient: then nothing
goes to the copies either. Copies the server refuses are noted in the answer.

Other backends (locmem in tests, console and file in development) are given the message
object that was hashed, to write or keep as they do.

``Message-ID`` is ``<renshi.<reference>@<sender's domain>>``, so a bounce or a receipt that
quotes it names the delivery; :func:`message_id_for` computes it.
"""

from __future__ import annotations

import re
import smtplib
import threading
from contextlib import suppress
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email
from django.utils import timezone

from renshi.notices.channels.base import (
    BACKEND_DECLINED,
    BAD_ADDRESS,
    BAD_CONTENT,
    EMAIL,
    NETWORK_ERROR,
    SMTP_ERROR,
    SMTP_MESSAGE_REFUSED,
    SMTP_RECIPIENT_REFUSED,
    SMTP_SENDER_REFUSED,
    Clock,
    DeliveryFailure,
    Outgoing,
    PermanentFailure,
    Sent,
    TemporaryFailure,
    check_channel,
    utc_now,
)

PROVIDER = "the mail server"
REFERENCE_HEADER = "X-Renshi-Reference"
CRLF = b"\r\n"
# Headers the channel sets itself; the same names in Outgoing.headers are dropped.
OWN_HEADERS = frozenset({"date", "message-id", "from", "to", "cc", "bcc", REFERENCE_HEADER.lower()})
_QUEUE_ID = re.compile(r"queued as\s+<?([^\s>]+)", re.IGNORECASE)
# RFC 5322 atext without "." and "%": a reference quoted with it is a single atom.
_ATOM_SAFE = "!#$&'*+-/=?^_`{|}~"


def message_id_for(reference: str, sender: str) -> str:
    """The Message-ID of the email for ``reference`` from ``sender`` (random without one)."""
    domain = _domain_of(sender)
    if not reference:
        return make_msgid(domain=domain)
    token = quote(reference, safe=_ATOM_SAFE).replace(".", "%2E")
    return f"<renshi.{token}@{domain}>"


def _domain_of(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower()
    try:
        return domain.encode("idna").decode("ascii") if domain else str(DNS_NAME)
    except UnicodeError:
        return str(DNS_NAME)


class _ComposedOnce(EmailMultiAlternatives):
    """Builds its MIME message on the first call and returns that same object afterwards."""

    _composed: Any = None

    def message(self, *args: Any, **kwargs: Any) -> Any:
        if self._composed is None:
            self._composed = super().message(*args, **kwargs)
        return self._composed


class EmailChannel:
    """Email by the configured ``EMAIL_BACKEND``, or by ``connection`` when given.

    A given connection is reused and left open if it was open; otherwise each send opens and
    closes one. A connection that failed is closed, to be opened afresh by the next send.
    """

    name = EMAIL

    def __init__(
        self, connection: BaseEmailBackend | None = None, *, clock: Clock = utc_now
    ) -> None:
        self.connection = connection
        self.clock = clock
        self._lock = threading.Lock()

    def compose(self, outgoing: Outgoing) -> tuple[EmailMultiAlternatives, bytes]:
        """The message and its exact bytes, CRLF line endings and final CRLF included."""
        sender = outgoing.sender or settings.DEFAULT_FROM_EMAIL
        composed_at = self.clock()
        if settings.EMAIL_USE_LOCALTIME:
            composed_at = timezone.localtime(composed_at)
        headers = {
            name: value
            for name, value in outgoing.headers.items()
            if name.lower() not in OWN_HEADERS
        }
        headers["Date"] = format_datetime(composed_at)
        headers["Message-ID"] = message_id_for(outgoing.reference, sender)
        if outgoing.reference:
            headers[REFERENCE_HEADER] = outgoing.reference
        email = _ComposedOnce(
            subject=outgoing.subject,
            body=outgoing.text,
            from_email=sender,
            to=[outgoing.address],
            cc=list(outgoing.cc),
            headers=headers,
        )
        if outgoing.html is not None:
            email.attach_alternative(outgoing.html, "text/html")
        try:
            payload = email.message().as_bytes(linesep="\r\n")
        except ValueError as error:  # BadHeaderError: a newline in a header
            raise PermanentFailure(BAD_CONTENT, error=str(error)) from error
        # SMTP data ends with CRLF "." CRLF; smtplib adds the CRLF to a message that lacks it,
        # so it is part of what the server receives, and of the payload.
        if not payload.endswith(CRLF):
            payload += CRLF
        return email, payload

    def send(self, outgoing: Outgoing) -> Sent:
        check_channel(self, outgoing)
        for address in (outgoing.address, *outgoing.cc):
            try:
                validate_email(address)
            except ValidationError as error:
                raise PermanentFailure(
                    BAD_ADDRESS, address=address, kind="email address"
                ) from error
        email, payload = self.compose(outgoing)
        backend = self.connection or get_connection()
        if isinstance(backend, SmtpBackend):
            answer = self._send_smtp(backend, email, payload)
        else:
            answer = self._hand_over(backend, email, payload)
        match = _QUEUE_ID.search(answer)
        return Sent(
            payload=payload,
            address=outgoing.address,
            provider_message_id=match.group(1) if match else None,
            provider_response=answer,
            sent_at=self.clock(),
        )

    def _send_smtp(
        self, backend: SmtpBackend, email: EmailMultiAlternatives, payload: bytes
    ) -> str:
        encoding = email.encoding or settings.DEFAULT_CHARSET
        envelope_from = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email.recipients()]
        with self._lock:
            try:
                is_new = backend.open()
            except (OSError, smtplib.SMTPException) as error:
                _close_quietly(backend)
                raise _connection_failure(error, payload) from error
            if backend.connection is None:  # fail_silently=True swallowed the error
                raise TemporaryFailure(
                    NETWORK_ERROR, payload=payload, provider=PROVIDER, error="not connected"
                )
            try:
                answer = _transact(backend.connection, envelope_from, recipients, payload)
            except BaseException:
                _close_quietly(backend)
                raise
            if is_new:
                _close_quietly(backend)
            return answer

    def _hand_over(
        self, backend: BaseEmailBackend, email: EmailMultiAlternatives, payload: bytes
    ) -> str:
        path = f"{type(backend).__module__}.{type(backend).__qualname__}"
        try:
            count = backend.send_messages([email])
        except (OSError, smtplib.SMTPException) as error:
            raise _connection_failure(error, payload) from error
        if count != 1:
            raise TemporaryFailure(BACKEND_DECLINED, payload=payload, backend=path)
        return f"accepted by {path}"


def _transact(smtp: smtplib.SMTP, envelope_from: str, recipients: list[str], payload: bytes) -> str:
    """MAIL, RCPT for each recipient, DATA with ``payload``; the server's final reply."""
    try:
        smtp.ehlo_or_helo_if_needed()
        options = []
        if smtp.does_esmtp and smtp.has_extn("size"):
            options.append(f"SIZE={len(payload)}")
        if smtp.does_esmtp and smtp.has_extn("8bitmime") and not payload.isascii():
            options.append("BODY=8BITMIME")
        code, reply = smtp.mail(envelope_from, options)
        if code != 250:
            _reset_quietly(smtp)
            raise _refusal(code, reply, payload, SMTP_SENDER_REFUSED, sender=envelope_from)
        refused_copies = []
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code in (250, 251):
                continue
            if recipient == recipients[0]:
                _reset_quietly(smtp)
                raise _refusal(code, reply, payload, SMTP_RECIPIENT_REFUSED, address=recipient)
            refused_copies.append(f"refused {recipient}: {_reply_text(code, reply)}")
        code, reply = smtp.data(payload)
        if code != 250:
            raise _refusal(code, reply, payload, SMTP_MESSAGE_REFUSED)
    except smtplib.SMTPDataError as error:  # the DATA command itself refused
        raise _refusal(error.smtp_code, error.smtp_error, payload, SMTP_MESSAGE_REFUSED) from error
    except (OSError, smtplib.SMTPException) as error:
        raise _connection_failure(error, payload) from error
    return "\n".join([_reply_text(code, reply), *refused_copies])


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}"


def _refusal(
    code: int, reply: bytes | str, payload: bytes, template: str, **params: str
) -> DeliveryFailure:
    """4xx: try again later; 5xx: will never be accepted."""
    text = _reply_text(code, reply)
    failure = PermanentFailure if 500 <= code <= 599 else TemporaryFailure
    return failure(template, payload=payload, provider_response=text, reply=text, **params)


def _connection_failure(error: Exception, payload: bytes) -> TemporaryFailure:
    """Not reaching the server, or not being let in (TLS, login), is ours to fix: retry."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = _reply_text(error.smtp_code, error.smtp_error)
        return TemporaryFailure(SMTP_ERROR, payload=payload, provider_response=text, reply=text)
    if isinstance(error, smtplib.SMTPException):
        return TemporaryFailure(SMTP_ERROR, payload=payload, reply=str(error) or repr(error))
    return TemporaryFailure(
        NETWORK_ERROR, payload=payload, provider=PROVIDER, error=str(error) or repr(error)
    )


def _reset_quietly(smtp: smtplib.SMTP) -> None:
    with suppress(OSError, smtplib.SMTPException):
        smtp.rset()


def _close_quietly(backend: SmtpBackend) -> None:
    with suppress(OSError, smtplib.SMTPException):
        backend.close()
