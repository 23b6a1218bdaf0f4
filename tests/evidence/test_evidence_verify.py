"""``verify`` recomputes the log from its bytes and names the first entry that was tampered with.

Each test tampers the way someone with database rights could: triggers dropped, raw SQL.
"""

from __future__ import annotations

import hashlib

import pytest
from tests.evidence.logs import make_signed_log, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.tamper import tamper

from renshi.core.merkle import leaf_hash
from renshi.evidence import verify
from renshi.evidence.canonical import canonical_json
from renshi.evidence.models import EvidenceBlob, EvidenceEntry, EvidenceLogState
from renshi.evidence.selectors import evidence_entry_document
from renshi.evidence.verify import VerifyReport, evidence_log_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]
SIZE = 10  # checkpoints at 5 and at 10 entries


@pytest.fixture
def log(signing_key_file: object) -> list[EvidenceEntry]:  # noqa: F811 - the imported fixture
    return make_signed_log(SIZE)


def _bytes(index: int) -> bytes:
    return bytes(EvidenceEntry.objects.get(index=index).canonical)


def _templates(report: VerifyReport) -> list[str]:
    return [problem.message.template for problem in report.problems]


@pytest.mark.usefixtures("log")
def test_an_intact_log_verifies() -> None:
    report = evidence_log_verify()

    assert report.is_intact, [p.message.render() for p in report.problems]
    assert (report.size, report.checkpoints, report.blobs) == (SIZE, 2, 1)
    assert report.warnings == ()


@pytest.mark.usefixtures("log")
def test_a_changed_byte_is_reported_at_its_entry() -> None:
    changed = _bytes(7).replace(b"1502.00", b"1902.00")
    tamper("UPDATE evidence_entry SET canonical = %s WHERE log_index = 7", [changed])

    report = evidence_log_verify()

    assert report.first_bad_index == 7
    assert report.problems[0].message.template == verify.ENTRY_CHANGED
    assert "entry 7 was changed" in report.problems[0].message.render()


@pytest.mark.usefixtures("log")
def test_a_change_that_also_rewrites_the_leaf_hash_is_caught_by_the_signed_root() -> None:
    changed = _bytes(7).replace(b"1502.00", b"1902.00")
    tamper(
        "UPDATE evidence_entry SET canonical = %s, leaf_hash = %s WHERE log_index = 7",
        [changed, leaf_hash(changed)],
    )

    report = evidence_log_verify()

    # Only the checkpoint over 10 entries fails: the one over 5 still holds, so the change is
    # in entries 5 to 9.
    assert report.first_bad_index == 5
    assert _templates(report)[0] == verify.ROOT_MISMATCH
    assert not report.problems[0].is_exact


@pytest.mark.usefixtures("log")
def test_a_deleted_entry_is_reported_at_its_index() -> None:
    tamper("DELETE FROM evidence_entry WHERE log_index = 3")

    report = evidence_log_verify()

    assert report.first_bad_index == 3
    assert _templates(report)[0] == verify.ENTRY_MISSING


@pytest.mark.usefixtures("log")
def test_a_deleted_first_entry_is_reported() -> None:
    tamper("DELETE FROM evidence_entry WHERE log_index = 0")

    report = evidence_log_verify()

    assert report.first_bad_index == 0
    assert _templates(report)[0] == verify.ENTRY_MISSING_AT_START


@pytest.mark.usefixtures("log")
def test_a_truncated_tail_is_reported_at_the_first_missing_entry() -> None:
    tamper("DELETE FROM evidence_entry WHERE log_index >= 8")

    report = evidence_log_verify()

    assert report.first_bad_index == 8
    assert verify.ENTRY_TAIL_MISSING in _templates(report)
    assert verify.STATE_TRUNCATED in _templates(report)


@pytest.mark.usefixtures("log")
def test_two_swapped_entries_are_reported_at_the_first() -> None:
    two, six = EvidenceEntry.objects.get(index=2), EvidenceEntry.objects.get(index=6)
    with_six = (bytes(six.canonical), bytes(six.leaf_hash), six.kind, six.employee_id)
    with_two = (bytes(two.canonical), bytes(two.leaf_hash), two.kind, two.employee_id)
    sql = (
        "UPDATE evidence_entry SET canonical = %s, leaf_hash = %s, kind = %s, employee_id = %s "
        "WHERE log_index = %s"
    )
    tamper(sql, [*with_six, 2])
    tamper(sql, [*with_two, 6])

    report = evidence_log_verify()

    assert report.first_bad_index == 2
    assert report.problems[0].message.template == verify.ENTRY_COLUMN
    assert report.problems[0].message.params["column"] == "index"


