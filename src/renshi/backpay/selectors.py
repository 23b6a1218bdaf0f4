"""Reads for back-payment: the months an employee's contributions were broken off or short, what
was contributed for each month, and the requests, with the checks of ``renshi.access``.

A month counts as contributed by what Renshi knows of it: an approved payslip's contribution
lines, plus what a completed back-payment paid. A month covered by an enrolment but with no
approved payslip (before the company used Renshi, or a run not yet approved) is taken as
contributed and not listed as a gap; the employee may still add it to a request, where it is
computed in full and HR checks it against the bureau's record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from renshi.access.checks import Perm, employees_visible, require
from renshi.backpay.models import PENDING_STATES, BackPayRequest, BackPayState
from renshi.core.backpay import BaseOrigin, MonthBasis, Paid, calculate_month
from renshi.core.errors import CoreError
from renshi.core.months import Month, month_range
from renshi.core.policy import InsuranceKind, PolicyLibrary
from renshi.payroll.compute import ENROLMENT_OPTIONAL
from renshi.payroll.models import PayslipLine, RunState
from renshi.people.models import Company, Employee, Enrolment
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor

ZERO = Decimal("0")
GAP_NOT_ENROLLED = "not_enrolled"  # no enrolment covered the month: nothing was contributed
GAP_MISSING = "missing"  # contributed, but an item is missing or short of what was due
_CONTRIBUTION_KINDS = ("contribution", "housing_fund")  # renshi.core.payroll.LineKind values
_ITEM_BASE_FIELDS: tuple[tuple[InsuranceKind, str], ...] = (
    (InsuranceKind.PENSION, "pension_base"),
    (InsuranceKind.MEDICAL, "medical_base"),
    (InsuranceKind.UNEMPLOYMENT, "unemployment_base"),
    (InsuranceKind.WORK_INJURY, "work_injury_base"),
    (InsuranceKind.MATERNITY, "maternity_base"),
)


@dataclass(frozen=True, slots=True)
class GapMonth:
    month: str
    reason: str  # GAP_NOT_ENROLLED or GAP_MISSING
    items: tuple[str, ...]  # the item codes missing or short ("si.pension", "hf"), if known
    pending_request_id: int | None  # a request not yet completed already asks for it


@dataclass(frozen=True, slots=True)
class Gaps:
    months: tuple[GapMonth, ...]
    unchecked: int  # months of the employment the policy library has no figures for
    unchecked_last: str | None  # the latest of them


def month_of(day: datetime.date) -> Month:
    return Month(day.year, day.month)


def employment_months(employee: Employee, today: datetime.date) -> tuple[Month, Month] | None:
    """The first and last month that may be back-paid: from the month of hire to last month,
    or the month of leaving if earlier; None when there is none yet."""
    first = month_of(employee.hire_date)
    last = month_of(today).add(-1)
    if employee.leave_date is not None:
        last = min(last, month_of(employee.leave_date))
    return (first, last) if first <= last else None


def covering_enrolment(enrolments: Sequence[Enrolment], month: Month) -> Enrolment | None:
    """The enrolment covering ``month`` by ``people.selectors.enrolment_for_month``'s rule
    (whatever its state; the later start wins); ``enrolments`` are ordered by start, id."""
    key = str(month)
    found = None
    for enrolment in enrolments:
        if enrolment.start_month <= key and (not enrolment.end_month or key <= enrolment.end_month):
            found = enrolment
    return found


def employee_enrolments(employee: Employee) -> list[Enrolment]:
    return list(Enrolment.objects.filter(employee=employee).order_by("start_month", "id"))


def enrolment_basis(enrolment: Enrolment, month: Month, paid: dict[str, Paid]) -> MonthBasis:
    return MonthBasis(
        month=month,
        city=enrolment.city,
        base=enrolment.base,
        origin=BaseOrigin.ENROLMENT,
        item_bases={
            kind: getattr(enrolment, name)
            for kind, name in _ITEM_BASE_FIELDS
            if getattr(enrolment, name) is not None
        },
        housing_fund_base=enrolment.housing_fund_base,
        housing_fund_rate=enrolment.housing_fund_rate,
        work_injury_class=enrolment.work_injury_class or None,
        paid=paid,
    )


def _add(paid: dict[str, Paid], code: str, employer: Decimal, employee: Decimal) -> None:
    before = paid.get(code, Paid(ZERO, ZERO))
    paid[code] = Paid(before.employer + employer, before.employee + employee)


def approved_payslip_months(employee: Employee) -> set[str]:
    """Months with a payslip in an approved or paid run's current calculation."""
    return set(
        employee.payslips.filter(
            calculation_id=F("run__calculation_id"),
            run__state__in=[RunState.APPROVED, RunState.PAID],
        ).values_list("month", flat=True)
    )


