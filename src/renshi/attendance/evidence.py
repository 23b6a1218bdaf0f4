"""What the leave workflow writes to the evidence log, as records to append.

Kinds (other parts of Renshi and outside readers rely on these names), each about the
employee whose leave it is:

``leave.requested``
    the leave (type, pay rule, dates, working days in all and per month, reason) and who asked;
    when the employee requested it after reading its cost (``leave_request_submit``), the
    statement they were shown, its SHA-256 digest, the projected figures and when they
    confirmed it.
``leave.approved``
    the days per month frozen for payroll with their pay rule and ratio, the long-leave rule,
    what had to be prepaid and what was, and who approved.
``leave.rejected``, ``leave.cancelled``
    the leave, its status before, and who did it; a cancelled approved leave lists the
    months it no longer takes from payroll.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renshi.attendance.calendar import working_days_by_month
from renshi.attendance.models import LeaveMonth, LeaveRecord
from renshi.evidence.canonical import decimal_at_scale
from renshi.evidence.services import EvidenceRecord
from renshi.people.evidence import actor_username

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from renshi.access.checks import Actor

KIND_REQUESTED = "leave.requested"
KIND_APPROVED = "leave.approved"
KIND_REJECTED = "leave.rejected"
KIND_CANCELLED = "leave.cancelled"
_DAYS = Decimal("0.1")  # LeaveRecord.days, LeaveMonth.days
_RATIO = Decimal("0.0001")  # the pay ratios


def leave_facts(leave: LeaveRecord) -> dict[str, Any]:
    """What identifies a leave in every entry about it."""
    employee = leave.employee
    leave_type = leave.leave_type
    return {
        "leave": leave.pk,
        "number": employee.number,
        "name": employee.name,
        "leave_type": {
            "code": leave_type.code,
            "name": leave_type.name,
            "pay_rule": leave_type.pay_rule,
            "pay_ratio": decimal_at_scale(leave_type.pay_ratio, _RATIO),
        },
        "start_date": leave.start_date,
        "end_date": leave.end_date,
        "days": decimal_at_scale(leave.days, _DAYS),
        "status": leave.status,
    }


def _record(kind: str, leave: LeaveRecord, data: Mapping[str, Any]) -> EvidenceRecord:
    return EvidenceRecord(
        kind=kind,
        company_id=leave.employee.company_id,
        employee_id=leave.employee_id,
        data={**leave_facts(leave), **data},
    )


def _months(rows: Sequence[LeaveMonth]) -> list[dict[str, Any]]:
    return [
        {
            "month": row.month,
            "days": decimal_at_scale(row.days, _DAYS),
            "pay_rule": row.pay_rule,
            "pay_ratio": decimal_at_scale(row.pay_ratio, _RATIO),
        }
        for row in rows
    ]


def requested_record(
    leave: LeaveRecord, *, actor: Actor, cost: Mapping[str, Any] | None
) -> EvidenceRecord:
    """``cost``: the confirmed cost statement's facts, when the employee was shown one."""
    by_month = working_days_by_month(leave.start_date, leave.end_date)
    return _record(
        KIND_REQUESTED,
        leave,
        {
            "working_days_by_month": {str(month): days for month, days in by_month.items()},
            "reason": leave.reason,
            "cost": cost,
            "actor": actor_username(actor),
        },
    )


def approved_record(
    leave: LeaveRecord, *, months: Sequence[LeaveMonth], actor: Actor
) -> EvidenceRecord:
    return _record(
        KIND_APPROVED,
        leave,
        {
            "months": _months(months),
            "long_leave_rule": leave.long_leave_rule,
            "prepay_amount": leave.prepay_amount,
            "prepaid_amount": leave.prepaid_amount,
            "actor": actor_username(actor),
        },
    )


def rejected_record(leave: LeaveRecord, *, actor: Actor) -> EvidenceRecord:
    return _record(KIND_REJECTED, leave, {"actor": actor_username(actor)})


def cancelled_record(
    leave: LeaveRecord, *, from_status: str, months: Sequence[LeaveMonth], actor: Actor
) -> EvidenceRecord:
    """``months``: the payroll days the cancellation removed (an approved leave's)."""
    return _record(
        KIND_CANCELLED,
        leave,
        {
            "from_status": from_status,
            "months_removed": _months(months),
            "actor": actor_username(actor),
        },
    )
