"""The log-state row: the next index and the Merkle frontier, locked by every append.

It is read and written with two plain SQL statements, not the ORM: an append runs them once per
call, inside the caller's transaction, and building ORM queries cost more than running them.
The row holds a ``CompactRange`` (the log's size and one subtree root per bit set in it), which
is all an append needs to extend the tree and all a checkpoint needs to sign its root.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, connection, transaction

from renshi.core.merkle import HASH_SIZE, CompactRange, CompactRangeState
from renshi.evidence.errors import LogStateMissingError
from renshi.evidence.models import LOG_STATE_ID, EvidenceEntry, EvidenceLogState

_SELECT = "SELECT size, frontier FROM evidence_log_state WHERE id = %s"
_UPDATE = "UPDATE evidence_log_state SET size = %s, frontier = %s, updated_at = %s WHERE id = %s"


def log_state_lock() -> CompactRange:
    """Lock the row until the transaction ends (PostgreSQL: ``FOR UPDATE``; SQLite's
    transactions already hold the write lock) and resume the tree from it."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    row = _fetch(_SELECT + lock)
    if row is None:
        _create_empty()
        row = _fetch(_SELECT + lock)
    assert row is not None
    return compact_range_of(size=row[0], frontier=row[1])


def log_state_save(compact: CompactRange, *, moment: datetime.datetime) -> None:
    frontier = b"".join(compact.state().hashes)
    updated_at = connection.ops.adapt_datetimefield_value(moment)
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE, [compact.size, frontier, updated_at, LOG_STATE_ID])


def log_state_read() -> tuple[int, bytes] | None:
    """The row's size and frontier as stored, without a lock; None if there is no row."""
    row = _fetch(_SELECT)
    return None if row is None else (row[0], bytes(row[1]))


def compact_range_of(*, size: int, frontier: bytes | memoryview) -> CompactRange:
    """Resume a ``CompactRange``; a frontier no log could have raises ``CompactRangeStateError``."""
    data = bytes(frontier)
    hashes = tuple(data[start : start + HASH_SIZE] for start in range(0, len(data), HASH_SIZE))
    return CompactRange.from_state(CompactRangeState(size=size, hashes=hashes))


def _fetch(sql: str) -> tuple[int, bytes] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOG_STATE_ID])
        row = cursor.fetchone()
    return None if row is None else (row[0], bytes(row[1]))


def _create_empty() -> None:
    # The migration creates the row; a database flushed by the test runner has lost it. It is
    # made again only for an empty log: with entries, the state would have to be rebuilt. The
    # row is inserted before the entries are counted: a concurrent first append then waits on
    # the row's key until this transaction ends and finds the row, instead of seeing this
    # transaction's committed entries without it.
    try:
        with transaction.atomic():
            EvidenceLogState.objects.create(pk=LOG_STATE_ID)
    except IntegrityError:  # a concurrent first append created it
        return
    if EvidenceEntry.objects.exists():
        raise LogStateMissingError(field="log")
