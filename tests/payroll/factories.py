"""Payroll test data: a salary structure, an assignment, leave days, a run closed in one go."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from renshi.attendance.models import AttendanceMonth
from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import PayrollRun, SalaryAssignment, SalaryComponent, SalaryStructure
from renshi.people.models import Company, Employee


def make_structure(company: Company, code: str = "standard") -> SalaryStructure:
    structure, created = SalaryStructure.objects.get_or_create(
        company=company, code=code, defaults={"name": "标准薪资"}
    )
    if created:
        SalaryComponent.objects.bulk_create(
            [
                SalaryComponent(
                    structure=structure, code="base", name="基本工资", kind="base", order=1
                ),
                SalaryComponent(
                    structure=structure, code="post", name="岗位津贴", kind="allowance", order=2
                ),
                SalaryComponent(
                    structure=structure,
                    code="meal",
                    name="餐补",
                    kind="allowance",
                    is_prorated=False,
                    order=3,
                ),
            ]
        )
    return structure


def assign_salary(
    employee: Employee,
    *,
    base: str = "10000",
    post: str = "0",
    meal: str = "0",
    month: str = "2025-01",
    iit_rule: str = "standard",
    additional_deductions: str = "0",
) -> SalaryAssignment:
    return SalaryAssignment.objects.create(
        employee=employee,
        structure=make_structure(employee.company),
        effective_month=month,
        amounts={"base": base, "post": post, "meal": meal},
        iit_rule=iit_rule,
        additional_deductions=Decimal(additional_deductions),
    )


def set_attendance(
    employee: Employee, month: str, *, scheduled: str, worked: str, absent: str = "0"
) -> AttendanceMonth:
    return AttendanceMonth.objects.create(
        employee=employee,
        month=month,
        scheduled_days=Decimal(scheduled),
        days_worked=Decimal(worked),
        absence_days=Decimal(absent),
    )


def run_month(company: Company, month: str, *, approve: bool = True, **kwargs: Any) -> PayrollRun:
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse(month))
    services.payroll_run_calculate(actor=None, run=run, executor="inline", **kwargs)
    if approve:
        services.payroll_run_approve(actor=None, run=run)
    run.refresh_from_db()
    return run
