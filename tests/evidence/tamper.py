"""Simulated tampering: what someone who can drop the append-only triggers could do.

``append_only_suspended()`` drops the triggers for the duration of a ``with`` block and puts them
back after, inside the test's transaction, so raw SQL can change, delete or insert log rows the
way an attacker with database rights would; ``renshi evidence verify`` must then notice.
Tests elsewhere that flush a database holding evidence rows (``transaction=True``) need it too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from renshi.evidence import triggers


@contextmanager
def append_only_suspended() -> Iterator[None]:
    triggers.remove(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def raw(sql: str, params: Sequence[Any] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tamper(sql: str, params: Sequence[Any] = ()) -> None:
    """Run ``sql`` with the triggers down."""
    with append_only_suspended():
        raw(sql, params)


class _Rollback(Exception):
    pass


@contextmanager
def undone_afterwards() -> Iterator[None]:
    """Run the block in a savepoint that is rolled back, so one test can tamper many times
    (each hypothesis example starts from the same intact log)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
