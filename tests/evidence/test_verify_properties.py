"""Any single changed byte, anywhere the log keeps bytes, is found by ``verify``.

One log per test; every example tampers inside a savepoint that is rolled back, so each starts
from the same intact log.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.evidence.logs import make_signed_log, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.tamper import tamper, undone_afterwards

from renshi.evidence import verify
from renshi.evidence.models import EvidenceBlob, EvidenceCheckpoint, EvidenceEntry
from renshi.evidence.verify import evidence_log_verify

pytestmark = pytest.mark.django_db
SIZE = 8
examples = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def log(signing_key_file: object) -> None:  # noqa: F811 - the imported fixture
    make_signed_log(SIZE)
    assert evidence_log_verify().is_intact


def _flip(data: bytes, position: int, delta: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([(data[position] + delta) % 256]) + data[position + 1 :]


@pytest.mark.usefixtures("log")
@examples
@given(
    index=st.integers(0, SIZE - 1),
    position=st.integers(0, 10_000),
    delta=st.integers(1, 255),
)
def test_a_changed_byte_in_any_entry_is_found_at_that_entry(
    index: int, position: int, delta: int
) -> None:
    original = bytes(EvidenceEntry.objects.get(index=index).canonical)

    with undone_afterwards():
        tamper(
            "UPDATE evidence_entry SET canonical = %s WHERE log_index = %s",
            [_flip(original, position, delta), index],
        )
        report = evidence_log_verify()

    assert report.first_bad_index == index
    assert report.problems[0].message.template == verify.ENTRY_CHANGED


@pytest.mark.usefixtures("log")
@examples
@given(position=st.integers(0, 10_000), delta=st.integers(1, 255))
def test_a_changed_byte_in_an_attachment_is_found(position: int, delta: int) -> None:
    blob = EvidenceBlob.objects.get()

    with undone_afterwards():
        tamper(
            "UPDATE evidence_blob SET data = %s WHERE sha256 = %s",
            [_flip(bytes(blob.data), position, delta), blob.sha256],
        )
        report = evidence_log_verify()

    assert report.first_bad_index == 0  # the first entry that names it
    assert report.problems[0].message.template == verify.BLOB_CHANGED


@pytest.mark.usefixtures("log")
@examples
@given(which=st.integers(0, 1), position=st.integers(0, 63), delta=st.integers(1, 255))
def test_a_changed_byte_in_a_checkpoint_signature_is_found(
    which: int, position: int, delta: int
) -> None:
    checkpoint = EvidenceCheckpoint.objects.order_by("id")[which]

    with undone_afterwards():
        tamper(
            "UPDATE evidence_checkpoint SET signature = %s WHERE id = %s",
            [_flip(bytes(checkpoint.signature), position, delta), checkpoint.pk],
        )
        report = evidence_log_verify()

    assert [problem.message.template for problem in report.problems] == [verify.SIGNATURE_INVALID]
