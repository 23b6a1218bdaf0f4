"""Writes to time and leave: default leave types, the leave workflow and monthly attendance.

A leave is requested, then approved, rejected or cancelled. Approval freezes what payroll
reads: one ``LeaveMonth`` row per month with that month's working days of the leave and the
leave type's pay rule and ratio as they were on the day of approval. Cancelling an approved
leave removes those rows. Each step is written to the evidence log in the transaction of the
step (``attendance.evidence``). Errors carry an English template marked for translation (see
``renshi.core.errors``); permission failures raise Django's ``PermissionDenied``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from renshi.access.checks import Perm, recorded_user, require
from renshi.attendance.calendar import month_last_day, working_days, working_days_by_month
from renshi.attendance.evidence import (
    approved_record,
    cancelled_record,
    rejected_record,
    requested_record,
)
from renshi.attendance.models import (
    AttendanceMonth,
    LeaveMonth,
    LeaveRecord,
    LeaveSettings,
    LeaveStatus,
    LeaveType,
    LongLeaveRule,
    PayRule,
)
from renshi.core.errors import CoreError
from renshi.core.months import Month
from renshi.evidence.services import evidence_append_many
from renshi.people.models import Company, Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor

ZERO = Decimal(0)
_SOURCE_MAX_LENGTH = 40  # AttendanceMonth.source
_REASON_MAX_LENGTH = 500  # LeaveRecord.reason


class AttendanceError(CoreError):
    """A leave or attendance change that breaks a rule; nothing was written."""


class LeaveDatesReversedError(AttendanceError):
    template = gettext_noop("{field}: the last day {end} is before the first day {start}")


class LeaveNoWorkingDayError(AttendanceError):
    template = gettext_noop("{field}: there is no working day from {start} to {end}")


class LeaveOverlapError(AttendanceError):
    template = gettext_noop(
        "{field}: the leave overlaps another leave of the same employee, {start} to {end}"
    )


class LeaveTypeOtherCompanyError(AttendanceError):
    template = gettext_noop("{field}: the leave type {leave_type} belongs to another company")


class LeaveTypeInactiveError(AttendanceError):
    template = gettext_noop("{field}: the leave type {leave_type} is no longer in use")


class LeaveReasonTooLongError(AttendanceError):
    template = gettext_noop("{field}: at most {limit} characters")


class LeaveNotRequestedError(AttendanceError):
    template = gettext_noop(
        "{field}: only a requested leave can be approved or rejected; this one is {status}"
    )


class LeaveNotCancellableError(AttendanceError):
    template = gettext_noop("{field}: a leave that is {status} cannot be cancelled")


class LeavePrepaymentMissingError(AttendanceError):
    template = gettext_noop(
        "{field}: this long leave needs the employee to prepay {required} of social insurance "
        "share before it is approved; {received} has been received"
    )


class AttendanceNegativeError(AttendanceError):
    template = gettext_noop("{field}: {value} is below zero")


class AttendanceHalfDayError(AttendanceError):
    template = gettext_noop("{field}: {value} is not a whole or half day")


class AttendanceDecimalError(AttendanceError):
    template = gettext_noop("{field}: {value} is not a number with at most one decimal place")


class AttendanceDaysOverScheduledError(AttendanceError):
    template = gettext_noop(
        "{field}: {worked} days worked and {absent} days absent exceed the {scheduled} "
        "scheduled working days"
    )


class AttendanceScheduledOverMonthError(AttendanceError):
    template = gettext_noop(
        "{field}: {value} scheduled days are more than the {days} days of {month}"
    )


class AttendanceSourceTooLongError(AttendanceError):
    template = gettext_noop("{field}: at most {limit} characters")


# 病假 pays 0.6 of the daily wage: the company's rule, a common default. The statutory floor
# (sick pay not below 80% of the local minimum wage) is applied by payroll, which knows the
# wage and the city; a company may change the ratio on its leave type.
_DEFAULT_LEAVE_TYPES = (
    ("annual", gettext_noop("annual leave"), PayRule.PAID, Decimal(1)),  # 年假
    ("personal", gettext_noop("personal leave"), PayRule.UNPAID, ZERO),  # 事假
    ("sick", gettext_noop("sick leave"), PayRule.SICK, Decimal("0.6")),  # 病假
    ("marriage", gettext_noop("marriage leave"), PayRule.PAID, Decimal(1)),  # 婚假
    ("maternity", gettext_noop("maternity leave"), PayRule.PAID, Decimal(1)),  # 产假
    ("bereavement", gettext_noop("bereavement leave"), PayRule.PAID, Decimal(1)),  # 丧假
    ("work_injury", gettext_noop("work injury leave"), PayRule.PAID, Decimal(1)),  # 工伤假
)


def leave_types_install_defaults(*, company: Company) -> list[LeaveType]:
    """Give ``company`` the usual leave types; those it already has (by code) stay as they are.

    The names are written in the active language (Chinese by default), as company data the
    company may rename. Returns the types created.
    """
    created: list[LeaveType] = []
    with transaction.atomic():
        for code, name, pay_rule, pay_ratio in _DEFAULT_LEAVE_TYPES:
            leave_type, is_new = LeaveType.objects.get_or_create(
                company=company,
                code=code,
                defaults={"name": gettext(name), "pay_rule": pay_rule, "pay_ratio": pay_ratio},
            )
            if is_new:
                created.append(leave_type)
    return created


def leave_settings_for(company: Company) -> LeaveSettings:
    """The company's leave settings; the defaults (long leave unpaid as any) until set."""
    found = LeaveSettings.objects.filter(company=company).first()
    return found if found is not None else LeaveSettings(company=company)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = Month(day.year, day.month).add(months)
    last_day = month_last_day(month).day
    return day.replace(year=month.year, month=month.month, day=min(day.day, last_day))


