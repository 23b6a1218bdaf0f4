"""Chat robots: the platforms' body shapes, their signatures, and their error codes."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from tests.notices.servers import HttpTestServer

from renshi.notices.channels.base import (
    BAD_ADDRESS,
    HTTP_ERROR,
    PROVIDER_REJECTED,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from renshi.notices.channels.webhooks import (
    DingTalkRobotChannel,
    FeishuRobotChannel,
    WeComRobotChannel,
)

LOCAL = ("127.0.0.1",)
SUBJECT = "1月工资已发放"
TEXT = "请各位登录人事系统查看工资条。"


@pytest.fixture
def platform():
    with HttpTestServer(dingtalk_secret="SECding", feishu_secret="feishu-secret") as server:
        yield server


def _post(channel: str, address: str) -> Outgoing:
    return Outgoing(channel=channel, address=address, subject=SUBJECT, text=TEXT, reference="n-1")


def test_wecom_posts_its_text_message_shape_to_the_webhook(platform):
    address = f"{platform.url}/wecom/send?key=abc"

    sent = WeComRobotChannel(allowed_hosts=LOCAL).send(_post("wecom", address))

    (request,) = platform.received
    assert request.body == sent.payload
    assert request.query == {"key": "abc"}
    assert json.loads(request.body) == {
        "msgtype": "text",
        "text": {"content": f"{SUBJECT}\n{TEXT}"},
    }
    assert sent.sha256 == hashlib.sha256(request.body).hexdigest()
    assert sent.address == address
    assert sent.provider_response == 'HTTP 200\n{"errcode": 0, "errmsg": "ok"}'


def test_dingtalk_signs_the_url_and_the_platform_verifies_it(platform):
    channel = DingTalkRobotChannel(secret="SECding", allowed_hosts=LOCAL)

    sent = channel.send(_post("dingtalk", f"{platform.url}/dingtalk/robot/send?access_token=t"))

    (request,) = platform.received
    assert request.is_signature_valid is True
    assert request.query["access_token"] == "t"
    assert request.body == sent.payload
    assert json.loads(request.body) == {
        "msgtype": "text",
        "text": {"content": f"{SUBJECT}\n{TEXT}"},
    }


def test_dingtalk_without_a_secret_adds_nothing_to_the_url(platform):
    channel = DingTalkRobotChannel(allowed_hosts=LOCAL)
    platform.dingtalk_secret = ""

    channel.send(_post("dingtalk", f"{platform.url}/dingtalk/robot/send?access_token=t"))

    assert platform.received[0].query == {"access_token": "t"}


def test_dingtalk_with_the_wrong_secret_is_a_permanent_failure_keeping_the_answer(platform):
    channel = DingTalkRobotChannel(secret="SECwrong", allowed_hosts=LOCAL)

    with pytest.raises(PermanentFailure) as failure:
        channel.send(_post("dingtalk", f"{platform.url}/dingtalk/robot/send?access_token=t"))

    assert platform.received[0].is_signature_valid is False
    assert failure.value.template == PROVIDER_REJECTED
    assert failure.value.params["detail"] == "errcode 310000"
    assert '"errmsg": "sign not match"' in failure.value.provider_response
    assert failure.value.payload == platform.received[0].body


def test_feishu_signs_the_body_and_the_platform_verifies_it(platform):
    channel = FeishuRobotChannel(secret="feishu-secret", allowed_hosts=LOCAL)

    sent = channel.send(_post("feishu", f"{platform.url}/feishu/hook/abc"))

    (request,) = platform.received
    assert request.is_signature_valid is True
    assert request.body == sent.payload
    document = json.loads(request.body)
    assert document.keys() == {"timestamp", "sign", "msg_type", "content"}
    assert document["msg_type"] == "text"
    assert document["content"] == {"text": f"{SUBJECT}\n{TEXT}"}


def test_feishu_without_a_secret_sends_the_bare_text_shape(platform):
    platform.feishu_secret = ""

    sent = FeishuRobotChannel(allowed_hosts=LOCAL).send(
        _post("feishu", f"{platform.url}/feishu/hook/abc")
    )

    assert json.loads(sent.payload) == {
        "msg_type": "text",
        "content": {"text": f"{SUBJECT}\n{TEXT}"},
    }


def test_feishu_with_the_wrong_secret_is_a_permanent_failure(platform):
    channel = FeishuRobotChannel(secret="wrong", allowed_hosts=LOCAL)

    with pytest.raises(PermanentFailure) as failure:
        channel.send(_post("feishu", f"{platform.url}/feishu/hook/abc"))

    assert failure.value.params["detail"] == "code 19021"


def test_wecom_error_code_is_a_permanent_failure(platform):
    platform.answer_next(200, {"errcode": 93000, "errmsg": "invalid webhook url"})

    with pytest.raises(PermanentFailure) as failure:
        WeComRobotChannel(allowed_hosts=LOCAL).send(
            _post("wecom", f"{platform.url}/wecom/send?key=gone")
        )

    assert failure.value.template == PROVIDER_REJECTED
    assert failure.value.params["detail"] == "errcode 93000"
    assert "invalid webhook url" in failure.value.provider_response


def test_a_platform_answering_500_is_a_temporary_failure(platform):
    platform.answer_next(502, b"Bad Gateway")

    with pytest.raises(TemporaryFailure) as failure:
        WeComRobotChannel(allowed_hosts=LOCAL).send(
            _post("wecom", f"{platform.url}/wecom/send?key=abc")
        )

    assert failure.value.template == HTTP_ERROR


def test_a_webhook_outside_the_platforms_hosts_is_refused_unsent(platform):
    with pytest.raises(PermanentFailure) as failure:
        WeComRobotChannel().send(_post("wecom", f"{platform.url}/wecom/send?key=abc"))

    assert failure.value.template == BAD_ADDRESS
    assert platform.received == []


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        (WeComRobotChannel(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        (DingTalkRobotChannel(), "https://oapi.dingtalk.com/robot/send?access_token=t"),
        (FeishuRobotChannel(), "https://open.feishu.cn/open-apis/bot/v2/hook/h"),
        (FeishuRobotChannel(), "https://open.larksuite.com/open-apis/bot/v2/hook/h"),
    ],
)
def test_the_platforms_own_hosts_are_allowed_by_default(channel, address):
    assert urlsplit(address).hostname in channel.allowed_hosts
