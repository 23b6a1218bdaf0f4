"""Reads of time and leave: payroll's time inputs, and leave lists filtered by permission."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum

from renshi.access.checks import Perm, employees_visible
from renshi.attendance.calendar import scheduled_days as calendar_scheduled_days
from renshi.attendance.models import AttendanceMonth, LeaveMonth, LeaveRecord, LeaveStatus, PayRule
from renshi.core.months import Month
from renshi.people.models import Company

if TYPE_CHECKING:
    from renshi.access.checks import Actor

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class TimeSummary:
    """One employee's time in one month, as payroll reads it."""

    scheduled_days: Decimal  # recorded attendance, else the official calendar's working days
    days_worked: Decimal  # recorded attendance, else scheduled less leave (see is_attendance_…)
    unpaid_days: Decimal = ZERO  # approved unpaid leave (事假) plus unexcused absence
    sick_days: Decimal = ZERO
    sick_pay_ratio: Decimal = ONE  # 1 when there is no sick leave
    paid_leave_days: Decimal = ZERO
    is_attendance_recorded: bool = False
    reduced_pay_days: Decimal = ZERO  # long leave paid at a share of the wage
    reduced_pay_ratio: Decimal = ONE


@dataclass
class _LeaveTotals:
    unpaid: Decimal = ZERO
    sick: Decimal = ZERO
    sick_ratio: Decimal | None = None
    paid: Decimal = ZERO
    reduced: Decimal = ZERO
    reduced_ratio: Decimal | None = None


def time_inputs_for_month(*, employee_ids: Sequence[int], month: str) -> dict[int, TimeSummary]:
    """Time summaries of ``employee_ids`` for ``month`` (``YYYY-MM``), one per id.

    Two queries whatever the number of ids: the attendance rows, and the approved leave days
    summed by employee, pay rule and ratio. Callers pass a chunk of ids (a few thousand), not a
    whole company. An employee with no rows gets the calendar's scheduled days and no leave.
    """
    if not employee_ids:
        return {}
    the_month = Month.parse(month)
    key = str(the_month)
    calendar_days = Decimal(calendar_scheduled_days(the_month))

    attendance = {
        employee_id: (scheduled, worked, absent)
        for employee_id, scheduled, worked, absent in AttendanceMonth.objects.filter(
            month=key, employee_id__in=employee_ids
        )
        .order_by()
        .values_list("employee_id", "scheduled_days", "days_worked", "absence_days")
    }

    leave: dict[int, _LeaveTotals] = {}
    for row in (
        LeaveMonth.objects.filter(
            month=key, employee_id__in=employee_ids, leave__status=LeaveStatus.APPROVED
        )
        .order_by()
        .values("employee_id", "pay_rule", "pay_ratio")
        .annotate(days=Sum("days"))
    ):
        totals = leave.setdefault(row["employee_id"], _LeaveTotals())
        days = row["days"]
        if row["pay_rule"] == PayRule.UNPAID:
            totals.unpaid += days
        elif row["pay_rule"] == PayRule.SICK:
            totals.sick += days
            # Sick leave at two ratios in one month is rare (a type's ratio changed between
            # two approvals): the lowest applies to all the month's sick days, which never
            # overpays; payroll's minimum-wage floor still protects the employee.
            ratio = row["pay_ratio"]
            if totals.sick_ratio is None or ratio < totals.sick_ratio:
                totals.sick_ratio = ratio
        elif row["pay_rule"] == PayRule.REDUCED:
            totals.reduced += days  # likewise, the lowest ratio of the month applies
            ratio = row["pay_ratio"]
            if totals.reduced_ratio is None or ratio < totals.reduced_ratio:
                totals.reduced_ratio = ratio
        else:
            totals.paid += days

    summaries: dict[int, TimeSummary] = {}
    for employee_id in employee_ids:
        totals = leave.get(employee_id, _LeaveTotals())
        recorded = attendance.get(employee_id)
        if recorded is not None:
            scheduled, worked, absent = recorded
        else:
            scheduled, absent = calendar_days, ZERO
            away = totals.unpaid + totals.sick + totals.paid + totals.reduced
            worked = max(scheduled - away, ZERO)
        summaries[employee_id] = TimeSummary(
            scheduled_days=scheduled,
            days_worked=worked,
            unpaid_days=totals.unpaid + absent,
            sick_days=totals.sick,
            sick_pay_ratio=ONE if totals.sick_ratio is None else totals.sick_ratio,
            paid_leave_days=totals.paid,
            is_attendance_recorded=recorded is not None,
            reduced_pay_days=totals.reduced,
            reduced_pay_ratio=ONE if totals.reduced_ratio is None else totals.reduced_ratio,
        )
    return summaries


def leave_list(
    *,
    actor: Actor,
    company: Company,
    status: str | None = None,
    employee_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[LeaveRecord]:
    """The company's leave records ``actor`` may see (``LEAVE_VIEW``), newest first; with
    dates, only leaves touching ``date_from``..``date_to``."""
    records = LeaveRecord.objects.filter(
        employee__in=employees_visible(actor, company, Perm.LEAVE_VIEW)
    )
    if status is not None:
        records = records.filter(status=status)
    if employee_id is not None:
        records = records.filter(employee_id=employee_id)
    if date_from is not None:
        records = records.filter(end_date__gte=date_from)
    if date_to is not None:
        records = records.filter(start_date__lte=date_to)
    return records.select_related("employee", "leave_type", "decided_by").order_by(
        "-start_date", "-id"
    )
