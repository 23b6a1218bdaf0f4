"""The signed text of a checkpoint: four lines anyone can rebuild, and nothing else parses."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from renshi.evidence.checkpoint_text import (
    CheckpointText,
    CheckpointTextError,
    OriginError,
    checkpoint_time,
    parse_checkpoint_text,
)

ROOT = hashlib.sha256(b"root").digest()
MOMENT = datetime.datetime(
    2025, 11, 7, 9, 0, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)  # noqa: E501


def test_the_message_is_origin_size_base64_root_and_utc_time_on_four_lines() -> None:
    text = CheckpointText(origin="hr.example.com/evidence", size=1042, root=ROOT, time=MOMENT)

    assert text.message() == (
        b"hr.example.com/evidence\n1042\n"
        b"SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n2025-11-07T01:00:59Z\n"
    )
    assert parse_checkpoint_text(text.message()) == CheckpointText(
        origin=text.origin, size=1042, root=ROOT, time=checkpoint_time(MOMENT)
    )


@pytest.mark.parametrize(
    "message",
    [
        b"o\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n2025-11-07T01:00:59Z",
        b"o\n01\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n2025-11-07T01:00:59Z\n",
        b"o\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I\n2025-11-07T01:00:59Z\n",
        b"o\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n2025-11-07 01:00:59\n",
        b"o\r\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n2025-11-07T01:00:59Z\n",
    ],
)
def test_anything_but_the_exact_form_is_refused(message: bytes) -> None:
    with pytest.raises((CheckpointTextError, OriginError)):
        parse_checkpoint_text(message)


def test_an_origin_is_one_printable_line() -> None:
    with pytest.raises(OriginError):
        CheckpointText(origin="a\nb", size=0, root=ROOT, time=MOMENT).message()
