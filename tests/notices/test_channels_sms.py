"""SMS: the gateway receives exactly the signed bytes, and its answers are sorted."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.notices.servers import SMS_API_KEY, SMS_SECRET, HttpTestServer, free_port

from renshi.notices.channels.base import (
    BAD_ADDRESS,
    CC_NOT_SUPPORTED,
    HTTP_ERROR,
    NETWORK_ERROR,
    NOT_CONFIGURED,
    PROVIDER_REJECTED,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from renshi.notices.channels.sms import SmsGatewayChannel, sms_channel_from_settings

TEXT = "【工资】张三，您1月的工资条已发布，请登录查看。"


@pytest.fixture
def gateway():
    with HttpTestServer(sms_api_key=SMS_API_KEY, sms_secret=SMS_SECRET) as server:
        yield server


def _channel(gateway, *, secret=SMS_SECRET, timeout=5.0) -> SmsGatewayChannel:
    return SmsGatewayChannel(
        url=f"{gateway.url}/sms",
        api_key=SMS_API_KEY,
        secret=secret,
        sign_name="人事",
        timeout=timeout,
    )


def _text(**overrides) -> Outgoing:
    fields = {
        "channel": "sms",
        "address": "+8613800138001",
        "text": TEXT,
        "reference": "notice-42",
    }
    return Outgoing(**{**fields, **overrides})


def test_the_gateway_receives_exactly_the_signed_payload(gateway):
    sent = _channel(gateway).send(_text())

    (request,) = gateway.received
    assert request.body == sent.payload
    assert request.is_signature_valid is True
    assert sent.sha256 == hashlib.sha256(request.body).hexdigest()
    assert request.headers["content-type"] == "application/json; charset=utf-8"


def test_the_payload_is_utf8_json_with_the_documented_fields(gateway):
    sent = _channel(gateway).send(_text())

    assert TEXT.encode("utf-8") in sent.payload
    assert json.loads(sent.payload.decode("utf-8")) == {
        "to": "+8613800138001",
        "sign": "人事",
        "text": TEXT,
        "ref": "notice-42",
    }


def test_the_gateways_id_and_answer_are_kept(gateway):
    sent = _channel(gateway).send(_text())

    assert sent.provider_message_id == "sms-0001"
    assert sent.provider_response == 'HTTP 200\n{"id": "sms-0001", "status": "accepted"}'
    assert sent.address == "+8613800138001"
    assert sent.sent_at.tzinfo is not None


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_or_broken_gateway_is_a_temporary_failure(gateway, status):
    gateway.answer_next(status, {"error": "try later"})

    with pytest.raises(TemporaryFailure) as failure:
        _channel(gateway).send(_text())

    assert failure.value.template == HTTP_ERROR
    assert failure.value.params["status"] == status
    assert failure.value.payload == gateway.received[0].body
    assert failure.value.provider_response == f'HTTP {status}\n{{"error": "try later"}}'


def test_a_request_the_gateway_rejects_is_a_permanent_failure(gateway):
    gateway.answer_next(400, {"error": "invalid number"})

    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway).send(_text())

    assert failure.value.template == HTTP_ERROR
    assert failure.value.params["status"] == 400


def test_a_wrong_secret_is_refused_by_the_gateway_as_a_permanent_failure(gateway):
    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway, secret="not-the-secret").send(_text())

    assert gateway.received[0].is_signature_valid is False
    assert failure.value.params["status"] == 401


def test_an_answer_that_is_not_accepted_is_not_taken_as_sent(gateway):
    gateway.answer_next(200, {"id": "sms-9", "status": "rejected"})

    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway).send(_text())

    assert failure.value.template == PROVIDER_REJECTED
    assert '"status": "rejected"' in failure.value.provider_response


def test_an_answer_that_is_not_json_is_not_taken_as_sent(gateway):
    gateway.answer_next(200, b"<html>OK</html>")

    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway).send(_text())

    assert failure.value.template == PROVIDER_REJECTED


def test_a_number_not_in_e164_is_refused_before_anything_is_sent(gateway):
    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway).send(_text(address="13800138001"))

    assert failure.value.template == BAD_ADDRESS
    assert gateway.received == []


def test_copies_are_refused(gateway):
    with pytest.raises(PermanentFailure) as failure:
        _channel(gateway).send(_text(cc=("+8613800138002",)))

    assert failure.value.template == CC_NOT_SUPPORTED
    assert gateway.received == []


def test_no_gateway_listening_is_a_temporary_failure():
    channel = SmsGatewayChannel(
        url=f"http://127.0.0.1:{free_port()}/sms", api_key="k", secret="s", sign_name="人事"
    )

    with pytest.raises(TemporaryFailure) as failure:
        channel.send(_text())

    assert failure.value.template == NETWORK_ERROR
    assert json.loads(failure.value.payload)["to"] == "+8613800138001"


def test_a_gateway_slower_than_the_timeout_is_a_temporary_failure(gateway):
    gateway.delay_seconds = 1.0

    with pytest.raises(TemporaryFailure) as failure:
        _channel(gateway, timeout=0.2).send(_text())

    assert failure.value.template == NETWORK_ERROR


def test_the_settings_name_the_gateway(gateway, settings):
    settings.RENSHI_SMS_URL = f"{gateway.url}/sms"
    settings.RENSHI_SMS_API_KEY = SMS_API_KEY
    settings.RENSHI_SMS_SECRET = SMS_SECRET
    settings.RENSHI_SMS_SIGN = "人事"

    sent = sms_channel_from_settings().send(_text())

    assert gateway.received[0].body == sent.payload
    assert gateway.received[0].is_signature_valid is True


def test_a_missing_setting_is_a_temporary_failure_naming_it(settings):
    settings.RENSHI_SMS_URL = "https://sms.example.com/send"
    settings.RENSHI_SMS_API_KEY = "key-1"
    settings.RENSHI_SMS_SECRET = ""
    settings.RENSHI_SMS_SIGN = "人事"

    with pytest.raises(TemporaryFailure) as failure:
        sms_channel_from_settings()

    assert failure.value.template == NOT_CONFIGURED
    assert failure.value.params == {"channel": "sms", "setting": "RENSHI_SMS_SECRET"}
