"""Appending to the evidence log: gapless indexes, canonical bytes, attachments stored once,
all or nothing with the caller's transaction, and a cost that does not grow with the log."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.evidence.logs import at, make_log
from tests.factories import make_company, make_employee

from renshi.core.merkle import root_from_leaf_hashes
from renshi.evidence.canonical import FloatRefusedError, NaiveDatetimeError
from renshi.evidence.errors import CorrectsError, KindError, LogStateMissingError
from renshi.evidence.log_state import compact_range_of
from renshi.evidence.models import EvidenceBlob, EvidenceEntry, EvidenceLogState
from renshi.evidence.selectors import evidence_corrections, evidence_entry_document
from renshi.evidence.services import EvidenceRecord, evidence_append, evidence_append_many

pytestmark = pytest.mark.django_db


def test_entries_get_consecutive_indexes_from_zero() -> None:
    entries = make_log(5)

    assert [entry.index for entry in entries] == [0, 1, 2, 3, 4]
    assert list(EvidenceEntry.objects.values_list("index", flat=True)) == [0, 1, 2, 3, 4]
    assert EvidenceLogState.objects.get().size == 5


def test_an_entry_is_canonical_json_holding_its_own_columns() -> None:
    company = make_company()
    employee = make_employee(company)

    entry = evidence_append(
        kind="leave.confirmed",
        company=company,
        employee=employee,
        data={"days": Decimal("3.5"), "reason": "事假", "from": at(0).date()},
        at=at(0),
    )

    stored = bytes(EvidenceEntry.objects.get(index=entry.index).canonical)
    expected = (
        '{"blobs":{},"company":COMPANY,"corrects":null,"data":{"days":"3.5",'
        '"from":"2025-11-07","reason":"事假"},"employee":EMPLOYEE,"index":0,'
        '"kind":"leave.confirmed","recorded_at":"2025-11-07T09:00:00+08:00","v":1}'
    )
    expected = expected.replace("COMPANY", str(company.pk)).replace("EMPLOYEE", str(employee.pk))
    assert stored == expected.encode()
    assert evidence_entry_document(entry)["data"]["days"] == "3.5"


def test_the_leaf_hash_is_the_rfc6962_hash_of_the_canonical_bytes() -> None:
    entry = make_log(1)[0]

    stored = EvidenceEntry.objects.get(index=entry.index)
    expected = hashlib.sha256(b"\x00" + bytes(stored.canonical)).digest()
    assert bytes(stored.leaf_hash) == expected


def test_an_attachment_is_stored_once_and_named_by_its_sha256() -> None:
    company = make_company()
    letter = b"%PDF-1.7 demand letter"

    first = evidence_append(
        kind="letter.issued", company=company, data={}, blobs={"letter.pdf": letter}
    )
    evidence_append(kind="letter.dispatched", company=company, data={}, blobs={"copy": letter})

    sha = hashlib.sha256(letter).hexdigest()
    assert evidence_entry_document(first)["blobs"] == {"letter.pdf": sha}
    assert EvidenceBlob.objects.count() == 1
    assert bytes(EvidenceBlob.objects.get(sha256=sha).data) == letter


def test_an_append_rolled_back_with_its_business_change_leaves_no_entry_and_no_gap() -> None:
    company = make_company()
    evidence_append(kind="notice.sent", company=company, data={"n": 0})

    def send_notice_then_fail() -> None:
        with transaction.atomic():
            evidence_append(kind="notice.sent", company=company, data={"n": 1}, blobs={"a": b"x"})
            raise RuntimeError("the business change failed")

    with pytest.raises(RuntimeError):
        send_notice_then_fail()

    after = evidence_append(kind="notice.sent", company=company, data={"n": 2})
    assert after.index == 1
    assert EvidenceBlob.objects.count() == 0


def test_the_state_holds_the_root_of_all_leaves_without_rereading_them() -> None:
    make_log(13)

    state = EvidenceLogState.objects.get()
    leaves = [bytes(h) for h in EvidenceEntry.objects.values_list("leaf_hash", flat=True)]
    compact = compact_range_of(size=state.size, frontier=state.frontier)
    assert compact.root() == root_from_leaf_hashes(leaves)


@pytest.mark.parametrize("existing", [1, 40])
def test_an_append_costs_the_same_queries_however_long_the_log(existing: int) -> None:
    make_log(existing)
    company = make_company()

    with CaptureQueriesContext(connection) as queries:
        evidence_append(kind="payroll.approved", company=company, data={"net": "1.00"})

    # Lock the state row, insert the entry, save the state: no read of the log.
    assert len(queries) == 3, [q["sql"] for q in queries]


def test_a_payroll_run_appends_one_entry_per_payslip_under_one_lock() -> None:
    company = make_company()
    employees = [make_employee(company) for _ in range(4)]
    records = [
        EvidenceRecord(
            kind="payroll.approved",
            company_id=company.pk,
            employee_id=employee.pk,
            data={"month": "2025-10", "net": Decimal("5000.00")},
        )
        for employee in employees
    ]

    with CaptureQueriesContext(connection) as queries:
        entries = evidence_append_many(records=records, at=at(0))

    assert [entry.index for entry in entries] == [0, 1, 2, 3]
    assert [entry.employee_id for entry in entries] == [e.pk for e in employees]
    assert len(queries) == 3


def test_a_correction_is_a_new_entry_that_names_the_one_it_corrects() -> None:
    company = make_company()
    wrong = evidence_append(kind="leave.approved", company=company, data={"days": 3})

    fixed = evidence_append(
        kind="leave.approved", company=company, data={"days": 2}, corrects=wrong.index
    )

    assert fixed.corrects == wrong.index
    assert evidence_entry_document(fixed)["corrects"] == wrong.index
    assert list(evidence_corrections(wrong)) == [EvidenceEntry.objects.get(index=fixed.index)]
    assert json.loads(bytes(EvidenceEntry.objects.get(index=0).canonical))["data"] == {"days": 3}


def test_a_correction_of_a_later_or_another_companys_entry_is_refused() -> None:
    company, other = make_company(), make_company()
    theirs = evidence_append(kind="leave.approved", company=other, data={})

    with pytest.raises(CorrectsError):
        evidence_append(kind="leave.approved", company=company, data={}, corrects=5)
    with pytest.raises(CorrectsError):
        evidence_append(kind="leave.approved", company=company, data={}, corrects=theirs.index)


@pytest.mark.parametrize("kind", ["", "payroll", "Payroll.Approved", "payroll approved", "a." * 50])
def test_a_kind_is_dotted_lowercase_words(kind: str) -> None:
    with pytest.raises(KindError):
        evidence_append(kind=kind, company=make_company(), data={})


def test_a_value_without_canonical_form_is_refused_and_nothing_is_written() -> None:
    company = make_company()

    with pytest.raises(FloatRefusedError) as refused:
        evidence_append(kind="payroll.approved", company=company, data={"net": 1500.0})
    with pytest.raises(NaiveDatetimeError):
        evidence_append(
            kind="payroll.approved", company=company, data={"at": at(0).replace(tzinfo=None)}
        )

    assert refused.value.field == "$.data.net"
    assert EvidenceEntry.objects.count() == 0
    assert EvidenceLogState.objects.get().size == 0


def test_a_lost_state_row_is_remade_only_while_the_log_is_empty() -> None:
    company = make_company()
    EvidenceLogState.objects.all().delete()

    evidence_append(kind="notice.sent", company=company, data={})
    EvidenceLogState.objects.all().delete()

    with pytest.raises(LogStateMissingError):
        evidence_append(kind="notice.sent", company=company, data={})