@pytest.mark.usefixtures("log")
def test_an_entry_inserted_in_the_middle_is_reported_where_the_log_departs() -> None:
    original = EvidenceEntry.objects.get(index=4)
    for index in range(SIZE - 1, 3, -1):  # make room at 4, from the end to avoid collisions
        tamper("UPDATE evidence_entry SET log_index = %s WHERE log_index = %s", [index + 1, index])
    forged = {**evidence_entry_document(original), "data": {"net": "99999.00"}}
    canonical = canonical_json(forged)
    tamper(
        "INSERT INTO evidence_entry (log_index, kind, company_id, employee_id, recorded_at, "
        "corrects, canonical, leaf_hash) VALUES (4, %s, %s, %s, %s, NULL, %s, %s)",
        [
            original.kind, original.company_id, original.employee_id, original.recorded_at,
            canonical, leaf_hash(canonical),
        ],
    )  # fmt: skip

    report = evidence_log_verify()

    # The forged entry is consistent in itself; the entry it pushed along is not where its
    # bytes say it is.
    assert report.first_bad_index == 5
    assert report.problems[0].message.template == verify.ENTRY_COLUMN
    assert verify.ROOT_MISMATCH in _templates(report)


@pytest.mark.usefixtures("log")
def test_an_entry_added_at_the_end_behind_the_services_back_is_reported() -> None:
    last = EvidenceEntry.objects.get(index=SIZE - 1)
    forged = {**evidence_entry_document(last), "index": SIZE}
    canonical = canonical_json(forged)
    tamper(
        "INSERT INTO evidence_entry (log_index, kind, company_id, employee_id, recorded_at, "
        "corrects, canonical, leaf_hash) VALUES (%s, %s, %s, %s, %s, NULL, %s, %s)",
        [
            SIZE, last.kind, last.company_id, last.employee_id, last.recorded_at, canonical,
            leaf_hash(canonical),
        ],
    )  # fmt: skip

    report = evidence_log_verify()

    assert report.first_bad_index == SIZE
    assert _templates(report) == [verify.STATE_BEHIND]


@pytest.mark.usefixtures("log")
def test_a_changed_column_is_reported_even_with_the_bytes_intact() -> None:
    tamper("UPDATE evidence_entry SET kind = 'payroll.cancelled' WHERE log_index = 4")

    report = evidence_log_verify()

    assert report.first_bad_index == 4
    assert report.problems[0].message.params["column"] == "kind"


@pytest.mark.usefixtures("log")
def test_a_changed_attachment_is_reported_at_the_first_entry_naming_it() -> None:
    sha = EvidenceBlob.objects.get().sha256
    tamper("UPDATE evidence_blob SET data = %s WHERE sha256 = %s", [b"<p>forged</p>", sha])

    report = evidence_log_verify()

    assert report.first_bad_index == 0
    assert report.problems[0].message.template == verify.BLOB_CHANGED
    assert report.problems[0].message.params["computed"] == (
        hashlib.sha256(b"<p>forged</p>").hexdigest()
    )


@pytest.mark.usefixtures("log")
def test_a_deleted_attachment_is_reported() -> None:
    tamper("DELETE FROM evidence_blob")

    report = evidence_log_verify()

    assert report.first_bad_index == 0
    assert report.problems[0].message.template == verify.BLOB_MISSING


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize(
    ("column", "value"),
    [("signature", b"\x00" * 64), ("size", 4), ("root", b"\x00" * 32), ("origin", "evil.example")],
)
def test_a_changed_checkpoint_no_longer_verifies(column: str, value: object) -> None:
    tamper(f"UPDATE evidence_checkpoint SET {column} = %s WHERE size = 5", [value])  # noqa: S608

    report = evidence_log_verify()

    assert verify.SIGNATURE_INVALID in _templates(report)


@pytest.mark.usefixtures("log")
def test_a_log_state_that_claims_more_entries_than_there_are_is_reported() -> None:
    EvidenceLogState.objects.update(size=SIZE + 2)

    report = evidence_log_verify()

    assert report.first_bad_index == SIZE
    assert _templates(report) == [verify.STATE_TRUNCATED]


@pytest.mark.usefixtures("log")
def test_missing_triggers_are_a_warning_not_a_failure() -> None:
    from django.db import connection

    from renshi.evidence import triggers

    triggers.remove(connection)
    report = evidence_log_verify()
    triggers.install(connection)

    assert report.is_intact
    assert report.warnings[0].template == verify.TRIGGERS_MISSING


def test_a_checkpoint_of_the_empty_log_verifies_and_so_does_reading_in_small_chunks() -> None:
    from tests.evidence.logs import at, make_log

    from renshi.evidence.services import evidence_checkpoint_create

    evidence_checkpoint_create(now=at(-10))
    make_log(7)
    evidence_checkpoint_create(now=at(100))

    report = evidence_log_verify(chunk_size=2)

    assert report.is_intact
    assert (report.size, report.checkpoints) == (7, 2)
