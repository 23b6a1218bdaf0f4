"""The seed story end to end: three months of unpaid leave, 3500.00 advanced, a final pay of
2000.00 offset on exit, 1500.00 still owed after the employee has left, then repaid."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from renshi.demo import SEED_NUMBER, demo_company_load
from renshi.payroll import services
from renshi.payroll.models import ArrearsEntry, FinalSettlement, Payslip, RunState
from renshi.payroll.selectors import arrears_ledger
from renshi.people.models import Employee, EmployeeStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_employee() -> Employee:
    result = demo_company_load(employees=4)
    assert result["created"]
    return Employee.objects.get(number=SEED_NUMBER)


def _current(employee: Employee, month: str) -> Payslip:
    return Payslip.objects.get(
        employee=employee, month=month, calculation_id=F("run__calculation_id")
    )


def test_three_months_of_leave_advance_exactly_3500(seed_employee):
    advances = ArrearsEntry.objects.filter(employee=seed_employee, kind="advance").order_by("month")

    assert [(e.month, e.amount) for e in advances] == [
        ("2025-06", Decimal("287.98")),
        ("2025-07", Decimal("1606.01")),
        ("2025-08", Decimal("1606.01")),
    ]
    assert sum(e.amount for e in advances) == Decimal("3500.00")
    # July's share is higher: the 7088.75 base is raised to Beijing's 7162 floor from 2025-07.
    july = advances[1]
    assert july.items["pension"] == "572.96"


def test_june_pay_covers_part_of_the_share_and_the_rest_is_advanced(seed_employee):
    june = _current(seed_employee, "2025-06")
    # 17 of June's 20 working days unpaid: 6000 − 6000 × 17 ÷ 21.75 = 1310.34.
    assert june.gross == Decimal("1310.34")
    assert june.employee_share == Decimal("1598.32")
    assert june.share_covered == Decimal("1310.34")
    assert june.advanced == Decimal("287.98")
    assert june.net == Decimal("0.00")


def test_the_final_settlement_offsets_2000_and_leaves_1500_owed(seed_employee):
    settlement = FinalSettlement.objects.get(employee=seed_employee)

    assert settlement.month == "2025-09"
    assert settlement.last_working_day == datetime.date(2025, 9, 12)
    assert settlement.final_net_before_offset == Decimal("2000.00")
    assert settlement.arrears_before == Decimal("3500.00")
    assert settlement.offset == Decimal("2000.00")
    assert settlement.payable_to_employee == Decimal("0.00")
    assert settlement.owed_by_employee == Decimal("1500.00")
    entry = ArrearsEntry.objects.get(employee=seed_employee, kind="settlement")
    assert entry.amount == Decimal("-2000.00")


def test_the_debt_stays_on_record_after_the_employee_left_and_is_repaid(seed_employee):
    seed_employee.refresh_from_db()
    # Gone since 2025-09-12; "leaving" until the social insurance clerk files her 减员.
    assert seed_employee.leave_date == datetime.date(2025, 9, 12)
    assert seed_employee.status == EmployeeStatus.LEAVING
    assert seed_employee.enrolments.get().state == "pending_remove"
    assert services.arrears_balance(seed_employee) == Decimal("1500.00")
    # October's run no longer includes her, and does not touch what she owes.
    october = seed_employee.company.payroll_runs.get(month="2025-10")
    assert october.state == RunState.CALCULATED
    assert not Payslip.objects.filter(employee=seed_employee, month="2025-10").exists()

    services.arrears_repayment_record(
        actor=None,
        employee=seed_employee,
        amount="1500.00",
        paid_on=datetime.date(2025, 10, 20),
        reference="EMS 回执 / 银行转账 20251020",
    )

    ledger = arrears_ledger(actor=None, employee=seed_employee)
    assert [row.balance for row in ledger] == [
        Decimal("287.98"),
        Decimal("1893.99"),
        Decimal("3500.00"),
        Decimal("1500.00"),
        Decimal("0.00"),
    ]
