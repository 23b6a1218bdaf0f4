"""Fetch: everything one chunk of a payroll run needs, in a fixed number of queries.

A chunk is up to a few thousand employees. Each query here reads all of them at once (never a
query per employee), and the rows become the core's frozen inputs in ``compute``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum

from renshi.attendance.selectors import TimeSummary, time_inputs_for_month
from renshi.core.money import round_cent
from renshi.core.months import Month
from renshi.payroll.models import (
    ArrearsEntry,
    PayrollAdjustment,
    PayrollSettings,
    Payslip,
    RunState,
    SalaryAssignment,
    SalaryComponent,
)
from renshi.people.models import ENROLMENT_BASE_FIELDS, Company, Employee
from renshi.people.selectors import enrolments_covering


@dataclass(frozen=True, slots=True)
class ComponentDef:
    code: str
    name: str
    kind: str
    is_prorated: bool


@dataclass(frozen=True, slots=True)
class RunContext:
    """What is the same for every employee of a run."""

    company_id: int
    month: Month
    first_day: datetime.date
    last_day: datetime.date
    settings: PayrollSettings
    components: dict[int, tuple[ComponentDef, ...]]  # by salary structure id


@dataclass(frozen=True, slots=True)
class EmployeeRows:
    """One employee's rows for the month, as read from the database."""

    id: int
    number: str
    name: str
    hire_date: datetime.date
    leave_date: datetime.date | None
    employment_type: str
    assignment: dict[str, Any] | None
    adjustments: tuple[dict[str, Any], ...]
    enrolment: dict[str, Any] | None
    time: TimeSummary
    iit_previous: dict[str, str] | None
    arrears_balance: Decimal


def month_bounds(month: Month) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(month.year, month.month, 1)
    following = month.add(1)
    return first, datetime.date(following.year, following.month, 1) - datetime.timedelta(days=1)


def run_context(*, company: Company, month: Month) -> RunContext:
    settings, created = PayrollSettings.objects.get_or_create(company=company)
    if created:
        settings.refresh_from_db()  # the defaults as the database typed them (Decimal)
    components: dict[int, list[ComponentDef]] = {}
    for row in SalaryComponent.objects.filter(structure__company=company).order_by(
        "structure_id", "order", "code"
    ):
        components.setdefault(row.structure_id, []).append(
            ComponentDef(row.code, row.name, row.kind, row.is_prorated)
        )
    first, last = month_bounds(month)
    return RunContext(
        company_id=company.pk,
        month=month,
        first_day=first,
        last_day=last,
        settings=settings,
        components={key: tuple(value) for key, value in components.items()},
    )


def eligible_employee_ids(*, company: Company, month: Month) -> list[int]:
    """Employees on the payroll in ``month``: hired by its last day and not gone before its
    first day. Leavers stay on the month they leave in, for their final settlement."""
    first, last = month_bounds(month)
    return list(
        Employee.objects.filter(company=company, hire_date__lte=last)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=first))
        .order_by("id")
        .values_list("id", flat=True)
    )


def _latest_assignments(ids: Sequence[int], month: str) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    rows = (
        SalaryAssignment.objects.filter(employee_id__in=ids, effective_month__lte=month)
        .order_by("employee_id", "effective_month")
        .values(
            "employee_id",
            "structure_id",
            "effective_month",
            "amounts",
            "iit_rule",
            "additional_deductions",
        )
    )
    for row in rows:
        latest[row["employee_id"]] = row  # ordered by month: the last one wins
    return latest


def _enrolments(ids: Sequence[int], month: str) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    rows = (
        enrolments_covering(month)
        .filter(employee_id__in=ids)
        .order_by("employee_id", "start_month", "id")
        .values(
            "id",
            "employee_id",
            "city",
            "work_injury_class",
            *ENROLMENT_BASE_FIELDS,
        )
    )
    for row in rows:
        found[row["employee_id"]] = row  # a later enrolment (a move) replaces an earlier one
    return found


def _iit_previous(ids: Sequence[int], month: Month) -> dict[int, dict[str, str]]:
    """The year-to-date IIT state after each employee's latest approved month this year."""
    previous: dict[int, dict[str, str]] = {}
    rows = (
        Payslip.objects.filter(
            employee_id__in=ids,
            month__gte=f"{month.year:04d}-01",
            month__lt=str(month),
            calculation_id=F("run__calculation_id"),
            run__state__in=[RunState.APPROVED, RunState.PAID],
        )
        .order_by("employee_id", "month")
        .values_list("employee_id", "iit_cumulative")
    )
    for employee_id, cumulative in rows:
        previous[employee_id] = cumulative
    return previous


def arrears_balances(ids: Sequence[int]) -> dict[int, Decimal]:
    """What each employee owes: the sum of their ledger entries."""
    return {
        row["employee_id"]: round_cent(row["balance"])
        for row in ArrearsEntry.objects.filter(employee_id__in=ids)
        .values("employee_id")
        .annotate(balance=Sum("amount"))
    }


def fetch_chunk(context: RunContext, ids: Sequence[int]) -> list[EmployeeRows]:
    month = str(context.month)
    assignments = _latest_assignments(ids, month)
    adjustments: dict[int, list[dict[str, Any]]] = {}
    for row in (
        PayrollAdjustment.objects.filter(employee_id__in=ids, month=month)
        .order_by("employee_id", "id")
        .values("employee_id", "code", "name", "kind", "amount")
    ):
        adjustments.setdefault(row["employee_id"], []).append(row)
    enrolments = _enrolments(ids, month)
    times = time_inputs_for_month(employee_ids=ids, month=month)
    iit = _iit_previous(ids, context.month)
    balances = arrears_balances(ids)
    employees = Employee.objects.filter(id__in=ids).order_by("id")
    return [
        EmployeeRows(
            id=employee_id,
            number=number,
            name=name,
            hire_date=hire_date,
            leave_date=leave_date,
            employment_type=employment_type,
            assignment=assignments.get(employee_id),
            adjustments=tuple(adjustments.get(employee_id, ())),
            enrolment=enrolments.get(employee_id),
            time=times[employee_id],
            iit_previous=iit.get(employee_id),
            arrears_balance=balances.get(employee_id, Decimal("0.00")),
        )
        for employee_id, number, name, hire_date, leave_date, employment_type in (
            employees.values_list(
                "id", "number", "name", "hire_date", "leave_date", "employment_type"
            )
        )
    ]