def long_leave_rule_for(
    *, leave_type: LeaveType, start_date: datetime.date, end_date: datetime.date
) -> str:
    """The company's long-leave rule when this leave is unpaid and longer than its limit
    (a leave from 6 June is longer than one month when it runs to 6 July or later); else ""."""
    if leave_type.pay_rule != PayRule.UNPAID:
        return ""
    leave_settings = leave_settings_for(leave_type.company)
    if leave_settings.long_leave_rule == LongLeaveRule.NONE:
        return ""
    if end_date < _add_months(start_date, leave_settings.long_leave_months):
        return ""
    return str(leave_settings.long_leave_rule)


def _is_self(actor: Actor, employee: Employee) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and employee.user_id is not None
        and employee.user_id == actor.pk
    )


def _require_may_request(actor: Actor, employee: Employee) -> None:
    """The employee themself (a self permission), or whoever may decide on their leave."""
    perm = Perm.LEAVE_VIEW if _is_self(actor, employee) else Perm.LEAVE_DECIDE
    require(actor, perm, company=employee.company, employee=employee)


def _require_may_decide(actor: Actor, employee: Employee) -> None:
    """Deciding needs ``LEAVE_DECIDE``, and nobody but the system decides on their own leave."""
    require(actor, Perm.LEAVE_DECIDE, company=employee.company, employee=employee)
    is_superuser = actor is not None and bool(getattr(actor, "is_superuser", False))
    if _is_self(actor, employee) and not is_superuser:
        raise PermissionDenied(gettext("You may not decide on your own leave."))


def leave_record_validate(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
) -> int:
    """The checks of ``leave_record_create``, without writing; returns the working days.

    Raises ``PermissionDenied`` or an ``AttendanceError``.
    """
    _require_may_request(actor, employee)
    if end_date < start_date:
        raise LeaveDatesReversedError(field="end_date", start=start_date, end=end_date)
    if leave_type.company_id != employee.company_id:
        raise LeaveTypeOtherCompanyError(field="leave_type", leave_type=leave_type.name)
    if not leave_type.is_active:
        raise LeaveTypeInactiveError(field="leave_type", leave_type=leave_type.name)
    days = working_days(start_date, end_date)
    if days == 0:
        raise LeaveNoWorkingDayError(field="start_date", start=start_date, end=end_date)
    other = (
        LeaveRecord.objects.filter(
            employee=employee,
            status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED],
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .order_by("start_date")
        .first()
    )
    if other is not None:
        raise LeaveOverlapError(field="start_date", start=other.start_date, end=other.end_date)
    return days


@dataclass(frozen=True, slots=True)
class CostConfirmation:
    """What the employee read and confirmed before requesting (``payroll.leave_cost``): kept
    with the leave and written into its ``leave.requested`` entry."""

    statement: str
    digest: str  # the statement's SHA-256, as the form carried it
    figures: dict[str, Any] = field(default_factory=dict)
    long_leave_rule: str = ""
    prepay_amount: Decimal = ZERO
    confirmed_at: datetime.datetime | None = None


