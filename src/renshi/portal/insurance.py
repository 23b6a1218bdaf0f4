"""The employee's social insurance and housing fund history, month by month and item by item.

Fetch, compute, render: the rows come from the employee's visible payslips (their contribution
lines, the city and policy period used, the share the company advanced), the company's approved
payroll months, the enrolments and the arrears ledger; ``renshi.core.arrears_allocation`` says
which advances are still owed (``FIFO_RULE``); this module gives each month-item its status.

A month-item is

* **paid**: contributed, the employee's share deducted from pay;
* **advanced**: the company paid the employee's share the pay did not cover, and it has since
  been settled (recovered from pay, repaid, offset or waived);
* **owed**: advanced and not yet settled in full;

and a month without a contribution within the employment is **broken off** (断缴). A month the
employee is enrolled for whose payroll is not approved yet is **pending**: nothing is known of
it until then, and calling it broken off would be wrong.

The history starts at the later of the hire month and the company's first approved payroll
month in Renshi (earlier months were never recorded here, so nothing can be said of them) and
ends at the leave month, or the current month.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi import clock
from renshi.core.arrears_allocation import FIFO_RULE, Allocation, Movement, allocate_fifo
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month
from renshi.core.policy import HOUSING_FUND_LABEL, INSURANCE_LABELS, InsuranceKind
from renshi.payroll.models import PayrollRun, Payslip, PayslipLine
from renshi.payroll.selectors import EMPLOYEE_VISIBLE_STATES, LedgerRow, arrears_ledger
from renshi.people.models import Employee, Enrolment
from renshi.portal.records_selectors import own_payslips

if TYPE_CHECKING:
    from renshi.access.checks import Actor

HOUSING_FUND = "housing_fund"
HF_LINE = "hf"
SI_PREFIX = "si."
# The columns, in the order a payslip lists them; maternity only where collected separately.
ITEM_ORDER = (*(kind.value for kind in InsuranceKind), HOUSING_FUND)
ITEM_LABELS = {kind.value: label for kind, label in INSURANCE_LABELS.items()}
ITEM_LABELS[HOUSING_FUND] = HOUSING_FUND_LABEL


def item_code(line_code: str) -> str | None:
    """The item of a payslip line (``si.pension`` → ``pension``, ``hf`` → ``housing_fund``);
    ``None`` for a line that is not a contribution."""
    if line_code == HF_LINE:
        return HOUSING_FUND
    if line_code.startswith(SI_PREFIX):
        return line_code.removeprefix(SI_PREFIX)
    return None


def item_label(code: str) -> str:
    """The item's name in the reader's language."""
    return gettext(ITEM_LABELS[code]) if code in ITEM_LABELS else code


class Status(enum.StrEnum):
    PAID = "paid"
    ADVANCED = "advanced"
    OWED = "owed"
    BROKEN_OFF = "broken_off"
    PENDING = "pending"


STATUS_LABELS = {
    Status.PAID: _("contributed"),
    Status.ADVANCED: _("advanced, since settled"),
    Status.OWED: _("advanced, owed"),
    Status.BROKEN_OFF: _("broken off"),
    Status.PENDING: _("payroll not approved yet"),
}
STATUS_BADGES = {
    Status.PAID: "success",
    Status.ADVANCED: "info",
    Status.OWED: "warning",
    Status.BROKEN_OFF: "danger",
    Status.PENDING: "secondary",
}
# Why a month is broken off or pending, shown on its row.
NO_CONTRIBUTION = _("The payslip has no contribution: no enrolment covered this month.")
NOT_ON_PAYROLL = _("You were not on this month's approved payroll.")
NOT_ENROLLED = _("No enrolment covers this month.")
NOT_APPROVED = _("You are enrolled; this month's payroll is not approved yet.")


@dataclass(frozen=True, slots=True)
class ItemMonth:
    """One item in one month: what was contributed and, when the company advanced the
    employee's share, how much of the advance is settled and how much still owed."""

    code: str
    status: Status
    base: Decimal | None
    rate: Decimal | None
    employee_amount: Decimal
    employer_amount: Decimal
    period: str
    advanced: Decimal = ZERO
    settled: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.advanced - self.settled

    @property
    def label(self) -> str:
        return item_label(self.code)

    @property
    def rate_percent(self) -> str:
        """The employee's rate as a percentage without trailing zeros: 0.080000 → ``8``."""
        return "" if self.rate is None else f"{(self.rate * 100).normalize():f}"

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str
    status: Status
    city: str = ""
    periods: tuple[str, ...] = ()
    items: tuple[ItemMonth, ...] = ()
    payslip_id: int | None = None
    reason: Any = ""

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def employee_total(self) -> Decimal:
        return sum((item.employee_amount for item in self.items), ZERO)

    @property
    def employer_total(self) -> Decimal:
        return sum((item.employer_amount for item in self.items), ZERO)

    @property
    def advanced(self) -> Decimal:
        return sum((item.advanced for item in self.items), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((item.outstanding for item in self.items), ZERO)

    @property
    def is_contributed(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True, slots=True)
class InsuranceHistory:
    months: tuple[MonthRow, ...]  # newest first
    columns: tuple[str, ...]  # the items that appear, in payslip order
    balance: Decimal  # what the employee owes now, on the whole ledger
    allocation: Allocation | None = None
    rule: str = FIFO_RULE
    cities: tuple[str, ...] = field(default=())

    def _count(self, *statuses: Status) -> int:
        return sum(1 for row in self.months if row.status in statuses)

    @property
    def months_contributed(self) -> int:
        return sum(1 for row in self.months if row.is_contributed)

    @property
    def months_broken_off(self) -> int:
        return self._count(Status.BROKEN_OFF)

    @property
    def months_pending(self) -> int:
        return self._count(Status.PENDING)

    @property
    def months_advanced(self) -> int:
        return sum(1 for row in self.months if row.advanced > ZERO)

    @property
    def advances_outstanding(self) -> Decimal:
        return sum((row.outstanding for row in self.months), ZERO)

    @property
    def latest_contribution(self) -> str | None:
        return next((row.month for row in self.months if row.is_contributed), None)

    @property
    def first_month(self) -> str | None:
        return self.months[-1].month if self.months else None

    @property
    def column_labels(self) -> list[str]:
        return [item_label(code) for code in self.columns]


# --- Fetch ----------------------------------------------------------------------------------


def current_month(now: datetime.datetime | None = None) -> Month:
    moment = timezone.localtime(now or clock.now())
    return Month(moment.year, moment.month)


def window(
    employee: Employee, run_months: Iterable[str], today: Month
) -> tuple[Month, Month] | None:
    """The months the history covers (first, last), or ``None`` when there are none yet."""
    hired = Month(employee.hire_date.year, employee.hire_date.month)
    first_run = min((Month.parse(m) for m in run_months), default=today)
    last = today
    if employee.leave_date is not None:
        last = min(last, Month(employee.leave_date.year, employee.leave_date.month))
    first = max(hired, first_run)
    return (first, last) if first <= last else None


def enrolled_months(enrolments: Iterable[tuple[str, str]], first: Month, last: Month) -> set[str]:
    """The months from ``first`` to ``last`` that an enrolment (start, end or blank) covers."""
    covered: set[str] = set()
    for start, end in enrolments:
        lo = max(Month.parse(start), first)
        hi = min(Month.parse(end), last) if end else last
        month = lo
        while month <= hi:
            covered.add(str(month))
            month = month.add(1)
    return covered


def ordered_items(items: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """An entry's items (code → amount) in payslip order: PostgreSQL's jsonb does not keep the
    order the keys were written in, and the order decides which item a credit settles first."""

    def position(pair: tuple[str, Any]) -> tuple[int, str]:
        code = pair[0]
        return (ITEM_ORDER.index(code) if code in ITEM_ORDER else len(ITEM_ORDER), code)

    return sorted((items or {}).items(), key=position)


def movements(rows: Sequence[LedgerRow]) -> list[Movement]:
    """The ledger's entries as the allocation reads them, in the order recorded."""
    found = []
    for row in rows:
        entry = row.entry
        items = tuple((code, Decimal(str(value))) for code, value in ordered_items(entry.items))
        # A reversal carries the items of what it reverses; only debits are made of items.
        found.append(
            Movement(
                ref=entry.pk,
                month=entry.month,
                amount=entry.amount,
                items=items if entry.amount > ZERO and entry.reverses_id is None else (),
                reverses=entry.reverses_id,
            )
        )
    return found


# --- Compute --------------------------------------------------------------------------------


def _item(line: PayslipLine, advanced: Decimal, settled: Decimal) -> ItemMonth:
    code = item_code(line.code) or line.code
    if advanced > ZERO:
        status = Status.OWED if settled < advanced else Status.ADVANCED
    else:
        status = Status.PAID
    return ItemMonth(
        code=code,
        status=status,
        base=line.base,
        rate=line.rate,
        employee_amount=line.amount,
        employer_amount=line.employer_amount,
        period=line.period,
        advanced=advanced,
        settled=settled,
    )


def _contributed_row(
    payslip: Payslip, lines: Sequence[PayslipLine], allocation: Allocation
) -> MonthRow:
    by_item = allocation.by_month_item()
    items = []
    for line in sorted(lines, key=lambda line: ITEM_ORDER.index(item_code(line.code) or "")):
        code = item_code(line.code) or line.code
        allocated = by_item.get((payslip.month, code))
        if allocated is not None:
            advanced, settled = allocated.amount, allocated.settled
        else:
            # Not on the ledger (cannot happen for an approved run): owed as the payslip says.
            advanced, settled = Decimal(str((payslip.advanced_items or {}).get(code, "0"))), ZERO
        items.append(_item(line, advanced, settled))
    statuses = {item.status for item in items}
    status = next(
        (s for s in (Status.OWED, Status.ADVANCED) if s in statuses),
        Status.PAID,
    )
    periods = tuple(sorted({line.period for line in lines if line.period}))
    return MonthRow(
        month=payslip.month,
        status=status,
        city=payslip.city,
        periods=periods,
        items=tuple(items),
        payslip_id=payslip.pk,
    )


def gap_status(
    month: str, *, has_payslip: bool, run_months: set[str], enrolled: set[str]
) -> tuple[Status, Any]:
    """The status of a month without a contribution, and why."""
    if has_payslip:
        return Status.BROKEN_OFF, NO_CONTRIBUTION
    if month in run_months:
        return Status.BROKEN_OFF, NOT_ON_PAYROLL
    if month in enrolled:
        return Status.PENDING, NOT_APPROVED
    return Status.BROKEN_OFF, NOT_ENROLLED


def months_back(first: Month, last: Month) -> list[str]:
    """``last`` back to ``first``, newest first."""
    return [str(last.add(-n)) for n in range(first.months_until(last) + 1)]


def history_rows(
    *,
    first: Month,
    last: Month,
    payslips: dict[str, Payslip],
    lines: dict[int, list[PayslipLine]],
    run_months: set[str],
    enrolled: set[str],
    allocation: Allocation,
) -> list[MonthRow]:
    """Every month from ``last`` back to ``first`` with its status (see the module docstring)."""
    rows = []
    for month in months_back(first, last):
        payslip = payslips.get(month)
        if payslip is not None and lines.get(payslip.pk):
            rows.append(_contributed_row(payslip, lines[payslip.pk], allocation))
            continue
        status, reason = gap_status(
            month, has_payslip=payslip is not None, run_months=run_months, enrolled=enrolled
        )
        city = payslip.city if payslip is not None else ""
        payslip_id = payslip.pk if payslip is not None else None
        rows.append(MonthRow(month, status, city, payslip_id=payslip_id, reason=reason))
    return rows


# --- The page's data ------------------------------------------------------------------------


def visible_run_months(employee: Employee) -> set[str]:
    return set(
        PayrollRun.objects.filter(
            company_id=employee.company_id, state__in=EMPLOYEE_VISIBLE_STATES
        ).values_list("month", flat=True)
    )


def enrolment_ranges(employee: Employee) -> list[tuple[str, str]]:
    return list(Enrolment.objects.filter(employee=employee).values_list("start_month", "end_month"))


def insurance_history(
    *, actor: Actor, employee: Employee, now: datetime.datetime | None = None
) -> InsuranceHistory:
    """The employee's history as the insurance page shows it (a handful of queries)."""
    run_months = visible_run_months(employee)
    ledger = arrears_ledger(actor=actor, employee=employee)
    allocation = allocate_fifo(movements(ledger))
    balance = round_cent(ledger[-1].balance if ledger else ZERO)
    span = window(employee, run_months, current_month(now))
    if span is None:
        return InsuranceHistory((), (), balance, allocation)
    first, last = span
    payslips = {
        p.month: p
        for p in own_payslips(actor=actor, employee=employee).filter(
            month__gte=str(first), month__lte=str(last)
        )
    }
    lines: dict[int, list[PayslipLine]] = {}
    for line in PayslipLine.objects.filter(
        Q(code=HF_LINE) | Q(code__startswith=SI_PREFIX),
        payslip_id__in=[p.pk for p in payslips.values()],
    ):
        lines.setdefault(line.payslip_id, []).append(line)
    rows = history_rows(
        first=first,
        last=last,
        payslips=payslips,
        lines=lines,
        run_months=run_months,
        enrolled=enrolled_months(enrolment_ranges(employee), first, last),
        allocation=allocation,
    )
    present = {item.code for row in rows for item in row.items}
    columns = tuple(code for code in ITEM_ORDER if code in present)
    cities = tuple(sorted({row.city for row in rows if row.city}))
    return InsuranceHistory(tuple(rows), columns, balance, allocation, cities=cities)
