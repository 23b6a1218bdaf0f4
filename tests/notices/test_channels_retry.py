"""The retry schedule, the proof record's guarantees, and choosing a channel by name."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from renshi.notices.channels import (
    MAX_ATTEMPTS,
    Outgoing,
    Sent,
    TemporaryFailure,
    channel_for,
    is_last_attempt,
    retry_delays,
)
from renshi.notices.channels.base import NOT_CONFIGURED, RESPONSE_LIMIT
from renshi.notices.channels.email import EmailChannel, message_id_for
from renshi.notices.channels.sms import SmsGatewayChannel
from renshi.notices.channels.webhooks import (
    DingTalkRobotChannel,
    FeishuRobotChannel,
    WeComRobotChannel,
)

SENT_AT = datetime(2025, 1, 31, 9, 30, tzinfo=UTC)


def test_failed_attempts_wait_one_five_thirty_minutes_then_two_hours():
    assert [retry_delays(attempt) for attempt in range(1, MAX_ATTEMPTS)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
    ]


def test_the_fifth_attempt_is_the_last_and_has_no_retry():
    assert MAX_ATTEMPTS == 5
    assert [is_last_attempt(attempt) for attempt in range(1, 7)] == [
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    with pytest.raises(ValueError, match="was the last"):
        retry_delays(MAX_ATTEMPTS)


def test_attempts_are_counted_from_one():
    with pytest.raises(ValueError, match="counted from 1"):
        retry_delays(0)


def test_sent_hashes_its_payload_and_refuses_a_hash_of_other_bytes():
    sent = Sent(payload=b"hello", address="a@example.com", provider_response="250", sent_at=SENT_AT)

    assert sent.sha256 == hashlib.sha256(b"hello").hexdigest()
    with pytest.raises(ValueError, match="sha256"):
        Sent(
            payload=b"hello",
            address="a@example.com",
            provider_response="250",
            sent_at=SENT_AT,
            sha256=hashlib.sha256(b"other").hexdigest(),
        )


def test_sent_refuses_a_naive_time_and_truncates_a_long_answer():
    with pytest.raises(ValueError, match="timezone-aware"):
        Sent(payload=b"", address="a", provider_response="", sent_at=datetime(2025, 1, 31))  # noqa: DTZ001

    sent = Sent(payload=b"", address="a", provider_response="x" * 5000, sent_at=SENT_AT)
    assert len(sent.provider_response) == RESPONSE_LIMIT


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="Unknown channel"):
        Outgoing(channel="fax", address="+861012345678")


def test_a_channel_refuses_a_message_for_another_channel():
    with pytest.raises(ValueError, match="cannot send 'sms'"):
        WeComRobotChannel().send(Outgoing(channel="sms", address="+8613800138001"))


def test_message_ids_are_stable_per_reference_and_a_single_atom():
    first = message_id_for("notice 42..x", "HR <hr@Acme.example.cn>")

    assert first == message_id_for("notice 42..x", "hr@acme.example.cn")
    assert first == "<renshi.notice%2042%2E%2Ex@acme.example.cn>"
    assert message_id_for("", "hr@acme.example.cn") != message_id_for("", "hr@acme.example.cn")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("email", EmailChannel),
        ("sms", SmsGatewayChannel),
        ("wecom", WeComRobotChannel),
        ("dingtalk", DingTalkRobotChannel),
        ("feishu", FeishuRobotChannel),
    ],
)
def test_channel_for_chooses_the_implementation(settings, name, kind):
    settings.RENSHI_SMS_URL = "https://sms.example.com/send"
    settings.RENSHI_SMS_API_KEY = "key"
    settings.RENSHI_SMS_SECRET = "secret"
    settings.RENSHI_SMS_SIGN = "人事"

    channel = channel_for(name)

    assert isinstance(channel, kind)
    assert channel.name == name


def test_channel_for_reads_the_robot_secrets_from_the_settings(settings):
    settings.RENSHI_DINGTALK_SECRET = "SECding"
    settings.RENSHI_FEISHU_SECRET = "feishu"

    assert channel_for("dingtalk").secret == "SECding"
    assert channel_for("feishu").secret == "feishu"


def test_channel_for_sms_without_settings_is_a_temporary_failure(settings):
    settings.RENSHI_SMS_URL = ""

    with pytest.raises(TemporaryFailure) as failure:
        channel_for("sms")

    assert failure.value.template == NOT_CONFIGURED


def test_channel_for_an_unknown_name_is_refused():
    with pytest.raises(ValueError, match="Unknown channel"):
        channel_for("fax")
