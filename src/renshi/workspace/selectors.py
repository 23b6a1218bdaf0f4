"""Reads for the workspace: the day's work, a run's review, the enrolment changes due, the
employee search. Each read is limited to what the actor may see, through ``renshi.access``."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext

from renshi.access.checks import Perm, employees_visible, has_perm, require
from renshi.alerts.case import case_url
from renshi.alerts.models import Alert, Severity
from renshi.alerts.selectors import alert_data, alerts_visible
from renshi.core.months import Month
from renshi.payroll.models import (
    BaseAdjustment,
    CalculationState,
    PayrollCalculation,
    PayrollRun,
    Payslip,
    RunState,
)
from renshi.payroll.selectors import payroll_runs, payslips_visible
from renshi.payroll.services import FailureReport, failure_reports
from renshi.people.models import Company, Employee, Enrolment, EnrolmentState

if TYPE_CHECKING:
    from renshi.access.checks import Actor

SEARCH_LIMIT = 20
# A net pay that moved by more than this share of last month's is worth a second look before
# approving (a review aid chosen by us, not a statutory figure).
NET_CHANGE_THRESHOLD = Decimal("0.20")
SEVERITY_ORDER = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def month_of(day: datetime.date) -> Month:
    return Month(day.year, day.month)


def month_start(month: Month) -> datetime.date:
    return datetime.date(month.year, month.month, 1)


# --- people --------------------------------------------------------------------------------


def employee_search(*, actor: Actor, company: Company, query: str) -> list[Employee]:
    """Employees the actor may see whose number or name contains ``query``; exact numbers
    first. An empty query finds nobody (the box is for looking someone up)."""
    query = query.strip()
    if not query:
        return []
    found = (
        employees_visible(actor, company, Perm.PEOPLE_VIEW)
        .filter(Q(number__icontains=query) | Q(name__icontains=query))
        .select_related("department")
        .annotate(
            is_exact=Case(
                When(number__iexact=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_exact", "number")
    )
    return list(found[:SEARCH_LIMIT])


# --- red flags -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlagSummary:
    total: int
    by_severity: list[tuple[str, str, int]]  # (value, label, count), most severe first
    by_state: list[tuple[str, str, int]]
    top: list[dict[str, Any]]


def warning_rows(
    *, actor: Actor, alerts: QuerySet[Alert] | list[Alert], sees_cases: bool
) -> list[dict[str, Any]]:
    """Warnings as the pages show them, in the reader's language, with a link to the case."""
    rows = []
    for alert in alerts:
        data = alert_data(alert, gettext)
        if alert.employee is not None and sees_cases:
            data["case_url"] = case_url(alert.employee.number, alert.company.code)
        data["rule_label"] = alert.rule.get_kind_display()
        data["state_label"] = alert.get_state_display()
        data["severity_label"] = alert.get_severity_display()
        rows.append(data)
    return rows


def flag_summary(*, actor: Actor, company: Company, top: int = 5) -> FlagSummary:
    """The company's standing warnings the actor may see: counts by severity and by state, and
    the most severe, oldest first."""
    alerts = alerts_visible(actor=actor, company_code=company.code)
    listed = list(alerts.annotate(rank=SEVERITY_ORDER).order_by("rank", "raised_at", "id"))
    severities = Counter(alert.severity for alert in listed)
    states = Counter(alert.state for alert in listed)
    state_labels = {alert.state: alert.get_state_display() for alert in listed}
    sees_cases = has_perm(actor, Perm.ARREARS_VIEW, company=company)
    return FlagSummary(
        total=len(listed),
        by_severity=[
            (value, str(label), severities[value])
            for value, label in reversed(Severity.choices)
            if severities[value]
        ],
        by_state=[(value, str(state_labels[value]), count) for value, count in states.items()],
        top=warning_rows(actor=actor, alerts=listed[:top], sees_cases=sees_cases),
    )


# --- payroll -------------------------------------------------------------------------------


def open_run(*, actor: Actor, company: Company) -> PayrollRun | None:
    """The run being worked on: the latest not yet paid, else the latest."""
    runs = payroll_runs(actor=actor, company=company)
    return runs.exclude(state=RunState.PAID).first() or runs.first()


def next_run_month(*, company: Company, today: datetime.date) -> Month:
    """The month to open next: the one after the latest run, or this month for a first run."""
    latest = PayrollRun.objects.filter(company=company).order_by("-month").first()
    if latest is None:
        return month_of(today)
    return Month.parse(latest.month).add(1)


def latest_calculation(run: PayrollRun) -> PayrollCalculation | None:
    return PayrollCalculation.objects.filter(run=run).order_by("-id").first()


def run_failures(run: PayrollRun) -> list[FailureReport]:
    """Who the last calculation could not compute, when it failed after the current one (a
    failed calculation keeps the previous results; its failures say what to fix)."""
    latest = latest_calculation(run)
    if latest is None or latest.state != CalculationState.FAILED:
        return []
    return failure_reports(latest)


@dataclass(frozen=True, slots=True)
class PayslipFilters:
    query: str = ""
    is_advanced: bool = False
    is_recovered: bool = False
    is_final: bool = False


