"""Reads of the visitor's own pay records for the portal.

The portal shows an account only the records of its own employee, whatever else the account's
roles let it see elsewhere: an HR user who is also an employee reads here their own payslips,
and only those of runs the employee may see (approved or paid), as any other employee would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from renshi.notices.models import Notice
from renshi.payroll.models import Payslip
from renshi.payroll.selectors import EMPLOYEE_VISIBLE_STATES, payslips_visible
from renshi.people.models import Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor


def own_payslips(*, actor: Actor, employee: Employee) -> QuerySet[Payslip]:
    """The employee's current payslips of approved or paid runs, newest first."""
    return (
        payslips_visible(actor=actor, company=employee.company)
        .filter(employee=employee, run__state__in=EMPLOYEE_VISIBLE_STATES)
        .order_by("-month")
    )


def own_payslip(*, actor: Actor, employee: Employee, payslip_id: int) -> Payslip | None:
    """One of ``own_payslips``, or ``None``: someone else's payslip, a draft and an id that
    does not exist all answer the same."""
    return own_payslips(actor=actor, employee=employee).filter(pk=payslip_id).first()


def own_notices(*, employee: Employee) -> QuerySet[Notice]:
    """Every notice to the employee, newest first, with its acknowledgement when there is one."""
    return (
        Notice.objects.filter(employee=employee)
        .select_related("acknowledgement")
        .order_by("-created_at", "-id")
    )


def own_notice(*, employee: Employee, notice_id: int) -> Notice | None:
    return own_notices(employee=employee).filter(pk=notice_id).first()
