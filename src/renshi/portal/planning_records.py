"""What the pension simulator and the reminders read from one employee's records.

Contribution months are those an enrolment covers or an approved payslip shows a pension line
for: either is evidence the month was (or is being) paid. Months are counted only up to the
last complete month, since the current month's contributions may not be due yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet

from renshi.attendance.models import LeaveRecord, LeaveStatus, PayRule
from renshi.backpay.selectors import backpay_gap_months
from renshi.core.errors import CoreError
from renshi.core.money import ZERO
from renshi.core.months import Month, month_range
from renshi.core.pension import (
    MAX_CONTRIBUTION_INDEX,
    RetirementCategory,
    average_wage_from_ceiling,
)
from renshi.core.policy import InsuranceKind
from renshi.payroll.models import Payslip, PayslipLine
from renshi.payroll.selectors import EMPLOYEE_VISIBLE_STATES
from renshi.people.models import Employee, EmployeeStatus, Gender
from renshi.policies.presenters import city_display_name
from renshi.policies.selectors import policy_library

PENSION_LINE_CODE = f"si.{InsuranceKind.PENSION.value}"
INDEX_QUANTUM = Decimal("0.01")
YEARS_QUANTUM = Decimal("0.01")
# An unpaid leave at least this long counts as a "long" leave ahead: the attendance app's
# default limit (LeaveSettings.long_leave_months = 1), past which wages stop covering the share.
LONG_LEAVE_DAYS = 28


def month_of(day: datetime.date) -> Month:
    return Month(day.year, day.month)


def default_category(employee: Employee) -> RetirementCategory:
    """Men retire under the men's schedule; women default to the original age of 55 (the
    calculator's "female"), and choose the production-post schedule (50) on the page."""
    if employee.gender == Gender.MALE:
        return RetirementCategory.MALE
    return RetirementCategory.FEMALE_CADRE


def category_choices(employee: Employee) -> list[RetirementCategory]:
    if employee.gender == Gender.MALE:
        return [RetirementCategory.MALE]
    return [RetirementCategory.FEMALE_CADRE, RetirementCategory.FEMALE_WORKER]


def last_complete_month(employee: Employee, today: datetime.date) -> Month:
    """The last month that can have been contributed: last month, or the leave month."""
    last = month_of(today).add(-1)
    if employee.leave_date is not None:
        last = min(last, month_of(employee.leave_date))
    return last


def enrolment_months(employee: Employee, *, through: Month) -> set[Month]:
    """Months an enrolment covers, up to ``through``. A pending 增员 counts (HR has filed it and
    it is normally back-dated to its first month); a cancelled one (ending before it starts)
    covers nothing."""
    months: set[Month] = set()
    for start, end in employee.enrolments.values_list("start_month", "end_month"):
        first = Month.parse(start)
        last = Month.parse(end) if end else through
        months.update(month_range(first, min(last, through)))
    return months


def _pension_lines(employee: Employee) -> list[PayslipLine]:
    """Pension lines of the employee's current, approved payslips (what the portal shows)."""
    return list(
        PayslipLine.objects.filter(
            code=PENSION_LINE_CODE,
            payslip__in=Payslip.objects.filter(
                employee=employee,
                calculation_id=F("run__calculation_id"),
                run__state__in=EMPLOYEE_VISIBLE_STATES,
            ),
        )
        .select_related("payslip")
        .order_by("payslip__month")
    )


@dataclass(frozen=True, slots=True)
class AverageWage:
    """The city's average wage as the policy library implies it (pension ceiling ÷ 3)."""

    amount: Decimal
    ceiling: Decimal
    city_name: str
    period: str
    confidence: str
    source: str


def city_average_wage(city: str, month: Month) -> AverageWage | None:
    try:
        snapshot = policy_library().lookup(city, month)
    except CoreError:
        return None
    item = snapshot.social_insurance.item(InsuranceKind.PENSION)
    if item is None or item.ceiling.value is None:
        return None
    period = snapshot.social_insurance
    return AverageWage(
        amount=average_wage_from_ceiling(item.ceiling.value),
        ceiling=item.ceiling.value,
        city_name=city_display_name(snapshot.policy),
        period=f"{period.start}–{period.end}",
        confidence=item.ceiling.confidence.value,
        source=item.ceiling.source.title if item.ceiling.source else "",
    )


