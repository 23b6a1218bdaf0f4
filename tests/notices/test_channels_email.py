"""Email: the bytes hashed are the bytes the SMTP server receives, and refusals are sorted."""

from __future__ import annotations

import email
import hashlib
from datetime import UTC, datetime
from email import policy
from email.utils import format_datetime

import pytest
from django.core import mail
from django.core.mail import get_connection
from tests.notices.servers import SmtpTestServer, free_port

from renshi.notices.channels.base import (
    BAD_ADDRESS,
    NETWORK_ERROR,
    SMTP_MESSAGE_REFUSED,
    SMTP_RECIPIENT_REFUSED,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from renshi.notices.channels.email import EmailChannel, message_id_for

COMPOSED_AT = datetime(2025, 1, 31, 9, 30, tzinfo=UTC)
SENDER = "人事部 <hr@acme.example.cn>"
SUBJECT = "2025年1月工资条"
# The second line starts with a dot: SMTP doubles it on the wire and the server undoes it.
TEXT = "张三，您好：\n.您的1月工资条已发布，实发工资 ¥12,345.67。\n"
HTML = "<p>张三，您好：</p><p>您的1月工资条已发布。</p>"


def _clock() -> datetime:
    return COMPOSED_AT


@pytest.fixture
def smtp(settings):
    with SmtpTestServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server


def _payslip_notice(**overrides) -> Outgoing:
    fields = {
        "channel": "email",
        "address": "zhangsan@example.com",
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "sender": SENDER,
        "cc": ("manager@example.com",),
        "reference": "notice-42.delivery-7",
    }
    return Outgoing(**{**fields, **overrides})


def test_the_server_receives_exactly_the_bytes_that_were_hashed(smtp):
    sent = EmailChannel(clock=_clock).send(_payslip_notice())

    (received,) = smtp.received
    assert received.content == sent.payload
    assert sent.sha256 == hashlib.sha256(received.content).hexdigest()
    assert sent.address == "zhangsan@example.com"
    assert sent.sent_at == COMPOSED_AT


def test_the_envelope_holds_the_sender_the_recipient_and_the_copies(smtp):
    EmailChannel(clock=_clock).send(_payslip_notice())

    (received,) = smtp.received
    assert received.mail_from == "hr@acme.example.cn"
    assert received.rcpt_tos == ("zhangsan@example.com", "manager@example.com")
    assert "BODY=8BITMIME" in received.mail_options


def test_chinese_subject_and_bodies_survive_the_trip(smtp):
    EmailChannel(clock=_clock).send(_payslip_notice())

    message = email.message_from_bytes(smtp.received[0].content, policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "人事部"
    assert message["Cc"] == "manager@example.com"
    # Mail lines end in CRLF on the wire, and the parser leaves them so in the decoded text.
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert plain == TEXT
    assert html.strip() == HTML


def test_date_and_message_id_are_fixed_before_hashing_and_name_the_reference(smtp):
    sent = EmailChannel(clock=_clock).send(_payslip_notice())

    message = email.message_from_bytes(sent.payload, policy=policy.default)
    assert message["Date"] == format_datetime(COMPOSED_AT)
    assert message["Message-ID"] == "<renshi.notice-42%2Edelivery-7@acme.example.cn>"
    assert message["Message-ID"] == message_id_for("notice-42.delivery-7", SENDER)
    assert message["X-Renshi-Reference"] == "notice-42.delivery-7"


def test_the_servers_reply_and_queue_id_are_kept(smtp):
    sent = EmailChannel(clock=_clock).send(_payslip_notice())

    assert sent.provider_response == "250 2.0.0 Ok: queued as Q0001"
    assert sent.provider_message_id == "Q0001"


def test_a_plain_text_message_without_a_final_newline_still_arrives_byte_for_byte(smtp):
    sent = EmailChannel(clock=_clock).send(
        _payslip_notice(text="请查收。", html=None, cc=(), reference="")
    )

    assert sent.payload.endswith(b"\r\n")
    assert smtp.received[0].content == sent.payload


def test_an_open_connection_is_reused_and_left_open(smtp):
    connection = get_connection()
    connection.open()
    try:
        channel = EmailChannel(connection, clock=_clock)
        first = channel.send(_payslip_notice(reference="n-1"))
        second = channel.send(_payslip_notice(reference="n-2"))
        assert connection.connection is not None
    finally:
        connection.close()

    assert [mail.content for mail in smtp.received] == [first.payload, second.payload]


def test_a_refused_recipient_is_a_permanent_failure_and_nothing_is_sent(smtp):
    smtp.refuse("zhangsan@example.com", "550 5.1.1 <zhangsan@example.com>: user unknown")

    with pytest.raises(PermanentFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice())

    assert failure.value.template == SMTP_RECIPIENT_REFUSED
    assert failure.value.params["address"] == "zhangsan@example.com"
    assert failure.value.provider_response.startswith("550 5.1.1")
    assert failure.value.payload.startswith(b"Content-Type: multipart/alternative")
    assert smtp.received == []


def test_a_recipient_deferred_with_451_is_a_temporary_failure(smtp):
    smtp.refuse("zhangsan@example.com", "451 4.3.0 try again later")

    with pytest.raises(TemporaryFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice())

    assert failure.value.template == SMTP_RECIPIENT_REFUSED
    assert failure.value.provider_response == "451 4.3.0 try again later"
    assert smtp.received == []


def test_a_message_deferred_after_its_data_is_a_temporary_failure(smtp):
    smtp.answer_data_with("451 4.7.1 greylisted, come back later")

    with pytest.raises(TemporaryFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice())

    assert failure.value.template == SMTP_MESSAGE_REFUSED
    assert failure.value.provider_response == "451 4.7.1 greylisted, come back later"


def test_a_message_rejected_after_its_data_is_a_permanent_failure(smtp):
    smtp.answer_data_with("554 5.7.1 message rejected as spam")

    with pytest.raises(PermanentFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice())

    assert failure.value.template == SMTP_MESSAGE_REFUSED
    assert failure.value.sha256 == hashlib.sha256(failure.value.payload).hexdigest()


def test_a_refused_copy_does_not_stop_the_message_and_is_noted(smtp):
    smtp.refuse("manager@example.com", "550 5.1.1 no such user")

    sent = EmailChannel(clock=_clock).send(_payslip_notice())

    assert smtp.received[0].rcpt_tos == ("zhangsan@example.com",)
    assert smtp.received[0].content == sent.payload
    assert "refused manager@example.com: 550 5.1.1 no such user" in sent.provider_response


def test_no_server_listening_is_a_temporary_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5

    with pytest.raises(TemporaryFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice())

    assert failure.value.template == NETWORK_ERROR
    assert failure.value.payload  # built, and kept, although it never left


def test_an_invalid_address_is_a_permanent_failure_before_anything_is_built(smtp):
    with pytest.raises(PermanentFailure) as failure:
        EmailChannel(clock=_clock).send(_payslip_notice(address="zhangsan@"))

    assert failure.value.template == BAD_ADDRESS
    assert failure.value.payload == b""
    assert smtp.received == []


def test_other_backends_are_handed_the_very_message_that_was_hashed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    sent = EmailChannel(clock=_clock).send(_payslip_notice())

    (kept,) = mail.outbox
    assert kept.message().as_bytes(linesep="\r\n") == sent.payload
    assert sent.provider_response == "accepted by django.core.mail.backends.locmem.EmailBackend"
