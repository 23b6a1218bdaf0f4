"""Payroll runs: states, recalculation, the concurrency guard, failures that change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import (
    ArrearsEntry,
    CalculationState,
    PayrollCalculation,
    PayrollRun,
    Payslip,
    PayslipLine,
    RunState,
)
from renshi.payroll.presenters import payslip_data

pytestmark = pytest.mark.django_db


def _employee(company, number="E001", base="10000", **kwargs):
    employee = make_employee(company, number=number, hire_date=datetime.date(2024, 1, 1))
    make_enrolment(employee, base=Decimal(base), start_month="2024-01", **kwargs)
    assign_salary(employee, base=base, month="2024-01")
    return employee


def test_a_plain_month_pays_gross_less_share_and_cumulative_tax():
    company = make_company(code="acme")
    employee = _employee(company)

    run = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)
    # Beijing 2025-07..2026-06 at a 10,000 base: pension 8% = 800.00, medical 2% + 3 = 203.00,
    # unemployment 0.5% = 50.00, housing fund 12% = 1200 (whole yuan): 2253.00 in all.
    assert payslip.gross == Decimal("10000.00")
    assert payslip.employee_share == Decimal("2253.00")
    # First month withheld here: (10000 − 5000 − 2253) × 3% = 82.41.
    assert payslip.iit == Decimal("82.41")
    assert payslip.net == Decimal("7664.59")
    assert payslip.advanced == Decimal("0.00")
    assert run.state == RunState.CALCULATED
    assert run.total_net == Decimal("7664.59")


def test_every_payslip_line_says_which_rule_period_and_base():
    company = make_company(code="acme")
    employee = _employee(company)
    run = run_month(company, "2025-08", approve=False)
    payslip = Payslip.objects.get(employee=employee, calculation=run.calculation)

    data = payslip_data(payslip, str)

    codes = [line["code"] for line in data["lines"]]
    assert codes[0].startswith("earning.")
    assert codes[-1] == "net"
    pension = next(line for line in data["lines"] if line["code"] == "si.pension")
    assert pension["base"] == "10000.00"
    assert pension["period"] == "2025-07..2026-06"
    assert "10000" in pension["explanation"]
    assert "社会保险法" in pension["explanation"]
    assert all(line["explanation"] for line in data["lines"])


def test_recalculating_replaces_the_results_exactly():
    company = make_company(code="acme")
    for number in ("E001", "E002", "E003"):
        _employee(company, number=number)
    run = run_month(company, "2025-08", approve=False)
    first = run.calculation_id
    lines_once = PayslipLine.objects.count()

    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    run.refresh_from_db()

    assert run.calculation_id != first
    assert Payslip.objects.count() == 3
    assert PayslipLine.objects.count() == lines_once
    assert not PayrollCalculation.objects.filter(pk=first).exists()


def test_an_approved_run_is_frozen_until_reopened():
    company = make_company(code="acme")
    _employee(company)
    run = run_month(company, "2025-08")

    with pytest.raises(services.RunStateError):
        services.payroll_run_calculate(actor=None, run=run, executor="inline")

    services.payroll_run_reopen(actor=None, run=run, reason="wrong allowance")
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    assert [e.action for e in run.events.all()] == [
        "create",
        "calculate",
        "approve",
        "reopen",
        "calculate",
    ]


def test_a_paid_run_cannot_be_reopened():
    company = make_company(code="acme")
    _employee(company)
    run = run_month(company, "2025-08")
    services.payroll_run_mark_paid(actor=None, run=run)

    with pytest.raises(services.PaidRunError):
        services.payroll_run_reopen(actor=None, run=run, reason="late change")


def test_a_second_calculation_is_refused_while_one_is_under_way():
    company = make_company(code="acme")
    _employee(company)
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    PayrollRun.objects.filter(pk=run.pk).update(lock_token="other", locked_at=timezone.now())

    with pytest.raises(services.RunBusyError):
        services.payroll_run_calculate(actor=None, run=run, executor="inline")
    assert not PayrollCalculation.objects.filter(run=run).exists()


def test_a_lock_left_by_a_dead_process_expires():
    company = make_company(code="acme")
    _employee(company)
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    stale = timezone.now() - services.LOCK_TIMEOUT - datetime.timedelta(minutes=1)
    PayrollRun.objects.filter(pk=run.pk).update(lock_token="dead", locked_at=stale)

    services.payroll_run_calculate(actor=None, run=run, executor="inline")

    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    assert run.lock_token == ""


def test_one_run_per_company_and_month():
    company = make_company(code="acme")
    first = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    again = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    assert first.pk == again.pk
    assert PayrollRun.objects.count() == 1


def test_a_later_month_waits_for_the_earlier_months_approval():
    company = make_company(code="acme")
    _employee(company)
    run_month(company, "2025-07", approve=False)
    august = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))

    with pytest.raises(services.EarlierRunOpenError) as caught:
        services.payroll_run_calculate(actor=None, run=august, executor="inline")
    assert caught.value.params["earlier"] == "2025-07"


def test_income_tax_is_cumulative_across_approved_months():
    company = make_company(code="acme")
    employee = _employee(company, base="30000")
    run_month(company, "2025-07")
    august = run_month(company, "2025-08", approve=False)

    payslip = Payslip.objects.get(employee=employee, calculation=august.calculation)
    assert payslip.iit_cumulative["last_month"] == 8
    assert payslip.iit_cumulative["first_month"] == 7
    july = Payslip.objects.get(employee=employee, month="2025-07")
    assert Decimal(payslip.iit_cumulative["tax_withheld"]) == july.iit + payslip.iit


def test_a_failed_run_names_each_employee_and_field_and_keeps_the_previous_results():
    company = make_company(code="acme")
    good = _employee(company, number="E001")
    broken = _employee(company, number="E002")
    run = run_month(company, "2025-08", approve=False)
    kept = run.calculation_id
    broken.enrolments.update(city="atlantis")
    no_salary = make_employee(company, number="E003", hire_date=datetime.date(2024, 1, 1))
    make_enrolment(no_salary, start_month="2024-01")

    with pytest.raises(services.RunFailedError) as caught:
        services.payroll_run_calculate(actor=None, run=run, executor="inline")

    failures = {f["employee"]: f["field"] for f in caught.value.failures}
    assert failures == {"E002": "enrolment.city", "E003": "salary"}
    run.refresh_from_db()
    assert run.calculation_id == kept
    assert run.state == RunState.CALCULATED
    assert Payslip.objects.filter(calculation_id=kept).count() == 2
    assert set(Payslip.objects.values_list("employee", flat=True)) == {good.pk, broken.pk}
    failed = PayrollCalculation.objects.exclude(pk=kept).get()
    assert failed.state == CalculationState.FAILED
    assert not failed.payslips.exists()


def test_a_month_outside_the_policy_library_is_reported_for_the_employee():
    company = make_company(code="acme")
    employee = make_employee(company, number="E001", hire_date=datetime.date(2015, 1, 1))
    make_enrolment(employee, start_month="2015-01")
    assign_salary(employee, month="2015-01")
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2019-03"))

    with pytest.raises(services.RunFailedError) as caught:
        services.payroll_run_calculate(actor=None, run=run, executor="inline")

    assert caught.value.failures[0]["field"] == "month"
    assert caught.value.failures[0]["employee"] == "E001"


def test_a_full_time_employee_without_enrolment_fails_but_a_flexible_worker_does_not():
    company = make_company(code="acme")
    staff = make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))
    assign_salary(staff, month="2024-01")
    flexible = make_employee(
        company, number="F001", hire_date=datetime.date(2024, 1, 1), employment_type="flexible"
    )
    assign_salary(flexible, base="3000", month="2024-01")
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))

    with pytest.raises(services.RunFailedError) as caught:
        services.payroll_run_calculate(actor=None, run=run, executor="inline")

    assert [(f["employee"], f["field"]) for f in caught.value.failures] == [("E001", "enrolment")]


def test_a_negative_salary_amount_is_refused_with_its_field():
    company = make_company(code="acme")
    employee = _employee(company)
    employee.salary_assignments.update(amounts={"base": "-1"})
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))

    with pytest.raises(services.RunFailedError) as caught:
        services.payroll_run_calculate(actor=None, run=run, executor="inline")

    assert caught.value.failures[0]["field"] == "component.base"


def test_reopening_reverses_the_ledger_and_never_deletes_it():
    company = make_company(code="acme")
    employee = _employee(company)
    employee.salary_assignments.update(amounts={"base": "0"})
    run = run_month(company, "2025-08")
    advance = ArrearsEntry.objects.get(employee=employee)

    services.payroll_run_reopen(actor=None, run=run, reason="salary was missing")

    entries = list(ArrearsEntry.objects.filter(employee=employee).order_by("id"))
    assert [e.kind for e in entries] == ["advance", "reversal"]
    assert entries[1].reverses_id == advance.pk
    assert sum(e.amount for e in entries) == 0
    # The reversed payslip stays as evidence after recalculating.
    employee.salary_assignments.update(amounts={"base": "10000"})
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    old = PayrollCalculation.objects.get(pk=advance.payslip.calculation_id)
    assert old.state == CalculationState.SUPERSEDED


def test_a_crash_in_the_middle_of_a_run_keeps_the_previous_results_and_frees_the_run(
    monkeypatch,
):
    company = make_company(code="acme")
    for number in ("E001", "E002", "E003"):
        _employee(company, number=number)
    run = run_month(company, "2025-08", approve=False)
    kept = run.calculation_id
    real_fetch = services.fetch_chunk
    calls = []

    def fetch_then_fail(context, ids):
        calls.append(ids)
        if len(calls) == 2:  # the second chunk: the database went away, say
            raise ConnectionError("lost the database")
        return real_fetch(context, ids)

    monkeypatch.setattr(services, "fetch_chunk", fetch_then_fail)
    with pytest.raises(ConnectionError):
        services.payroll_run_calculate(actor=None, run=run, executor="inline", chunk_size=1)

    run.refresh_from_db()
    assert run.calculation_id == kept
    assert run.lock_token == ""
    assert set(Payslip.objects.values_list("calculation_id", flat=True)) == {kept}
    assert PayrollCalculation.objects.get(~Q(pk=kept)).state == CalculationState.FAILED
