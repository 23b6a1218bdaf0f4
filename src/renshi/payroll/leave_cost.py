"""What a leave will cost the employee, shown before they submit it, and the request itself.

For each month the leave touches, the payslip is calculated as payroll would calculate it with
the leave approved (the same fetch and ``Calculator`` as a run; nothing is saved): the pay, the
employee's social insurance and housing fund share, and the part of the share the wages will
not cover, which the company advances and the employee then owes. The employee confirms having
read the statement; its exact text, the figures and the time are kept with the leave.

The company's long-leave rule (``LeaveSettings``) changes the picture for unpaid leave over its
limit: either the employee prepays the share the wages will not cover before the leave is
approved, or pay continues at a share of the wage, never below the minimum wage.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from renshi.access.checks import Perm, recorded_user, require
from renshi.attendance.calendar import working_days_by_month
from renshi.attendance.models import LeaveRecord, LeaveStatus, LeaveType, LongLeaveRule, PayRule
from renshi.attendance.selectors import TimeSummary
from renshi.attendance.services import (
    CostConfirmation,
    leave_record_create,
    leave_record_validate,
    leave_settings_for,
    long_leave_rule_for,
)
from renshi.clock import now as clock_now
from renshi.core.errors import CoreError
from renshi.core.money import ZERO, format_money, parse_money, round_cent
from renshi.payroll.compute import Calculator, Computed
from renshi.payroll.evidence import ledger_append
from renshi.payroll.fetch import (
    RunContext,
    arrears_balances,
    eligible_employee_ids,
    fetch_chunk,
    run_context,
)
from renshi.payroll.models import ArrearsEntry, ArrearsKind
from renshi.payroll.services import AmountNotPositiveError
from renshi.people.models import Employee
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor


class LeaveCostError(CoreError):
    """A leave request that cannot be submitted as it is; nothing was written."""


class NotConfirmedError(LeaveCostError):
    template = gettext_noop(
        "{field}: please confirm that you have read what this leave will cost before submitting"
    )


class StatementChangedError(LeaveCostError):
    template = gettext_noop(
        "{field}: the figures changed since they were shown (a salary, base or policy was "
        "updated); please read them again and confirm"
    )


class NoPrepaymentDueError(LeaveCostError):
    template = gettext_noop("{field}: this leave needs no prepayment")


class PrepaymentNotRequestedError(LeaveCostError):
    template = gettext_noop("{field}: a prepayment is recorded only for a requested leave")


@dataclass(frozen=True, slots=True)
class MonthCost:
    """One month of the leave, as payroll would calculate it with the leave approved."""

    month: str
    leave_days: int
    gross: Decimal | None = None
    employee_share: Decimal | None = None
    iit: Decimal | None = None
    net: Decimal | None = None
    gap: Decimal | None = None  # the share the wages will not cover: the company advances it
    problem: str = ""  # why the month could not be projected (no salary, no policy period…)


@dataclass(frozen=True, slots=True)
class LeaveCost:
    employee_id: int
    leave_type: str
    start_date: datetime.date
    end_date: datetime.date
    days: int
    long_leave_rule: str
    reduced_pay_ratio: Decimal | None
    months: tuple[MonthCost, ...]
    total_gap: Decimal
    prepay_amount: Decimal
    statement: str

    @property
    def digest(self) -> str:
        """The statement's SHA-256: the form carries it, so submission proves what was shown."""
        return hashlib.sha256(self.statement.encode()).hexdigest()

    def figures(self) -> dict[str, Any]:
        return {
            "long_leave_rule": self.long_leave_rule,
            "reduced_pay_ratio": None
            if self.reduced_pay_ratio is None
            else str(self.reduced_pay_ratio),
            "total_gap": str(self.total_gap),
            "prepay_amount": str(self.prepay_amount),
            "months": [
                {
                    "month": item.month,
                    "leave_days": item.leave_days,
                    **{
                        name: None if value is None else str(value)
                        for name, value in (
                            ("gross", item.gross),
                            ("employee_share", item.employee_share),
                            ("iit", item.iit),
                            ("net", item.net),
                            ("gap", item.gap),
                        )
                    },
                    "problem": item.problem,
                }
                for item in self.months
            ],
        }


def _with_leave(time: TimeSummary, days: Decimal, pay_rule: str, ratio: Decimal) -> TimeSummary:
    """The month's time with ``days`` more of leave under ``pay_rule``."""
    worked = max(time.days_worked - days, ZERO)
    if pay_rule == PayRule.UNPAID:
        return replace(time, days_worked=worked, unpaid_days=time.unpaid_days + days)
    if pay_rule == PayRule.SICK:
        ratio = min(ratio, time.sick_pay_ratio) if time.sick_days else ratio
        return replace(
            time, days_worked=worked, sick_days=time.sick_days + days, sick_pay_ratio=ratio
        )
    if pay_rule == PayRule.REDUCED:
        ratio = min(ratio, time.reduced_pay_ratio) if time.reduced_pay_days else ratio
        return replace(
            time,
            days_worked=worked,
            reduced_pay_days=time.reduced_pay_days + days,
            reduced_pay_ratio=ratio,
        )
    return replace(time, days_worked=worked, paid_leave_days=time.paid_leave_days + days)


