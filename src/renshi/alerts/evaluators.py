"""What each rule sees at a given moment: the causes that stand now.

An evaluator reads the database and returns candidates; it writes nothing. ``alert_tick`` raises
a warning for each new cause and resolves standing warnings whose cause is gone, so evaluating
twice at the same moment changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from renshi.alerts.models import STANDING_STATES, Alert, RuleKind, WarningRule
from renshi.attendance.models import LeaveMonth
from renshi.attendance.selectors import time_inputs_for_month
from renshi.core.contributions import calculate_contributions
from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month
from renshi.core.policy import InsuranceKind
from renshi.payroll.compute import Calculator, Computed
from renshi.payroll.fetch import eligible_employee_ids, fetch_chunk, month_bounds, run_context
from renshi.payroll.models import ArrearsEntry, PayrollRun, PayslipLine, RunState
from renshi.people.models import (
    Company,
    Employee,
    EmployeeStatus,
    EmploymentType,
    Enrolment,
    EnrolmentState,
)
from renshi.people.selectors import enrolments_covering
from renshi.policies.selectors import policy_library

LEAVE_OVER = gettext_noop("{days} days of leave in {month}, more than {threshold}")
SHARE_NOT_COVERED = gettext_noop(
    "{month} wages ({gross}) will not cover the employee's share ({share}): the company will "
    "advance {amount}; payday {payday}"
)
ARREARS_OVER = gettext_noop("owes the company {amount}, more than {threshold}")
LEAVER_AHEAD = gettext_noop(
    "leaves on {leave_date}: file the removal (减员) from social insurance by {due}"
)
LEAVER_DUE = gettext_noop(
    "left on {leave_date} and is still enrolled: file the removal (减员) by {due}"
)
DEADLINE = gettext_noop(
    "{month} social insurance contributions are due by {deadline} ({pending_add} pending 增员, "
    "{pending_remove} pending 减员)"
)
NOT_ENROLLED = gettext_noop("no social insurance enrolment covers {month}")
ADD_NOT_CONFIRMED = gettext_noop(
    "the enrolment (增员) from {start} has not been confirmed by the bureau"
)
BASE_BELOW = gettext_noop(
    "contribution base {base} is below the actual wage {wage} in {month} ({city})"
)
POLICY_MISSING = gettext_noop("{city} {month}: {reason}")

# Flexible workers and interns are usually not enrolled by the company (as in payroll).
NOT_ENROLLED_TYPES = (EmploymentType.FLEXIBLE, EmploymentType.INTERN)


@dataclass(frozen=True, slots=True)
class Candidate:
    cause: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    employee_id: int | None = None
    month: str = ""
    amount: Decimal | None = None
    links: dict[str, Any] = field(default_factory=dict)


Evaluator = Callable[[Company, WarningRule, datetime.datetime], list[Candidate]]


def _month_of(day: datetime.date) -> Month:
    return Month(day.year, day.month)


def _threshold(rule: WarningRule, default: Decimal) -> Decimal:
    return rule.threshold if rule.threshold is not None else default


def leave_over_days(company: Company, rule: WarningRule, now: datetime.datetime) -> list[Candidate]:
    today = now.date()
    threshold = _threshold(rule, Decimal("10"))
    months = [str(_month_of(today)), str(_month_of(today).add(1))]
    rows = (
        LeaveMonth.objects.filter(employee__company=company, month__in=months)
        .values("employee_id", "month")
        .annotate(days=Sum("days"))
        .filter(days__gt=threshold)
        .order_by("employee_id", "month")
    )
    return [
        Candidate(
            cause=f"leave_over_days:{row['employee_id']}:{row['month']}",
            template=LEAVE_OVER,
            params={"days": str(row["days"]), "month": row["month"], "threshold": str(threshold)},
            employee_id=row["employee_id"],
            month=row["month"],
        )
        for row in rows
    ]


def payday_of(company: Company, month: Month) -> datetime.date:
    """The day a month's wages are paid: the company's payday in the month after (次月发薪)."""
    first, last = month_bounds(month.add(1))
    return first.replace(day=min(company.payday, last.day))


def next_payday(company: Company, today: datetime.date) -> tuple[Month, datetime.date]:
    """The month whose wages are paid next, and the day."""
    this_month = _month_of(today)
    payday = payday_of(company, this_month.add(-1))
    if today <= payday:
        return this_month.add(-1), payday
    return this_month, payday_of(company, this_month)


def share_not_covered(
    company: Company, rule: WarningRule, now: datetime.datetime
) -> list[Candidate]:
    """Employees whose wages will not cover their own share: the month of the next payday once
    inside the lead window, and every month a warning already stands for, for as long as that
    month is not approved. Approving a month posts what was advanced to the ledger, where the
    arrears rule takes over; until then the gap is as real after payday as before it."""
    today = now.date()
    month, payday = next_payday(company, today)
    months = {
        Month.parse(standing)
        for standing in Alert.objects.filter(rule=rule, state__in=STANDING_STATES)
        .exclude(month="")
        .values_list("month", flat=True)
        .distinct()
    }
    if today >= payday - datetime.timedelta(days=rule.lead_days):
        months.add(month)
    approved = set(
        PayrollRun.objects.filter(
            company=company,
            month__in=[str(m) for m in months],
            state__in=[RunState.APPROVED, RunState.PAID],
        ).values_list("month", flat=True)
    )
    projected = [
        (m, item) for m in sorted(months) if str(m) not in approved for item in _project(company, m)
    ]
    credits = _credits(company, [item.employee_id for _, item in projected])
    candidates = []
    for m, item in projected:  # oldest month first: a credit covers the earliest gap first
        advanced = item.result.advanced
        if advanced <= 0:
            continue
        credit = min(credits.get(item.employee_id, ZERO), advanced)
        credits[item.employee_id] = credits.get(item.employee_id, ZERO) - credit
        if advanced > credit:
            candidates.append(_share_candidate(company, m, item, advanced - credit, credit))
    return candidates


def _credits(company: Company, employee_ids: list[int]) -> dict[int, Decimal]:
    """What each employee has paid in advance: a negative balance on the arrears ledger."""
    rows = (
        ArrearsEntry.objects.filter(company=company, employee_id__in=set(employee_ids))
        .values("employee_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
    )
    return {row["employee_id"]: -round_cent(row["balance"]) for row in rows}


def _share_candidate(
    company: Company, month: Month, item: Computed, gap: Decimal, credit: Decimal
) -> Candidate:
    payday = payday_of(company, month).isoformat()
    links: dict[str, Any] = {
        "items": {code: str(amount) for code, amount in item.result.advanced_items},
        "payday": payday,
    }
    if credit:
        links["credit"] = str(credit)
    return Candidate(
        cause=f"share_not_covered:{item.employee_id}:{month}",
        template=SHARE_NOT_COVERED,
        params={
            "month": str(month),
            "gross": str(item.result.gross),
            "share": str(item.result.employee_share),
            "amount": str(gap),
            "payday": payday,
        },
        employee_id=item.employee_id,
        month=str(month),
        amount=gap,
        links=links,
    )


def _project(company: Company, month: Month) -> list[Computed]:
    """Payslips as they would be calculated now, for employees whose pay is cut this month
    (unpaid or sick days, or leaving); nothing is saved."""
    ids = eligible_employee_ids(company=company, month=month)
    first, last = month_bounds(month)
    leaving = set(
        Employee.objects.filter(id__in=ids, leave_date__range=(first, last)).values_list(
            "id", flat=True
        )
    )
    times = time_inputs_for_month(employee_ids=ids, month=str(month))
    affected = [
        employee_id
        for employee_id in ids
        if employee_id in leaving
        or times[employee_id].unpaid_days
        or times[employee_id].sick_days
        or times[employee_id].reduced_pay_days
    ]
    if not affected:
        return []
    context = run_context(company=company, month=month)
    calculator = Calculator(context, policy_library())
    results = [calculator.compute(row) for row in fetch_chunk(context, affected)]
    return [result for result in results if isinstance(result, Computed)]


def arrears_over(company: Company, rule: WarningRule, now: datetime.datetime) -> list[Candidate]:
    threshold = _threshold(rule, Decimal("500"))
    rows = (
        ArrearsEntry.objects.filter(company=company)
        .values("employee_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__gt=threshold)
        .order_by("employee_id")
    )
    owing = list(rows)
    entries: dict[int, list[int]] = {}
    for employee_id, entry_id in (
        ArrearsEntry.objects.filter(employee_id__in=[row["employee_id"] for row in owing])
        .order_by("employee_id", "id")
        .values_list("employee_id", "id")
    ):
        entries.setdefault(employee_id, []).append(entry_id)
    candidates = []
    for row in owing:
        balance = round_cent(row["balance"])
        candidates.append(
            Candidate(
                cause=f"arrears_over:{row['employee_id']}",
                template=ARREARS_OVER,
                params={"amount": str(balance), "threshold": str(threshold)},
                employee_id=row["employee_id"],
                amount=balance,
                links={"arrears_entries": entries[row["employee_id"]]},
            )
        )
    return candidates


def leaver_not_removed(
    company: Company, rule: WarningRule, now: datetime.datetime
) -> list[Candidate]:
    today = now.date()
    horizon = today + datetime.timedelta(days=rule.lead_days)
    enrolments = (
        Enrolment.objects.filter(
            employee__company=company,
            employee__leave_date__isnull=False,
            employee__leave_date__lte=horizon,
        )
        .exclude(state=EnrolmentState.ENDED)
        .select_related("employee")
        .order_by("employee_id", "-start_month")
    )
    candidates = []
    seen: set[int] = set()
    for enrolment in enrolments:
        employee = enrolment.employee
        if employee.pk in seen:
            continue
        seen.add(employee.pk)
        leave_date = employee.leave_date
        assert leave_date is not None
        due = getattr(enrolment, "removal_due_date", None) or leave_date
        is_due = today >= leave_date
        candidates.append(
            Candidate(
                cause=f"leaver_not_removed:{employee.pk}:{'due' if is_due else 'ahead'}",
                template=LEAVER_DUE if is_due else LEAVER_AHEAD,
                params={"leave_date": leave_date.isoformat(), "due": due.isoformat()},
                employee_id=employee.pk,
                month=f"{leave_date:%Y-%m}",
                links={"enrolment": enrolment.pk},
            )
        )
    return candidates


def contribution_deadline(
    company: Company, rule: WarningRule, now: datetime.datetime
) -> list[Candidate]:
    today = now.date()
    month = _month_of(today)
    first, last = month_bounds(month)
    deadline = first.replace(day=min(int(_threshold(rule, Decimal("25"))), last.day))
    if not deadline - datetime.timedelta(days=rule.lead_days) <= today <= deadline:
        return []
    enrolments = Enrolment.objects.filter(employee__company=company)
    return [
        Candidate(
            cause=f"contribution_deadline:{month}",
            template=DEADLINE,
            params={
                "month": str(month),
                "deadline": deadline.isoformat(),
                "pending_add": enrolments.filter(state=EnrolmentState.PENDING_ADD).count(),
                "pending_remove": enrolments.filter(state=EnrolmentState.PENDING_REMOVE).count(),
            },
            month=str(month),
        )
    ]


def contributions_broken(
    company: Company, rule: WarningRule, now: datetime.datetime
) -> list[Candidate]:
    today = now.date()
    month = str(_month_of(today))
    covered = enrolments_covering(month)
    staff = (
        Employee.objects.filter(company=company, status=EmployeeStatus.ACTIVE, hire_date__lte=today)
        .exclude(employment_type__in=NOT_ENROLLED_TYPES)
        .exclude(id__in=covered.values("employee_id"))
        .order_by("id")
    )
    candidates = [
        Candidate(
            cause=f"contributions_broken:{employee_id}:{month}",
            template=NOT_ENROLLED,
            params={"month": month},
            employee_id=employee_id,
            month=month,
        )
        for employee_id in staff.values_list("id", flat=True)
    ]
    # A 增员 not confirmed a month after it started: the bureau may not have it.
    stale = str(_month_of(today).add(-1))
    for enrolment in Enrolment.objects.filter(
        employee__company=company, state=EnrolmentState.PENDING_ADD, start_month__lte=stale
    ).order_by("employee_id"):
        candidates.append(
            Candidate(
                cause=f"contributions_broken:{enrolment.employee_id}:pending_add:{enrolment.pk}",
                template=ADD_NOT_CONFIRMED,
                params={"start": enrolment.start_month},
                employee_id=enrolment.employee_id,
                month=enrolment.start_month,
                links={"enrolment": enrolment.pk},
            )
        )
    return candidates


def base_below_wage(company: Company, rule: WarningRule, now: datetime.datetime) -> list[Candidate]:
    """In the latest approved month: a pension base below the wage the base should follow."""
    run = (
        PayrollRun.objects.filter(company=company, state__in=[RunState.APPROVED, RunState.PAID])
        .order_by("-month")
        .first()
    )
    if run is None:
        return []
    month = Month.parse(run.month)
    library = policy_library()
    lines = (
        PayslipLine.objects.filter(payslip__calculation_id=run.calculation_id, code="si.pension")
        .annotate(
            employee_id=F("payslip__employee_id"),
            city=F("payslip__city"),
            wage=F("payslip__gross") + F("payslip__time_deductions"),
        )
        .values_list("employee_id", "city", "wage", "base")
    )
    candidates = []
    for employee_id, city, raw_wage, base in lines:
        # A sum of two cent amounts, exact; SQLite's arithmetic hands it back with float noise.
        wage = round_cent(Decimal(raw_wage))
        try:
            snapshot = library.lookup(city, month)
            result = calculate_contributions(snapshot, wage=wage)
        except CoreError:
            continue  # reported by the policy rule
        required = next(i.base for i in result.items if i.kind is InsuranceKind.PENSION)
        if base is None or base >= required:
            continue
        candidates.append(
            Candidate(
                cause=f"base_below_wage:{employee_id}:{month.year}",
                template=BASE_BELOW,
                params={"base": str(base), "wage": str(wage), "month": str(month), "city": city},
                employee_id=employee_id,
                month=str(month),
                amount=round_cent(required - base),
                links={"payroll_run": run.pk},
            )
        )
    return candidates


def policy_period_missing(
    company: Company, rule: WarningRule, now: datetime.datetime
) -> list[Candidate]:
    today = now.date()
    months = sorted({_month_of(today), _month_of(today + datetime.timedelta(days=rule.lead_days))})
    cities = set(
        Enrolment.objects.filter(employee__company=company)
        .exclude(state=EnrolmentState.ENDED)
        .values_list("city", flat=True)
    ) | {company.default_city}
    library = policy_library()
    candidates = []
    for city in sorted(cities):
        for month in months:
            try:
                library.lookup(city, month)
            except CoreError as error:
                candidates.append(
                    Candidate(
                        cause=f"policy_period_missing:{city}:{month}",
                        template=POLICY_MISSING,
                        params={"city": city, "month": str(month), "reason": error.render()},
                        month=str(month),
                    )
                )
    return candidates


EVALUATORS: dict[str, Evaluator] = {
    RuleKind.LEAVE_OVER_DAYS: leave_over_days,
    RuleKind.SHARE_NOT_COVERED: share_not_covered,
    RuleKind.ARREARS_OVER: arrears_over,
    RuleKind.LEAVER_NOT_REMOVED: leaver_not_removed,
    RuleKind.CONTRIBUTION_DEADLINE: contribution_deadline,
    RuleKind.CONTRIBUTIONS_BROKEN: contributions_broken,
    RuleKind.BASE_BELOW_WAGE: base_below_wage,
    RuleKind.POLICY_PERIOD_MISSING: policy_period_missing,
}