def run_payslips(
    *, actor: Actor, run: PayrollRun, filters: PayslipFilters = PayslipFilters()
) -> QuerySet[Payslip]:
    """The run's current payslips the actor may see, filtered, by employee number."""
    payslips = payslips_visible(actor=actor, company=run.company, month=run.month).filter(run=run)
    if query := filters.query.strip():
        payslips = payslips.filter(
            Q(employee__number__icontains=query) | Q(employee__name__icontains=query)
        )
    if filters.is_advanced:
        payslips = payslips.filter(advanced__gt=0)
    if filters.is_recovered:
        payslips = payslips.filter(recovered__gt=0)
    if filters.is_final:
        payslips = payslips.filter(is_final=True)
    return payslips.order_by("employee__number")


@dataclass(frozen=True, slots=True)
class PayslipRow:
    payslip: Payslip
    previous_net: Decimal | None
    change: Decimal | None  # net minus last month's net
    is_flagged: bool  # moved by more than NET_CHANGE_THRESHOLD of last month's net


def payslip_rows(*, actor: Actor, run: PayrollRun, payslips: list[Payslip]) -> list[PayslipRow]:
    """The page's payslips with the change from last month's net pay."""
    previous_month = str(Month.parse(run.month).add(-1))
    previous = dict(
        payslips_visible(actor=actor, company=run.company, month=previous_month)
        .filter(employee_id__in=[p.employee_id for p in payslips])
        .values_list("employee_id", "net")
    )
    rows = []
    for payslip in payslips:
        before = previous.get(payslip.employee_id)
        change = None if before is None else payslip.net - before
        is_flagged = (
            change is not None
            and before is not None
            and abs(change) > abs(before) * NET_CHANGE_THRESHOLD
        )
        rows.append(PayslipRow(payslip, before, change, is_flagged))
    return rows


def run_warnings(*, actor: Actor, run: PayrollRun) -> list[dict[str, Any]]:
    """The company's standing warnings the actor may see: those of employees in the run first
    (``in_run``), then the others (a leaver's arrears stand after their last payslip)."""
    company = run.company
    in_run = set(
        payslips_visible(actor=actor, company=company, month=run.month)
        .filter(run=run)
        .values_list("employee_id", flat=True)
    )
    alerts = list(
        alerts_visible(actor=actor, company_code=company.code)
        .annotate(rank=SEVERITY_ORDER)
        .order_by("rank", "raised_at", "id")
    )
    alerts.sort(key=lambda alert: alert.employee_id not in in_run)
    rows = warning_rows(
        actor=actor,
        alerts=alerts,
        sees_cases=has_perm(actor, Perm.ARREARS_VIEW, company=company),
    )
    for alert, row in zip(alerts, rows, strict=True):
        row["in_run"] = alert.employee_id in in_run
    return rows


# --- enrolments ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueEnrolment:
    enrolment: Enrolment
    due: datetime.date
    is_overdue: bool


@dataclass(frozen=True, slots=True)
class EnrolmentsDue:
    month: Month
    additions: list[DueEnrolment] = field(default_factory=list)
    removals: list[DueEnrolment] = field(default_factory=list)
    adjustments: list[BaseAdjustment] = field(default_factory=list)

    @property
    def count(self) -> int:
        pending = [a for a in self.adjustments if not a.is_applied]
        return len(self.additions) + len(self.removals) + len(pending)


def enrolments_due(*, actor: Actor, company: Company, today: datetime.date) -> EnrolmentsDue:
    """What the social insurance clerk has to file this month: the 增员 of new hires whose
    first month has come, the 减员 of leavers due by the end of the month, and the annual base
    adjustments taking effect. Overdue ones (due in an earlier month) come first."""
    require(actor, Perm.ENROLMENT_EDIT, company=company)
    month = month_of(today)
    first = month_start(month)
    next_first = month_start(month.add(1))
    visible = employees_visible(actor, company, Perm.ENROLMENT_EDIT)
    enrolments = Enrolment.objects.filter(employee__in=visible).select_related(
        "employee", "employee__department"
    )
    additions = [
        DueEnrolment(e, month_start(Month.parse(e.start_month)), e.start_month < str(month))
        for e in enrolments.filter(
            state=EnrolmentState.PENDING_ADD, start_month__lte=str(month)
        ).order_by("start_month", "employee__number")
    ]
    # The 减员 can be filed from the first day after the last contributed month; one still
    # open after the month it fell due in costs the company another month's contributions.
    removals = [
        DueEnrolment(e, e.removal_due_date, e.removal_due_date < first)
        for e in enrolments.filter(
            state=EnrolmentState.PENDING_REMOVE, removal_due_date__lt=next_first
        ).order_by("removal_due_date", "employee__number")
        if e.removal_due_date is not None
    ]
    adjustments = list(
        BaseAdjustment.objects.filter(company=company)
        .filter(Q(effective_month=str(month)) | Q(effective_month__lt=str(month), is_applied=False))
        .order_by("effective_month")
    )
    return EnrolmentsDue(month, additions, removals, adjustments)


def enrolment_for_action(*, company: Company, enrolment_id: int) -> Enrolment | None:
    """An enrolment of the company's employees (the service checks the actor's rights)."""
    return (
        Enrolment.objects.select_related("employee__company")
        .filter(pk=enrolment_id, employee__company=company)
        .first()
    )