def _project_month(
    employee: Employee, context: RunContext, days: int, pay_rule: str, ratio: Decimal
) -> MonthCost:
    month = context.month
    if employee.pk not in eligible_employee_ids(company=employee.company, month=month):
        problem = gettext("not on the payroll this month")
        return MonthCost(str(month), days, problem=problem)
    (rows,) = fetch_chunk(context, [employee.pk])
    rows = replace(rows, time=_with_leave(rows.time, Decimal(days), pay_rule, ratio))
    outcome = Calculator(context, policy_library()).compute(rows)
    if not isinstance(outcome, Computed):
        return MonthCost(str(month), days, problem=outcome.message.render(gettext))
    result = outcome.result
    return MonthCost(
        month=str(month),
        leave_days=days,
        gross=result.gross,
        employee_share=result.employee_share,
        iit=result.iit,
        net=result.net,
        gap=result.advanced,
    )


STATEMENT_HEAD = gettext_noop(
    "Leave from {start} to {end} ({leave_type}, {days} working days). What it will do to your "
    "pay, estimated with your current salary, contribution base and the city's rules:"
)
STATEMENT_MONTH = gettext_noop(
    "{month}: {leave_days} days of leave; gross pay {gross}, your social insurance and housing "
    "fund share {share}, net pay {net}."
)
STATEMENT_MONTH_GAP = gettext_noop(
    "{month}: {leave_days} days of leave; gross pay {gross} does not cover your social "
    "insurance and housing fund share {share}: the company will pay {gap} of it for you."
)
STATEMENT_MONTH_UNKNOWN = gettext_noop(
    "{month}: {leave_days} days of leave; not estimated: {problem}."
)
STATEMENT_DEBT = gettext_noop(
    "In all the company will advance {total} of your share. You will owe it to the company: it "
    "is recovered from later wages (at most {recovery} per cent of a month's wage, never leaving "
    "less than the minimum wage) or from your final pay if you leave, and you repay what remains."
)
STATEMENT_NO_GAP = gettext_noop("Your wages cover your share in every month of the leave.")
STATEMENT_PREPAY = gettext_noop(
    "Company rule for unpaid leave over {months} month(s): you prepay {amount} before the leave "
    "is approved."
)
STATEMENT_REDUCED = gettext_noop(
    "Company rule for unpaid leave over {months} month(s): your pay continues at {percent} per "
    "cent of your wage during the leave, never below the city's minimum wage; the figures above "
    "include it."
)
STATEMENT_ESTIMATE = gettext_noop(
    "These are estimates; the month's payroll decides the amounts. By confirming you state that "
    "you have read this before submitting the request."
)


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}"


