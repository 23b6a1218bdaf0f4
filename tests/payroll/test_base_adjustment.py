"""Annual base adjustment: next period's base from last year's average wage, clamped; bases
below the actual wage are flagged; applying keeps the months already paid on the old base."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.core.months import Month
from renshi.payroll.base_adjustment import (
    AdjustmentAppliedError,
    base_adjustment_apply,
    base_adjustment_prepare,
)
from renshi.people.models import Enrolment

pytestmark = pytest.mark.django_db


def _employee(company, number, *, base, salary):
    employee = make_employee(company, number=number, hire_date=datetime.date(2023, 1, 1))
    make_enrolment(employee, base=Decimal(base), start_month="2023-01")
    assign_salary(employee, base=salary, month="2023-01")
    return employee


def test_new_bases_come_from_last_years_average_wage_and_under_declared_bases_are_flagged():
    company = make_company(code="acme")
    honest = _employee(company, "E001", base="12000", salary="12000")
    under = _employee(company, "E002", base="8000", salary="15000")
    high = _employee(company, "E003", base="35811", salary="60000")
    for month in ("2025-01", "2025-02", "2025-03"):
        run_month(company, month)

    adjustment = base_adjustment_prepare(
        actor=None, company=company, reference_year=2025, effective_month=Month.parse("2026-07")
    )

    lines = {line.enrolment.employee.number: line for line in adjustment.lines.all()}
    assert lines["E001"].average_wage == Decimal("12000.00")
    assert lines["E001"].new_base == Decimal("12000.00")
    assert not lines["E001"].is_below_actual
    assert lines["E002"].is_below_actual
    assert lines["E002"].new_base == Decimal("15000.00")
    # 60,000 is above Beijing's ceiling: the new base is the ceiling, and 35,811 is not "below".
    assert lines["E003"].clamped == "ceiling"
    assert not lines["E003"].is_below_actual
    assert {honest.pk, under.pk, high.pk} == {line.enrolment.employee_id for line in lines.values()}


def test_applying_closes_the_old_enrolment_before_the_new_period_and_runs_once():
    company = make_company(code="acme")
    employee = _employee(company, "E001", base="8000", salary="15000")
    run_month(company, "2025-01")
    adjustment = base_adjustment_prepare(
        actor=None, company=company, reference_year=2025, effective_month=Month.parse("2025-07")
    )

    assert base_adjustment_apply(actor=None, adjustment=adjustment) == 1

    enrolments = list(Enrolment.objects.filter(employee=employee).order_by("start_month"))
    assert [(e.start_month, e.end_month, e.base) for e in enrolments] == [
        ("2023-01", "2025-06", Decimal("8000.00")),
        ("2025-07", "", Decimal("15000.00")),
    ]
    assert enrolments[0].changes.filter(action="base_adjustment_close").exists()
    with pytest.raises(AdjustmentAppliedError):
        base_adjustment_apply(actor=None, adjustment=adjustment)
