"""The portal overview's figures about pay, contributions, what is owed and notices.

Cheaper than the pages it sums up (a handful of queries, no payslip lines, no ledger walk): a
month counts as contributed when its payslip has a share of contributions, which is exactly
when the payslip has contribution lines; the months are classified by the same rules as the
insurance page (``renshi.portal.insurance``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from renshi.core.money import round_cent
from renshi.payroll.services import arrears_balance
from renshi.people.models import Employee
from renshi.portal.insurance import (
    Status,
    current_month,
    enrolled_months,
    enrolment_ranges,
    gap_status,
    months_back,
    visible_run_months,
    window,
)
from renshi.portal.records_selectors import own_notices, own_payslips

if TYPE_CHECKING:
    from renshi.access.checks import Actor


@dataclass(frozen=True, slots=True)
class RecordsSummary:
    latest_payslip_id: int | None
    latest_payslip_month: str | None
    latest_payslip_net: Decimal | None
    owed: Decimal  # the arrears balance now; negative when the employee paid in advance
    notices_awaiting: int  # notices not acknowledged yet
    newest_awaiting_notice_id: int | None
    months_contributed: int
    months_broken_off: int
    latest_contribution_month: str | None


def records_summary(
    *, actor: Actor, employee: Employee, now: datetime.datetime | None = None
) -> RecordsSummary:
    payslips = list(
        own_payslips(actor=actor, employee=employee).values(
            "id", "month", "net", "employee_share", "employer_share"
        )
    )
    latest = payslips[0] if payslips else None
    awaiting = list(
        own_notices(employee=employee)
        .filter(acknowledged_at__isnull=True)
        .values_list("id", flat=True)
    )
    run_months = visible_run_months(employee)
    span = window(employee, run_months, current_month(now))
    contributed: list[str] = []
    broken_off = 0
    if span is not None:
        first, last = span
        by_month = {p["month"]: p for p in payslips}
        enrolled = enrolled_months(enrolment_ranges(employee), first, last)
        for month in months_back(first, last):
            payslip = by_month.get(month)
            if payslip is not None and (payslip["employee_share"] or payslip["employer_share"]):
                contributed.append(month)
                continue
            status, _reason = gap_status(
                month, has_payslip=payslip is not None, run_months=run_months, enrolled=enrolled
            )
            broken_off += status == Status.BROKEN_OFF
    return RecordsSummary(
        latest_payslip_id=latest["id"] if latest else None,
        latest_payslip_month=latest["month"] if latest else None,
        latest_payslip_net=latest["net"] if latest else None,
        owed=round_cent(arrears_balance(employee)),
        notices_awaiting=len(awaiting),
        newest_awaiting_notice_id=awaiting[0] if awaiting else None,
        months_contributed=len(contributed),
        months_broken_off=broken_off,
        latest_contribution_month=contributed[0] if contributed else None,
    )
