"""Leave in the evidence log: the request (with the cost statement the employee confirmed),
the approval with its days per month, the rejection, the cancellation and a long leave's
prepayment each write an entry in the transaction of the change; a refused change writes none."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary

from renshi.access.models import Role
from renshi.attendance import evidence as leave_evidence
from renshi.attendance.models import LeaveRecord, LeaveSettings, LeaveType, LongLeaveRule
from renshi.attendance.services import (
    LeaveOverlapError,
    leave_record_approve,
    leave_record_cancel,
    leave_record_create,
    leave_record_reject,
    leave_types_install_defaults,
)
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import evidence_entries, evidence_entry_document
from renshi.evidence.verify import evidence_log_verify
from renshi.payroll import evidence as run_evidence
from renshi.payroll.leave_cost import (
    StatementChangedError,
    leave_cost_estimate,
    leave_prepayment_record,
    leave_request_submit,
)

pytestmark = pytest.mark.django_db

JUNE_6, AUGUST_31 = datetime.date(2025, 6, 6), datetime.date(2025, 8, 31)


@pytest.fixture
def employee():
    company = make_company(code="acme")
    person = make_employee(
        company,
        number="HX0001",
        name="王芳",
        hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang"),
    )
    make_enrolment(person, base=Decimal("7088.75"), start_month="2021-03")
    assign_salary(person, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    return person


@pytest.fixture
def hr(employee):
    user = make_user("hr")
    grant_role(user, employee.company, Role.HR)
    return user


def personal(employee) -> LeaveType:
    return LeaveType.objects.get(company=employee.company, code="personal")


def request(employee, start=JUNE_6, end=AUGUST_31) -> LeaveRecord:
    return leave_record_create(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=start,
        end_date=end,
        reason="家中老人住院",
    )


def documents(kind):
    return [evidence_entry_document(entry) for entry in evidence_entries(kinds=[kind])]


def test_a_request_records_the_leave_its_working_days_per_month_and_who_asked(employee):
    leave = request(employee)

    (document,) = documents(leave_evidence.KIND_REQUESTED)
    data = document["data"]
    assert document["employee"] == employee.pk
    assert data["leave"] == leave.pk
    assert data["number"] == "HX0001"
    assert data["leave_type"]["code"] == "personal"
    assert data["leave_type"]["pay_rule"] == "unpaid"
    assert data["start_date"] == "2025-06-06"
    assert data["end_date"] == "2025-08-31"
    # June 6-30: 17 working days; July 23; August 21.
    assert data["working_days_by_month"] == {"2025-06": 17, "2025-07": 23, "2025-08": 21}
    assert data["reason"] == "家中老人住院"
    assert data["cost"] is None
    assert data["actor"] == "wangfang"


def test_a_submitted_request_keeps_the_statement_shown_and_its_digest(employee):
    cost = leave_cost_estimate(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=JUNE_6,
        end_date=AUGUST_31,
    )

    leave_request_submit(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=JUNE_6,
        end_date=AUGUST_31,
        shown_digest=cost.digest,
        is_confirmed=True,
    )

    (document,) = documents(leave_evidence.KIND_REQUESTED)
    shown = document["data"]["cost"]
    assert shown["statement"] == cost.statement
    assert shown["statement_sha256"] == cost.digest
    assert hashlib.sha256(shown["statement"].encode()).hexdigest() == cost.digest
    assert shown["figures"]["total_gap"] == "3500.00"
    assert shown["confirmed_at"] is not None
    leave = LeaveRecord.objects.get()
    assert leave.cost_statement == cost.statement
    assert leave.cost_confirmed_by == employee.user


def test_a_statement_that_changed_writes_no_request(employee):
    cost = leave_cost_estimate(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=JUNE_6,
        end_date=AUGUST_31,
    )
    assign_salary(employee, base="9000", month="2025-06")

    with pytest.raises(StatementChangedError):
        leave_request_submit(
            actor=employee.user,
            employee=employee,
            leave_type=personal(employee),
            start_date=JUNE_6,
            end_date=AUGUST_31,
            shown_digest=cost.digest,
            is_confirmed=True,
        )

    assert not EvidenceEntry.objects.exists()


def test_an_overlapping_request_writes_no_entry(employee):
    request(employee)

    with pytest.raises(LeaveOverlapError):
        request(employee, datetime.date(2025, 7, 1), datetime.date(2025, 7, 2))

    assert len(documents(leave_evidence.KIND_REQUESTED)) == 1


def test_an_approval_records_the_days_per_month_frozen_for_payroll(employee, hr):
    leave = request(employee)

    leave_record_approve(actor=hr, leave=leave)

    (document,) = documents(leave_evidence.KIND_APPROVED)
    data = document["data"]
    assert data["status"] == "approved"
    assert data["days"] == "61.0"
    assert [(row["month"], row["days"], row["pay_rule"]) for row in data["months"]] == [
        ("2025-06", "17.0", "unpaid"),
        ("2025-07", "23.0", "unpaid"),
        ("2025-08", "21.0", "unpaid"),
    ]
    assert data["actor"] == "hr"
    assert evidence_log_verify().is_intact


def test_a_rejection_is_recorded(employee, hr):
    leave = request(employee)

    leave_record_reject(actor=hr, leave=leave)

    (document,) = documents(leave_evidence.KIND_REJECTED)
    assert document["data"]["status"] == "rejected"
    assert document["data"]["actor"] == "hr"


def test_cancelling_an_approved_leave_lists_the_months_it_gives_back(employee, hr):
    leave = request(employee)
    leave_record_approve(actor=hr, leave=leave)

    leave_record_cancel(actor=hr, leave=leave)

    (document,) = documents(leave_evidence.KIND_CANCELLED)
    data = document["data"]
    assert data["from_status"] == "approved"
    assert data["status"] == "cancelled"
    assert [row["month"] for row in data["months_removed"]] == ["2025-06", "2025-07", "2025-08"]


def test_a_refused_approval_writes_no_entry(employee):
    leave = request(employee)

    with pytest.raises(PermissionDenied):
        leave_record_approve(actor=employee.user, leave=leave)

    assert documents(leave_evidence.KIND_APPROVED) == []


def test_a_prepayment_is_recorded_with_the_leave_and_the_balance(employee):
    LeaveSettings.objects.create(
        company=employee.company, long_leave_rule=LongLeaveRule.PREPAY_SHARE
    )
    cost = leave_cost_estimate(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=JUNE_6,
        end_date=AUGUST_31,
    )
    leave = leave_request_submit(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=JUNE_6,
        end_date=AUGUST_31,
        shown_digest=cost.digest,
        is_confirmed=True,
    )
    finance = make_user("finance")
    grant_role(finance, employee.company, Role.FINANCE)

    leave_prepayment_record(
        actor=finance, leave=leave, amount="3500", paid_on=datetime.date(2025, 6, 3)
    )

    (document,) = documents(run_evidence.KIND_PREPAID)
    data = document["data"]
    assert data["kind"] == "prepayment"
    assert data["amount"] == "-3500.00"
    assert data["balance_after"] == "-3500.00"
    assert data["leave"] == leave.pk
    assert data["prepaid_for_leave"] == data["required_for_leave"] == "3500.00"
    assert data["actor"] == "finance"
    assert document["employee"] == employee.pk