@dataclass(frozen=True, slots=True)
class PensionRecord:
    birth: Month
    categories: list[RetirementCategory]
    default_category: RetirementCategory
    city: str
    city_name: str
    contributed_months: int
    account_here: Decimal  # the employee's pension contributions on approved payslips
    pension_base: Decimal | None  # the latest one known
    average_wage: AverageWage | None
    index: Decimal | None  # base ÷ average wage, where both are known

    @property
    def years_here(self) -> Decimal:
        return (Decimal(self.contributed_months) / 12).quantize(YEARS_QUANTUM)


def contributed_months(employee: Employee, *, today: datetime.date) -> set[Month]:
    through = last_complete_month(employee, today)
    months = enrolment_months(employee, through=through)
    months.update(
        Month.parse(line.payslip.month) for line in _pension_lines(employee) if line.amount > ZERO
    )
    return months


def _latest_base(employee: Employee, lines: list[PayslipLine]) -> tuple[Decimal | None, str]:
    enrolment = employee.enrolments.order_by("-start_month", "-id").first()
    if enrolment is not None:
        return (enrolment.pension_base or enrolment.base), enrolment.city
    if lines and lines[-1].base is not None:
        return lines[-1].base, lines[-1].payslip.city
    return None, ""


def pension_record(employee: Employee, *, today: datetime.date) -> PensionRecord:
    lines = _pension_lines(employee)
    base, enrolment_city = _latest_base(employee, lines)
    city = enrolment_city or employee.work_city
    average = city_average_wage(city, month_of(today)) if city else None
    index = None
    if base is not None and average is not None:
        index = min(base / average.amount, MAX_CONTRIBUTION_INDEX).quantize(INDEX_QUANTUM)
    return PensionRecord(
        birth=month_of(employee.birth_date),
        categories=category_choices(employee),
        default_category=default_category(employee),
        city=city,
        city_name=average.city_name if average is not None else city,
        contributed_months=len(contributed_months(employee, today=today)),
        account_here=sum((line.amount for line in lines), ZERO),
        pension_base=base,
        average_wage=average,
        index=index,
    )


def months_broken(employee: Employee, *, today: datetime.date, lookback: int) -> int:
    """Months in the last ``lookback`` months that the back-payment page would offer to back-pay
    (``backpay_gap_months``: worked here, and no enrolment covered the month or an item is
    missing or short), so a reminder never counts other months than the page it links to."""
    since = str(month_of(today).add(-lookback))
    gaps = backpay_gap_months(employee=employee, today=today).months
    return sum(1 for gap in gaps if gap.month >= since)


def _unpaid(employee: Employee) -> QuerySet[LeaveRecord]:
    return LeaveRecord.objects.filter(employee=employee, leave_type__pay_rule=PayRule.UNPAID)


def is_on_unpaid_leave(employee: Employee, *, today: datetime.date) -> bool:
    return (
        _unpaid(employee)
        .filter(status=LeaveStatus.APPROVED, start_date__lte=today, end_date__gte=today)
        .exists()
    )


def is_long_leave_planned(employee: Employee, *, today: datetime.date) -> bool:
    upcoming = _unpaid(employee).filter(
        status__in=(LeaveStatus.REQUESTED, LeaveStatus.APPROVED), start_date__gt=today
    )
    return any(
        (leave.end_date - leave.start_date).days + 1 >= LONG_LEAVE_DAYS
        for leave in upcoming.only("start_date", "end_date")
    )


def has_left(employee: Employee) -> bool:
    return employee.status == EmployeeStatus.LEFT


def age_on(birth: datetime.date, today: datetime.date) -> tuple[int, int]:
    """Completed years and extra months (周岁), e.g. born 1990-05-20 on 2025-11-07: (35, 5)."""
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    return months // 12, months % 12