def leave_record_create(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str = "",
    cost: CostConfirmation | None = None,
) -> LeaveRecord:
    """Request leave for ``employee``: by the employee, their manager or HR.

    The working days are counted with the official calendar. Refuses dates in the wrong order,
    a stretch with no working day, a leave type of another company or out of use, and an
    overlap with a requested or approved leave of the same employee. ``cost`` is the cost
    statement the employee confirmed, when they were shown one.
    """
    if len(reason) > _REASON_MAX_LENGTH:
        raise LeaveReasonTooLongError(field="reason", limit=_REASON_MAX_LENGTH)
    with transaction.atomic():
        # One request at a time per employee, so two overlapping requests cannot both pass.
        list(Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk"))
        days = leave_record_validate(
            actor=actor,
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
        )
        leave = LeaveRecord(
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            days=Decimal(days),
            reason=reason,
        )
        if cost is not None:
            leave.long_leave_rule = cost.long_leave_rule
            leave.cost_statement = cost.statement
            leave.cost_figures = cost.figures
            leave.cost_confirmed_at = cost.confirmed_at
            leave.cost_confirmed_by = recorded_user(actor)
            leave.prepay_amount = cost.prepay_amount
        leave.save()
        record = requested_record(leave, actor=actor, cost=_cost_facts(cost))
        evidence_append_many(records=[record])
    return leave


def _cost_facts(cost: CostConfirmation | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "statement": cost.statement,
        "statement_sha256": cost.digest,
        "figures": cost.figures,
        "long_leave_rule": cost.long_leave_rule,
        "prepay_amount": cost.prepay_amount,
        "confirmed_at": cost.confirmed_at,
    }


def _lock(leave: LeaveRecord) -> None:
    """Lock the leave's row (only that row) and reload it, so a decision sees the latest
    status; the employee and the leave type come along for the checks."""
    leave.refresh_from_db(
        from_queryset=LeaveRecord.objects.select_for_update(of=("self",)).select_related(
            "employee__company", "leave_type"
        )
    )


def _decided(leave: LeaveRecord, actor: Actor, status: LeaveStatus) -> None:
    leave.status = status
    leave.decided_by = recorded_user(actor)
    leave.decided_at = timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at", "days"])


def _status_label(leave: LeaveRecord) -> str:
    return str(LeaveStatus(leave.status).label)


def leave_record_approve(*, actor: Actor, leave: LeaveRecord) -> LeaveRecord:
    """Approve a requested leave and write its days per month for payroll.

    The days are counted again with the calendar as it is now (a new year's schedule may have
    been published since the request); months of the leave with no working day get no row.
    """
    with transaction.atomic():
        _lock(leave)
        _require_may_decide(actor, leave.employee)
        if leave.status != LeaveStatus.REQUESTED:
            raise LeaveNotRequestedError(field="status", status=_status_label(leave))
        if leave.prepaid_amount < leave.prepay_amount:
            raise LeavePrepaymentMissingError(
                field="prepaid_amount", required=leave.prepay_amount, received=leave.prepaid_amount
            )
        leave_type = leave.leave_type
        pay_rule, pay_ratio = leave_type.pay_rule, leave_type.pay_ratio
        if leave.long_leave_rule == LongLeaveRule.REDUCED_PAY:
            # The rule as it was shown to the employee; the ratio as it is on approval.
            pay_rule = PayRule.REDUCED
            pay_ratio = leave_settings_for(leave.employee.company).reduced_pay_ratio
        by_month = working_days_by_month(leave.start_date, leave.end_date)
        months = LeaveMonth.objects.bulk_create(
            [
                LeaveMonth(
                    leave=leave,
                    employee_id=leave.employee_id,
                    month=str(month),
                    pay_rule=pay_rule,
                    pay_ratio=pay_ratio,
                    days=Decimal(days),
                )
                for month, days in by_month.items()
                if days
            ]
        )
        leave.days = Decimal(sum(by_month.values()))
        _decided(leave, actor, LeaveStatus.APPROVED)
        evidence_append_many(records=[approved_record(leave, months=months, actor=actor)])
    return leave


def leave_record_reject(*, actor: Actor, leave: LeaveRecord) -> LeaveRecord:
    """Reject a requested leave."""
    with transaction.atomic():
        _lock(leave)
        _require_may_decide(actor, leave.employee)
        if leave.status != LeaveStatus.REQUESTED:
            raise LeaveNotRequestedError(field="status", status=_status_label(leave))
        _decided(leave, actor, LeaveStatus.REJECTED)
        evidence_append_many(records=[rejected_record(leave, actor=actor)])
    return leave


def leave_record_cancel(*, actor: Actor, leave: LeaveRecord) -> LeaveRecord:
    """Cancel a requested or approved leave; an approved one loses its days per month.

    The employee may withdraw their own request; cancelling an approved leave, or someone
    else's, is a decision (``LEAVE_DECIDE``, never on one's own leave). The approver stays
    recorded in ``decided_by``.
    """
    with transaction.atomic():
        _lock(leave)
        _require_may_request(actor, leave.employee)
        if leave.status == LeaveStatus.APPROVED:
            _require_may_decide(actor, leave.employee)
        elif leave.status != LeaveStatus.REQUESTED:
            raise LeaveNotCancellableError(field="status", status=_status_label(leave))
        removed = list(LeaveMonth.objects.filter(leave=leave).order_by("month"))
        LeaveMonth.objects.filter(leave=leave).delete()
        from_status = leave.status
        leave.status = LeaveStatus.CANCELLED
        leave.save(update_fields=["status"])
        record = cancelled_record(leave, from_status=from_status, months=removed, actor=actor)
        evidence_append_many(records=[record])
    return leave


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    """Checked monthly attendance figures, ready to save."""

    month: Month
    scheduled_days: Decimal
    days_worked: Decimal
    absence_days: Decimal
    overtime_hours: Decimal
    source: str


def _number(value: Decimal | int | str, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise AttendanceDecimalError(field=field, value=value) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.1")):
        raise AttendanceDecimalError(field=field, value=value)
    if number < 0:
        raise AttendanceNegativeError(field=field, value=value)
    return number


def _days(value: Decimal | int | str, field: str) -> Decimal:
    number = _number(value, field)
    if (number * 2) % 1:
        raise AttendanceHalfDayError(field=field, value=value)
    return number


def attendance_month_validate(
    *,
    month: Month | str,
    scheduled_days: Decimal | int | str,
    days_worked: Decimal | int | str,
    absence_days: Decimal | int | str = 0,
    overtime_hours: Decimal | int | str = 0,
    source: str = "manual",
) -> AttendanceFigures:
    """The checks of ``attendance_month_set``, without writing: days in whole or half days,
    none below zero, days worked plus absence within the scheduled days, the scheduled days
    within the month, overtime to one decimal place. Raises an ``AttendanceError``."""
    the_month = month if isinstance(month, Month) else Month.parse(month)
    figures = AttendanceFigures(
        month=the_month,
        scheduled_days=_days(scheduled_days, "scheduled_days"),
        days_worked=_days(days_worked, "days_worked"),
        absence_days=_days(absence_days, "absence_days"),
        overtime_hours=_number(overtime_hours, "overtime_hours"),
        source=source,
    )
    days_in_month = month_last_day(the_month).day
    if figures.scheduled_days > days_in_month:
        raise AttendanceScheduledOverMonthError(
            field="scheduled_days",
            value=figures.scheduled_days,
            days=days_in_month,
            month=str(the_month),
        )
    if figures.days_worked + figures.absence_days > figures.scheduled_days:
        raise AttendanceDaysOverScheduledError(
            field="days_worked",
            worked=figures.days_worked,
            absent=figures.absence_days,
            scheduled=figures.scheduled_days,
        )
    if len(source) > _SOURCE_MAX_LENGTH:
        raise AttendanceSourceTooLongError(field="source", limit=_SOURCE_MAX_LENGTH)
    return figures


def attendance_month_set(
    *,
    actor: Actor,
    employee: Employee,
    month: Month | str,
    scheduled_days: Decimal | int | str,
    days_worked: Decimal | int | str,
    absence_days: Decimal | int | str = 0,
    overtime_hours: Decimal | int | str = 0,
    source: str = "manual",
) -> AttendanceMonth:
    """Record (or replace) ``employee``'s attendance summary for ``month``."""
    require(actor, Perm.ATTENDANCE_EDIT, company=employee.company, employee=employee)
    figures = attendance_month_validate(
        month=month,
        scheduled_days=scheduled_days,
        days_worked=days_worked,
        absence_days=absence_days,
        overtime_hours=overtime_hours,
        source=source,
    )
    with transaction.atomic():
        row, _ = AttendanceMonth.objects.update_or_create(
            employee=employee,
            month=str(figures.month),
            defaults={
                "scheduled_days": figures.scheduled_days,
                "days_worked": figures.days_worked,
                "absence_days": figures.absence_days,
                "overtime_hours": figures.overtime_hours,
                "source": figures.source,
            },
        )
    return row