def contributed_by_month(employee: Employee, months: Iterable[str]) -> dict[str, dict[str, Paid]]:
    """What was contributed per month and item code: approved payslips' contribution lines and
    the items of completed back-payments."""
    keys = sorted(set(months))
    paid: dict[str, dict[str, Paid]] = {key: {} for key in keys}
    lines = PayslipLine.objects.filter(
        payslip__employee=employee,
        payslip__month__in=keys,
        payslip__calculation_id=F("payslip__run__calculation_id"),
        payslip__run__state__in=[RunState.APPROVED, RunState.PAID],
        kind__in=_CONTRIBUTION_KINDS,
    ).values_list("payslip__month", "code", "employer_amount", "amount")
    for month, code, employer, amount in lines:
        _add(paid[month], code, Decimal(employer), Decimal(amount))
    for request in BackPayRequest.objects.filter(employee=employee, state=BackPayState.DONE):
        for month in request.figures.get("months", ()):
            if month["month"] not in paid:
                continue
            for item in month.get("items", ()):
                _add(
                    paid[month["month"]],
                    item["code"],
                    Decimal(item["employer"]),
                    Decimal(item["employee"]),
                )
    return paid


def months_in_requests(employee: Employee, states: Iterable[str]) -> dict[str, int]:
    """Month → the id of a request of the employee in one of ``states`` that asks for it."""
    found: dict[str, int] = {}
    for pk, months in BackPayRequest.objects.filter(
        employee=employee, state__in=list(states)
    ).values_list("pk", "months"):
        for month in months:
            found.setdefault(month, pk)
    return found


def _is_covered(library: PolicyLibrary, city: str, month: Month) -> bool:
    try:
        library.lookup(city, month)
    except CoreError:
        return False
    return True


def backpay_gap_months(
    *, employee: Employee, today: datetime.date, library: PolicyLibrary | None = None
) -> Gaps:
    """The months of the employment, up to last month, with no contribution (no enrolment
    covered them) or an item missing or short on the approved payslip; months a completed
    back-payment paid are left out, months already asked in a pending request are marked."""
    bounds = employment_months(employee, today)
    if bounds is None:
        return Gaps((), 0, None)
    library = library or policy_library()
    enrolments = employee_enrolments(employee)
    latest_city = enrolments[-1].city if enrolments else employee.work_city
    approved = approved_payslip_months(employee)
    done = months_in_requests(employee, [BackPayState.DONE])
    pending = months_in_requests(employee, PENDING_STATES)
    paid = contributed_by_month(employee, approved)
    gaps: list[GapMonth] = []
    unchecked: list[Month] = []
    for month in month_range(*bounds):
        key = str(month)
        if key in done:
            continue
        enrolment = covering_enrolment(enrolments, month)
        if enrolment is None:
            if employee.employment_type in ENROLMENT_OPTIONAL:
                continue  # flexible workers and interns are usually not enrolled
            if not _is_covered(library, latest_city, month):
                unchecked.append(month)
                continue
            gaps.append(GapMonth(key, GAP_NOT_ENROLLED, (), pending.get(key)))
            continue
        if key not in approved:
            continue
        try:
            result = calculate_month(
                library,
                enrolment_basis(enrolment, month, paid[key]),
                pay_date=today,
            )
        except CoreError:
            unchecked.append(month)
            continue
        if result.items:
            codes = tuple(item.code for item in result.items)
            gaps.append(GapMonth(key, GAP_MISSING, codes, pending.get(key)))
    return Gaps(
        months=tuple(gaps),
        unchecked=len(unchecked),
        unchecked_last=str(unchecked[-1]) if unchecked else None,
    )


def backpay_requests_for(*, actor: Actor, employee: Employee) -> QuerySet[BackPayRequest]:
    """The employee's requests, newest first: for the employee, HR, the SI clerk, finance and
    auditors (whoever may see what the employee owes)."""
    require(actor, Perm.ARREARS_VIEW, company=employee.company, employee=employee)
    return BackPayRequest.objects.filter(employee=employee).order_by("-created_at", "-id")


def backpay_requests_pending(*, actor: Actor, company: Company) -> QuerySet[BackPayRequest]:
    """Requests waiting for HR: to decide (submitted) or to pay the bureau (accepted)."""
    return backpay_requests_all(actor=actor, company=company).filter(state__in=PENDING_STATES)


def backpay_requests_all(*, actor: Actor, company: Company) -> QuerySet[BackPayRequest]:
    """Every request of the company's employees the actor handles, newest first (HR and the
    SI clerk: ``Perm.ENROLMENT_EDIT``)."""
    require(actor, Perm.ENROLMENT_EDIT, company=company)
    visible = employees_visible(actor, company, Perm.ENROLMENT_EDIT)
    return (
        BackPayRequest.objects.filter(company=company, employee__in=visible)
        .select_related("employee")
        .order_by("-created_at", "-id")
    )
