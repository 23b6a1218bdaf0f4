"""Reads of payroll data, with the object-level checks of ``renshi.access``.

A payslip is visible to HR, finance and auditors of the company; to the employee only once
the run is approved (a draft is not the employee's pay yet); to nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet, Sum

from renshi.access.checks import Perm, employees_visible, has_perm, require
from renshi.core.errors import Message
from renshi.core.money import ZERO
from renshi.payroll.models import ArrearsEntry, PayrollRun, Payslip, PayslipLine, RunState
from renshi.people.models import Company, Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor

EMPLOYEE_VISIBLE_STATES = (RunState.APPROVED, RunState.PAID)


def message_from_json(template: str, params: dict[str, Any]) -> Message:
    """The inverse of ``save.params_json``: nested messages become messages again."""
    return Message(
        template,
        {
            key: message_from_json(value["template"], value["params"])
            if isinstance(value, dict) and "template" in value
            else value
            for key, value in params.items()
        },
    )


def line_explanation(line: PayslipLine) -> Message:
    return message_from_json(line.template, line.params)


def payroll_runs(*, actor: Actor, company: Company) -> QuerySet[PayrollRun]:
    require(actor, Perm.PAYROLL_VIEW, company=company)
    return PayrollRun.objects.filter(company=company).order_by("-month")


def payslips_visible(
    *, actor: Actor, company: Company, month: str | None = None
) -> QuerySet[Payslip]:
    """Current payslips (the runs' current calculations) the actor may see."""
    payslips = Payslip.objects.filter(
        run__company=company, calculation_id=F("run__calculation_id")
    ).select_related("employee", "run")
    if month is not None:
        payslips = payslips.filter(month=month)
    if has_perm(actor, Perm.PAYROLL_VIEW, company=company):
        return payslips
    own = employees_visible(actor, company, Perm.PAYROLL_VIEW)
    return payslips.filter(employee__in=own, run__state__in=EMPLOYEE_VISIBLE_STATES)


def payslip_get(*, actor: Actor, company: Company, payslip_id: int) -> Payslip:
    """One payslip, or ``PermissionDenied`` if the actor may not see it (or it is not current);
    the same answer either way, so an id cannot be probed."""
    payslip = payslips_visible(actor=actor, company=company).filter(pk=payslip_id).first()
    if payslip is None:
        raise PermissionDenied
    return payslip


def payslip_for(*, actor: Actor, employee: Employee, month: str) -> Payslip | None:
    return (
        payslips_visible(actor=actor, company=employee.company, month=month)
        .filter(employee=employee)
        .first()
    )


@dataclass(frozen=True, slots=True)
class LedgerRow:
    entry: ArrearsEntry
    balance: Decimal  # after this entry


def arrears_ledger(*, actor: Actor, employee: Employee) -> list[LedgerRow]:
    """Every movement of what the employee owes, oldest first, with the running balance."""
    require(actor, Perm.ARREARS_VIEW, company=employee.company, employee=employee)
    balance = ZERO
    rows = []
    for entry in ArrearsEntry.objects.filter(employee=employee).order_by("created_at", "id"):
        balance += entry.amount
        rows.append(LedgerRow(entry, balance))
    return rows


def arrears_balances_for_company(*, actor: Actor, company: Company) -> list[dict[str, Any]]:
    """Employees who owe something (or once did), with what they owe now."""
    visible = employees_visible(actor, company, Perm.ARREARS_VIEW)
    return list(
        ArrearsEntry.objects.filter(company=company, employee__in=visible)
        .values("employee_id", "employee__number", "employee__name", "employee__status")
        .annotate(balance=Sum("amount"))
        .order_by("-balance", "employee__number")
    )
