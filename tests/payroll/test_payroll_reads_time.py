"""Payroll reads leave and attendance: approved leave by month, the company's deduction basis,
and the days before a mid-month hire."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.payroll.models import PayrollSettings, Payslip

pytestmark = pytest.mark.django_db


def _employee(company, *, hired=datetime.date(2024, 1, 1)):
    employee = make_employee(company, number="E001", hire_date=hired)
    make_enrolment(employee, base=Decimal("10000"), start_month=f"{hired:%Y-%m}")
    assign_salary(employee, month=f"{hired:%Y-%m}")
    return employee


def _leave(employee, code, first, last):
    leave_types_install_defaults(company=employee.company)
    kind = LeaveType.objects.get(company=employee.company, code=code)
    leave = leave_record_create(
        actor=None, employee=employee, leave_type=kind, start_date=first, end_date=last, reason=""
    )
    return leave_record_approve(actor=None, leave=leave)


def _line(payslip, code):
    return payslip.lines.get(code=code)


def test_approved_personal_leave_is_deducted_on_the_21_75_day_basis():
    company = make_company(code="acme")
    employee = _employee(company)
    _leave(employee, "personal", datetime.date(2025, 8, 4), datetime.date(2025, 8, 6))  # 3 days

    run = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    # 10000 × 3 ÷ 21.75 = 1379.31
    assert _line(payslip, "time.unpaid_leave").amount == Decimal("1379.31")
    assert payslip.gross == Decimal("8620.69")


def test_the_company_may_deduct_on_the_months_scheduled_days_instead():
    company = make_company(code="acme")
    PayrollSettings.objects.create(company=company, leave_basis="scheduled_days")
    employee = _employee(company)
    _leave(employee, "personal", datetime.date(2025, 8, 4), datetime.date(2025, 8, 6))

    run = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    # August 2025 has 21 working days: 10000 × 3 ÷ 21 = 1428.57
    assert _line(payslip, "time.unpaid_leave").amount == Decimal("1428.57")


def test_sick_leave_keeps_the_company_ratio_of_the_daily_wage():
    company = make_company(code="acme")
    employee = _employee(company)
    _leave(employee, "sick", datetime.date(2025, 8, 11), datetime.date(2025, 8, 15))  # 5 days

    run = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    # The default sick type pays 60%: 10000 × 5 ÷ 21.75 × 40% = 919.54 deducted.
    assert _line(payslip, "time.sick_leave").amount == Decimal("919.54")


def test_a_mid_month_hire_is_paid_for_the_days_employed_and_contributes_the_whole_month():
    company = make_company(code="acme")
    employee = _employee(company, hired=datetime.date(2025, 8, 18))

    run = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    # 11 working days of August 2025 fall before the 18th: 10000 × 11 ÷ 21.75 = 5057.47.
    assert _line(payslip, "time.not_employed").amount == Decimal("5057.47")
    assert payslip.gross == Decimal("4942.53")
    assert payslip.employee_share == Decimal("2253.00")
