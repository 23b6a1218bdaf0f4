"""How notices leave Renshi: email, SMS and group chat robots, each keeping proof of what went.

``channel_for(name).send(outgoing)`` returns a :class:`Sent` (the exact bytes, their SHA-256,
the address, the provider's answer, the time) or raises :class:`TemporaryFailure` (retry after
``retry_delays(attempt)`` unless ``is_last_attempt(attempt)``) or :class:`PermanentFailure`
(report). Nothing here touches the database: the notices services record the outcome.
"""

from renshi.notices.channels.base import (
    CHANNELS,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    Channel,
    DeliveryFailure,
    Outgoing,
    PermanentFailure,
    Sent,
    TemporaryFailure,
    is_last_attempt,
    retry_delays,
)
from renshi.notices.channels.registry import channel_for

__all__ = [
    "CHANNELS",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "Channel",
    "DeliveryFailure",
    "Outgoing",
    "PermanentFailure",
    "Sent",
    "TemporaryFailure",
    "channel_for",
    "is_last_attempt",
    "retry_delays",
]
