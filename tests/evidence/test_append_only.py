"""The database itself refuses to change or remove logged rows, whatever the application does."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from tests.evidence.logs import at, make_log, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.tamper import raw

from renshi.evidence import triggers
from renshi.evidence.models import EvidenceLogState, EvidenceTimestamp
from renshi.evidence.services import evidence_checkpoint_create

pytestmark = pytest.mark.django_db

STATEMENTS = [
    ("evidence_entry", "UPDATE evidence_entry SET kind = 'notice.forged' WHERE log_index = 0"),
    ("evidence_entry", "DELETE FROM evidence_entry WHERE log_index = 0"),
    ("evidence_entry", "DELETE FROM evidence_entry"),
    ("evidence_blob", "UPDATE evidence_blob SET data = data"),
    ("evidence_blob", "DELETE FROM evidence_blob"),
    ("evidence_checkpoint", "UPDATE evidence_checkpoint SET size = size + 1"),
    ("evidence_checkpoint", "DELETE FROM evidence_checkpoint"),
    ("evidence_timestamp", "UPDATE evidence_timestamp SET tsa_url = 'x'"),
    ("evidence_timestamp", "DELETE FROM evidence_timestamp"),
]


@pytest.fixture
def logged(signing_key_file: object) -> None:  # noqa: F811 - the imported fixture
    make_log(3)
    checkpoint = evidence_checkpoint_create(now=at(100))
    EvidenceTimestamp.objects.create(
        checkpoint=checkpoint, tsa_url="http://tsa.test", token=b"token", stamped_at=at(100)
    )


@pytest.mark.usefixtures("logged")
@pytest.mark.parametrize(("table", "sql"), STATEMENTS)
def test_a_raw_update_or_delete_of_a_logged_row_is_refused(table: str, sql: str) -> None:
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        raw(sql)

    assert f"{table} is append-only" in str(refused.value)


@pytest.mark.usefixtures("logged")
def test_the_log_state_row_stays_updatable() -> None:
    raw("UPDATE evidence_log_state SET updated_at = updated_at")

    assert EvidenceLogState.objects.get().size == 3


@pytest.mark.usefixtures("logged")
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's INSERT OR REPLACE")
def test_sqlite_refuses_to_replace_a_logged_row() -> None:
    with pytest.raises(IntegrityError, match="REPLACE refused"), transaction.atomic():
        raw(
            "INSERT OR REPLACE INTO evidence_entry (log_index, kind, company_id, recorded_at, "
            "canonical, leaf_hash) SELECT log_index, 'x.y', company_id, recorded_at, canonical, "
            "leaf_hash FROM evidence_entry WHERE log_index = 0"
        )


@pytest.mark.usefixtures("logged")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TRUNCATE")
def test_postgresql_refuses_to_truncate_a_table_with_rows() -> None:
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # else the test's own deferred checks block TRUNCATE

    with pytest.raises(IntegrityError, match="TRUNCATE refused"), transaction.atomic():
        raw("TRUNCATE evidence_entry")


def test_every_trigger_is_installed_by_the_migrations() -> None:
    assert triggers.missing(connection) == []


def test_dropped_triggers_are_noticed() -> None:
    with transaction.atomic():
        triggers.remove(connection)
        assert len(triggers.missing(connection)) == len(triggers.trigger_names(connection.vendor))
        triggers.install(connection)

    assert triggers.missing(connection) == []
