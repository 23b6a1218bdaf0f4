"""Appends from concurrent transactions still get gapless, unique indexes and a state that
matches the entries: the lock on the log-state row orders them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from tests.factories import make_company

from renshi.evidence.models import EvidenceLogState
from renshi.evidence.services import evidence_append
from renshi.evidence.verify import evidence_log_verify

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 4
APPENDS = 15


@pytest.mark.parametrize("state_row", ["present", "gone"])
def test_concurrent_transactions_append_without_gaps_or_duplicates(state_row: str) -> None:
    """With the state row gone (a flushed, empty log), the first appends race to make it."""
    company = make_company()
    if state_row == "gone":
        EvidenceLogState.objects.all().delete()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def appender(number: int) -> None:
        try:
            start.wait()
            for step in range(APPENDS):
                with transaction.atomic():
                    evidence_append(
                        kind="notice.sent", company=company, data={"t": number, "s": step}
                    )
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT log_index FROM evidence_entry ORDER BY log_index")
        indexes = [row[0] for row in cursor.fetchall()]
    assert indexes == list(range(THREADS * APPENDS))
    assert evidence_log_verify().is_intact
