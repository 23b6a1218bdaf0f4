"""The channel for a name, configured from the settings.

Settings read (none is required until its channel is used):

- email: Django's own ``EMAIL_BACKEND``, ``EMAIL_HOST``, ``EMAIL_PORT``, ... and
  ``DEFAULT_FROM_EMAIL`` for messages without a sender;
- sms: ``RENSHI_SMS_URL``, ``RENSHI_SMS_API_KEY``, ``RENSHI_SMS_SECRET``, ``RENSHI_SMS_SIGN``
  and, optionally, ``RENSHI_SMS_TIMEOUT`` (seconds);
- chat robots: ``RENSHI_DINGTALK_SECRET`` and ``RENSHI_FEISHU_SECRET`` when the robots sign,
  and, optionally, ``RENSHI_WEBHOOK_TIMEOUT`` (seconds). The robot's URL is the address.
"""

from __future__ import annotations

from django.conf import settings

from renshi.notices.channels.base import DINGTALK, EMAIL, FEISHU, SMS, WECOM, Channel
from renshi.notices.channels.email import EmailChannel
from renshi.notices.channels.sms import sms_channel_from_settings
from renshi.notices.channels.webhooks import (
    DEFAULT_TIMEOUT,
    DingTalkRobotChannel,
    FeishuRobotChannel,
    WeComRobotChannel,
)


def channel_for(name: str) -> Channel:
    """A new channel for ``name``; a TemporaryFailure when SMS is not configured yet."""
    timeout = getattr(settings, "RENSHI_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT)
    webhook_timeout = float(timeout)  # float-ok: seconds, not money
    if name == EMAIL:
        return EmailChannel()
    if name == SMS:
        return sms_channel_from_settings()
    if name == WECOM:
        return WeComRobotChannel(timeout=webhook_timeout)
    if name == DINGTALK:
        return DingTalkRobotChannel(
            secret=getattr(settings, "RENSHI_DINGTALK_SECRET", ""), timeout=webhook_timeout
        )
    if name == FEISHU:
        return FeishuRobotChannel(
            secret=getattr(settings, "RENSHI_FEISHU_SECRET", ""), timeout=webhook_timeout
        )
    raise ValueError(f"Unknown channel {name!r}")