def _statement(cost: LeaveCost, months_limit: int, recovery_ratio: Decimal) -> str:
    lines = [
        gettext(STATEMENT_HEAD).format(
            start=cost.start_date.isoformat(),
            end=cost.end_date.isoformat(),
            leave_type=cost.leave_type,
            days=cost.days,
        )
    ]
    for item in cost.months:
        if item.problem:
            template = STATEMENT_MONTH_UNKNOWN
        elif item.gap:
            template = STATEMENT_MONTH_GAP
        else:
            template = STATEMENT_MONTH
        lines.append(
            gettext(template).format(
                month=item.month,
                leave_days=item.leave_days,
                gross=_money(item.gross),
                share=_money(item.employee_share),
                net=_money(item.net),
                gap=_money(item.gap),
                problem=item.problem,
            )
        )
    if cost.long_leave_rule == LongLeaveRule.PREPAY_SHARE and cost.prepay_amount:
        lines.append(
            gettext(STATEMENT_PREPAY).format(months=months_limit, amount=_money(cost.prepay_amount))
        )
    elif cost.long_leave_rule == LongLeaveRule.REDUCED_PAY and cost.reduced_pay_ratio is not None:
        percent = _percent(cost.reduced_pay_ratio)
        lines.append(gettext(STATEMENT_REDUCED).format(months=months_limit, percent=percent))
    if cost.total_gap and cost.long_leave_rule != LongLeaveRule.PREPAY_SHARE:
        total, recovery = _money(cost.total_gap), _percent(recovery_ratio)
        lines.append(gettext(STATEMENT_DEBT).format(total=total, recovery=recovery))
    elif not cost.total_gap:
        lines.append(gettext(STATEMENT_NO_GAP))
    lines.append(gettext(STATEMENT_ESTIMATE))
    return "\n".join(lines)


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def leave_cost_estimate(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
) -> LeaveCost:
    """The leave's cost month by month, and the statement shown to the employee.

    Runs the request's checks first (permission, dates, leave type, overlap), so a preview of a
    request that would be refused raises the same error. Writes nothing.
    """
    days = leave_record_validate(
        actor=actor,
        employee=employee,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
    )
    rule = long_leave_rule_for(leave_type=leave_type, start_date=start_date, end_date=end_date)
    leave_settings = leave_settings_for(employee.company)
    pay_rule, ratio = str(leave_type.pay_rule), leave_type.pay_ratio
    reduced_ratio = None
    if rule == LongLeaveRule.REDUCED_PAY:
        pay_rule, ratio = PayRule.REDUCED, leave_settings.reduced_pay_ratio
        reduced_ratio = leave_settings.reduced_pay_ratio
    # One run context per month: it serves the projection and the company's recovery limit.
    contexts = [
        (run_context(company=employee.company, month=month), month_days)
        for month, month_days in working_days_by_month(start_date, end_date).items()
        if month_days
    ]
    months = tuple(
        _project_month(employee, context, month_days, pay_rule, ratio)
        for context, month_days in contexts
    )
    total_gap = round_cent(sum((item.gap or ZERO for item in months), ZERO))
    cost = LeaveCost(
        employee_id=employee.pk,
        leave_type=leave_type.name,
        start_date=start_date,
        end_date=end_date,
        days=days,
        long_leave_rule=rule,
        reduced_pay_ratio=reduced_ratio,
        months=months,
        total_gap=total_gap,
        prepay_amount=total_gap if rule == LongLeaveRule.PREPAY_SHARE else ZERO,
        statement="",
    )
    recovery_ratio = contexts[0][0].settings.recovery_max_ratio
    statement = _statement(cost, leave_settings.long_leave_months, recovery_ratio)
    return replace(cost, statement=statement)


def leave_request_submit(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str = "",
    shown_digest: str,
    is_confirmed: bool,
) -> LeaveRecord:
    """Request leave after the employee has read its cost.

    ``shown_digest`` is the digest of the statement the employee was shown; the statement is
    worked out again here and must be the same, so what is stored is what was read. The leave
    keeps the statement, the figures, who confirmed and when.
    """
    if not is_confirmed:
        raise NotConfirmedError(field="is_confirmed")
    with transaction.atomic():
        cost = leave_cost_estimate(
            actor=actor,
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
        )
        if cost.digest != shown_digest:
            raise StatementChangedError(field="is_confirmed")
        return leave_record_create(
            actor=actor,
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            reason=reason,
            cost=CostConfirmation(
                statement=cost.statement,
                digest=cost.digest,
                figures=cost.figures(),
                long_leave_rule=cost.long_leave_rule,
                prepay_amount=cost.prepay_amount,
                confirmed_at=clock_now(),
            ),
        )


def leave_prepayment_record(
    *,
    actor: Actor,
    leave: LeaveRecord,
    amount: object,
    paid_on: datetime.date,
    reference: str = "",
) -> ArrearsEntry:
    """Record money the employee prepaid for a long leave's share (finance).

    It goes on the arrears ledger as a credit, which the advances of the leave's months then
    use up; the leave may be approved once what was received reaches what is required.
    """
    employee = leave.employee
    require(actor, Perm.ARREARS_RECORD, company=employee.company, employee=employee)
    value = parse_money(amount, field="amount")
    if value <= 0:
        raise AmountNotPositiveError(field="amount")
    with transaction.atomic():
        locked = LeaveRecord.objects.select_for_update().get(pk=leave.pk)
        if not locked.prepay_amount:
            raise NoPrepaymentDueError(field="leave")
        if locked.status != LeaveStatus.REQUESTED:
            raise PrepaymentNotRequestedError(field="leave")
        entry = ArrearsEntry.objects.create(
            company_id=employee.company_id,
            employee=employee,
            month=f"{paid_on.year:04d}-{paid_on.month:02d}",
            kind=ArrearsKind.PREPAYMENT,
            amount=-value,
            reference=(reference or f"leave {locked.pk}")[:100],
            note=gettext("prepaid for the leave from {start} to {end}").format(
                start=locked.start_date.isoformat(), end=locked.end_date.isoformat()
            )[:500],
            actor=recorded_user(actor),
        )
        locked.prepaid_amount = round_cent(locked.prepaid_amount + value)
        locked.save(update_fields=["prepaid_amount"])
        leave.prepaid_amount = locked.prepaid_amount
        ledger_append(
            entry,
            actor=actor,
            balance_after=arrears_balances([employee.pk]).get(employee.pk, ZERO),
            extra={
                "leave": locked.pk,
                "prepaid_for_leave": locked.prepaid_amount,
                "required_for_leave": locked.prepay_amount,
            },
        )
    return entry
