"""Arrears: the share the company advances is owed back, recovered within the safeguard, and the
balance is always the sum of the ledger's entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month, set_attendance

from renshi.payroll import services
from renshi.payroll.models import ArrearsEntry, PayrollSettings, Payslip
from renshi.payroll.selectors import arrears_ledger

pytestmark = pytest.mark.django_db


def _employee(company, *, base="10000", salary="10000"):
    employee = make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))
    make_enrolment(employee, base=Decimal(base), start_month="2024-01")
    assign_salary(employee, base=salary, month="2024-01")
    return employee


def _balance(employee):
    return sum((e.amount for e in ArrearsEntry.objects.filter(employee=employee)), Decimal("0"))


def test_a_month_of_unpaid_leave_makes_the_whole_share_an_advance_owed_by_the_employee():
    company = make_company(code="acme")
    employee = _employee(company)
    # August 2025 has 21 working days; all of them absent.
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")

    run = run_month(company, "2025-08")

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    assert payslip.gross == Decimal("0.00")
    assert payslip.net == Decimal("0.00")
    assert payslip.advanced == payslip.employee_share == Decimal("2253.00")
    entry = ArrearsEntry.objects.get(employee=employee)
    assert entry.kind == "advance"
    assert entry.amount == Decimal("2253.00")
    assert entry.month == "2025-08"
    assert entry.items == {
        "pension": "800.00",
        "medical": "203.00",
        "unemployment": "50.00",
        "housing_fund": "1200.00",
    }


def test_when_pay_covers_part_of_the_share_only_the_rest_is_advanced():
    company = make_company(code="acme")
    employee = _employee(company)
    # 19 of 21 days absent on the 21.75 basis: 10000 × 19 / 21.75 = 8735.63 deducted.
    set_attendance(employee, "2025-08", scheduled="21", worked="2", absent="19")

    run = run_month(company, "2025-08")

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    assert payslip.gross == Decimal("1264.37")
    assert payslip.share_covered == Decimal("1264.37")
    assert payslip.advanced == Decimal("2253.00") - Decimal("1264.37")
    assert payslip.net == Decimal("0.00")
    assert _balance(employee) == payslip.advanced


def test_later_months_recover_at_most_20_percent_of_the_wage():
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run_month(company, "2025-08")

    september = run_month(company, "2025-09")

    payslip = Payslip.objects.get(employee=employee, calculation=september.calculation)
    # 20% of the 10,000 wage = 2000.00, less than the 2253.00 owed.
    assert payslip.recovered == Decimal("2000.00")
    assert payslip.arrears_after == Decimal("253.00")
    assert _balance(employee) == Decimal("253.00")
    october = run_month(company, "2025-10")
    last = Payslip.objects.get(employee=employee, calculation=october.calculation)
    assert last.recovered == Decimal("253.00")
    assert _balance(employee) == Decimal("0.00")


def test_recovery_never_leaves_less_than_the_minimum_wage():
    company = make_company(code="acme")
    # A modest wage: 5000 a month, contributions at the Beijing floor base.
    employee = _employee(company, base="7162", salary="5000")
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run_month(company, "2025-08")

    september = run_month(company, "2025-09")

    payslip = Payslip.objects.get(employee=employee, calculation=september.calculation)
    # Beijing's minimum wage from 2025-09 is 2540: 20% of 5000 (1000.00) would leave less.
    assert payslip.recovered > 0
    assert payslip.recovered < Decimal("1000.00")
    assert payslip.net == Decimal("2540.00")


def test_the_recovery_ratio_is_configurable():
    company = make_company(code="acme")
    PayrollSettings.objects.create(company=company, recovery_max_ratio=Decimal("0.10"))
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run_month(company, "2025-08")

    september = run_month(company, "2025-09")

    payslip = Payslip.objects.get(employee=employee, calculation=september.calculation)
    assert payslip.recovered == Decimal("1000.00")


def test_a_repayment_is_a_ledger_entry_and_cannot_exceed_what_is_owed():
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run_month(company, "2025-08")

    services.arrears_repayment_record(
        actor=None,
        employee=employee,
        amount="1000.00",
        paid_on=datetime.date(2025, 9, 3),
        reference="ICBC 0903",
    )
    with pytest.raises(services.RepaymentError):
        services.arrears_repayment_record(
            actor=None, employee=employee, amount="1253.01", paid_on=datetime.date(2025, 9, 4)
        )
    with pytest.raises(services.AmountNotPositiveError):
        services.arrears_repayment_record(
            actor=None, employee=employee, amount="0", paid_on=datetime.date(2025, 9, 4)
        )

    ledger = arrears_ledger(actor=None, employee=employee)
    assert [(row.entry.kind, row.entry.amount, row.balance) for row in ledger] == [
        ("advance", Decimal("2253.00"), Decimal("2253.00")),
        ("repayment", Decimal("-1000.00"), Decimal("1253.00")),
    ]


def test_approval_is_refused_when_the_balance_moved_since_the_calculation():
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run_month(company, "2025-08")
    september = run_month(company, "2025-09", approve=False)
    services.arrears_repayment_record(
        actor=None, employee=employee, amount="500", paid_on=datetime.date(2025, 9, 20)
    )

    with pytest.raises(services.ArrearsChangedError) as caught:
        services.payroll_run_approve(actor=None, run=september)
    assert caught.value.params["employee"] == "E001"

    services.payroll_run_calculate(actor=None, run=september, executor="inline")
    services.payroll_run_approve(actor=None, run=september)
    assert _balance(employee) == Decimal("0.00")


def test_the_final_settlement_also_offsets_other_amounts_owed():
    company = make_company(code="acme")
    employee = _employee(company)
    services.receivable_record(
        actor=None,
        employee=employee,
        amount="800.00",
        on=datetime.date(2025, 7, 20),
        reason="未归还的笔记本电脑折价",
    )
    employee.leave_date = datetime.date(2025, 8, 29)
    employee.save(update_fields=["leave_date"])

    run = run_month(company, "2025-08")

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    assert payslip.is_final
    assert payslip.arrears_before == Decimal("800.00")
    assert payslip.recovered == Decimal("800.00")  # the final pay covers it in full
    assert _balance(employee) == Decimal("0.00")
    assert [e.kind for e in ArrearsEntry.objects.filter(employee=employee).order_by("id")] == [
        "receivable",
        "settlement",
    ]
