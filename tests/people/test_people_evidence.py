"""People in the evidence log: hiring (one form or a whole spreadsheet in one append), leaving
with the 减员 it opens, and the bureau's confirmations, each in the transaction of the change;
never the resident ID or the bank account; a refused change writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.factories import (
    make_company,
    make_employee,
    make_enrolment,
    make_user,
    valid_resident_id,
)

from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import evidence_entries, evidence_entry_document
from renshi.evidence.verify import evidence_log_verify
from renshi.people import evidence as people_evidence
from renshi.people.errors import DuplicateNumberError, EmployeeStateError
from renshi.people.models import Employee, EnrolmentState
from renshi.people.services import (
    EnrolmentInput,
    employee_onboard,
    employee_resign,
    enrolment_confirm_add,
    enrolment_confirm_remove,
)
from renshi.people.spreadsheets import (
    EMPLOYEE_COLUMNS,
    SpreadsheetRejected,
    employees_import,
    removals_import,
)

pytestmark = pytest.mark.django_db
ID = valid_resident_id(date(1992, 5, 17), "female", seq=24)
OTHER_ID = valid_resident_id(date(1990, 1, 1), "male", seq=11)
BANK_ACCOUNT = "6225880123456789"


def documents(kind: str) -> list[dict[str, Any]]:
    return [evidence_entry_document(entry) for entry in evidence_entries(kinds=[kind])]


def onboard(company: Any, number: str = "E001", id_number: str = ID) -> Employee:
    return employee_onboard(
        actor=None,
        company=company,
        number=number,
        name="李娜",
        id_number=id_number,
        bank_name="招商银行",
        bank_account=BANK_ACCOUNT,
        hire_date=date(2025, 3, 10),
        work_city="beijing",
        enrolment=EnrolmentInput(base=Decimal("12000")),
    )


def test_onboarding_records_the_hire_and_the_pending_enrolment_without_the_id_or_account():
    company = make_company(code="acme")

    employee = onboard(company)

    (document,) = documents(people_evidence.KIND_ONBOARDED)
    data = document["data"]
    assert document["employee"] == employee.pk
    assert (data["number"], data["name"], data["hire_date"], data["work_city"]) == (
        "E001",
        "李娜",
        "2025-03-10",
        "beijing",
    )
    enrolment = data["enrolment_added"]
    assert (enrolment["state"], enrolment["city"], enrolment["base"]) == (
        "pending_add",
        "beijing",
        "12000.00",
    )
    assert enrolment["start_month"] == "2025-03"
    assert data["source"] == "form"
    stored = bytes(EvidenceEntry.objects.get().canonical)
    assert ID.encode() not in stored
    assert BANK_ACCOUNT.encode() not in stored


def test_a_refused_hire_writes_no_entry():
    company = make_company(code="acme")
    onboard(company)

    with pytest.raises(DuplicateNumberError):
        onboard(company, id_number=OTHER_ID)

    assert len(documents(people_evidence.KIND_ONBOARDED)) == 1


def test_a_resignation_records_the_last_day_and_the_removal_it_requests():
    company = make_company(code="acme")
    employee = make_employee(company, number="E001", hire_date=date(2024, 1, 1))
    make_enrolment(employee, start_month="2024-01")
    user = make_user("hr", is_superuser=True)

    employee_resign(actor=user, employee=employee, leave_date=date(2025, 6, 30), reason="合同到期")

    (document,) = documents(people_evidence.KIND_RESIGNED)
    data = document["data"]
    assert (data["leave_date"], data["reason"], data["status"]) == (
        "2025-06-30",
        "合同到期",
        "leaving",
    )
    (removal,) = data["removals"]
    assert (removal["action"], removal["state"], removal["end_month"]) == (
        "remove",
        EnrolmentState.PENDING_REMOVE,
        "2025-06",
    )
    assert removal["removal_due_date"] == "2025-07-01"
    assert data["actor"] == "hr"


def test_a_refused_resignation_writes_no_entry():
    company = make_company(code="acme")
    employee = make_employee(company, status="left")

    with pytest.raises(EmployeeStateError):
        employee_resign(actor=None, employee=employee, leave_date=date(2025, 6, 30))

    assert not EvidenceEntry.objects.exists()


def test_the_bureaus_confirmations_are_recorded_and_the_leaver_is_marked_left():
    company = make_company(code="acme")
    employee = onboard(company)
    enrolment = employee.enrolments.get()

    enrolment_confirm_add(actor=None, enrolment=enrolment, reason="社保局受理")
    employee_resign(actor=None, employee=employee, leave_date=date(2025, 6, 30))
    enrolment.refresh_from_db()
    enrolment_confirm_remove(actor=None, enrolment=enrolment, today=date(2025, 7, 10))

    added, removed = (document["data"] for document in documents("enrolment.confirmed"))
    assert (added["action"], added["from_state"], added["state"]) == (
        "add_confirmed",
        "pending_add",
        "active",
    )
    assert added["reason"] == "社保局受理"
    assert (removed["action"], removed["state"], removed["employee_has_left"]) == (
        "remove_confirmed",
        "ended",
        True,
    )
    kinds = [entry.kind for entry in evidence_entries()]
    assert kinds == [
        "employee.onboarded",
        "enrolment.confirmed",
        "employee.resigned",
        "enrolment.confirmed",
    ]
    assert evidence_log_verify().is_intact


def _sheet(path: Path, rows: list[dict[str, Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([column.header for column in EMPLOYEE_COLUMNS])
    for values in rows:
        sheet.append([values.get(column.key, "") for column in EMPLOYEE_COLUMNS])
    workbook.save(path)
    return path


def test_an_import_records_every_hire_in_consecutive_entries(tmp_path: Path):
    company = make_company(code="acme")
    rows = [
        {
            "number": number,
            "name": "张伟",
            "id_number": id_number,
            "work_city": "北京",
            "hire_date": date(2025, 3, 1),
            "base": 12000,
        }
        for number, id_number in (("E001", OTHER_ID), ("E002", ID))
    ]

    employees_import(actor=None, company=company, file=_sheet(tmp_path / "hire.xlsx", rows))

    entries = list(evidence_entries(kinds=[people_evidence.KIND_ONBOARDED]))
    assert [evidence_entry_document(e)["data"]["number"] for e in entries] == ["E001", "E002"]
    assert [e.index for e in entries] == [0, 1]
    assert {evidence_entry_document(e)["data"]["source"] for e in entries} == {"import"}


def test_a_removal_file_with_a_bad_row_records_nobody_leaving(tmp_path: Path):
    company = make_company(code="acme")
    good = make_employee(company, number="E1", hire_date=date(2024, 1, 1))
    make_enrolment(good, start_month="2024-01")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["工号", "最后工作日", "离职原因"])
    sheet.append(["E1", date(2025, 6, 30), "合同到期"])
    sheet.append(["NOBODY", date(2025, 6, 30), ""])
    workbook.save(tmp_path / "leave.xlsx")

    with pytest.raises(SpreadsheetRejected):
        removals_import(actor=None, company=company, file=tmp_path / "leave.xlsx")

    assert not EvidenceEntry.objects.exists()
