"""Reads of a company's people, filtered by what the actor may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from renshi.access.checks import Perm, employees_visible, has_perm, require
from renshi.core.months import Month
from renshi.people import crypto
from renshi.people.identity import mask_bank_account, mask_id_number
from renshi.people.models import (
    Company,
    Department,
    Employee,
    EmployeeStatus,
    Enrolment,
    EnrolmentState,
)

if TYPE_CHECKING:
    from renshi.access.checks import Actor

OPEN_STATES = (EnrolmentState.PENDING_ADD, EnrolmentState.ACTIVE, EnrolmentState.PENDING_REMOVE)


def employee_list(
    *,
    actor: Actor,
    company: Company,
    status: str | None = None,
    department: Department | None = None,
    search: str = "",
) -> QuerySet[Employee]:
    """The employees ``actor`` may see, optionally by status, department (with its
    sub-departments' people only when the actor's role reaches them) and a search on number or
    name. A search that is a whole resident ID finds its holder by the lookup hash, for those
    allowed to see IDs."""
    employees = employees_visible(actor, company).select_related("department", "position")
    if status:
        employees = employees.filter(status=status)
    if department is not None:
        employees = employees.filter(department=department)
    text = search.strip()
    if text:
        condition = Q(number__icontains=text) | Q(name__icontains=text)
        if len(text) == 18 and has_perm(actor, Perm.ID_NUMBER_VIEW, company=company):
            condition |= Q(id_number_hash=crypto.lookup_hash(text.upper()))
        employees = employees.filter(condition)
    return employees.order_by("number")


def employee_sensitive(*, actor: Actor, employee: Employee) -> dict[str, Any]:
    """The resident ID and bank account: in full for those allowed, masked for everyone else.

    ``*_is_masked`` says which; the bank account is "" when none is on file.
    """
    company = employee.company
    require(actor, Perm.PEOPLE_VIEW, company=company, employee=employee)
    show_id = has_perm(actor, Perm.ID_NUMBER_VIEW, company=company, employee=employee)
    show_account = has_perm(actor, Perm.BANK_ACCOUNT_VIEW, company=company, employee=employee)
    return {
        "id_number": decrypted_id_number(employee)
        if show_id
        else mask_id_number(employee.id_number_last4),
        "id_number_is_masked": not show_id,
        "bank_account": decrypted_bank_account(employee)
        if show_account
        else mask_bank_account(employee.bank_account_last4),
        "bank_account_is_masked": not show_account,
    }


def decrypted_id_number(employee: Employee) -> str:
    """The clear resident ID. Callers have checked ``ID_NUMBER_VIEW`` (or are the system)."""
    return crypto.decrypt(employee.id_number_encrypted, purpose=crypto.ID_NUMBER_PURPOSE)


def decrypted_bank_account(employee: Employee) -> str:
    """The clear bank account ("" if none). Callers have checked ``BANK_ACCOUNT_VIEW``."""
    if not employee.bank_account_encrypted:
        return ""
    return crypto.decrypt(employee.bank_account_encrypted, purpose=crypto.BANK_ACCOUNT_PURPOSE)


def enrolment_for_month(employee_ids: Iterable[int], month: str | Month) -> dict[int, Enrolment]:
    """The enrolment covering ``month`` ("YYYY-MM") for each employee that has one, in one query.

    An enrolment covers the months from ``start_month`` to ``end_month`` (open-ended while
    blank), whatever its state: a pending 增员 is contributed from its first month even before
    the bureau confirms it, a pending 减员 until its last month, and an ended enrolment still
    covers the months it had, so recomputing a past month finds it. A 增员 cancelled before its
    first month ends before it starts and covers nothing. Should two cover the same month, the
    later start wins.
    """
    enrolments = (
        enrolments_covering(month)
        .filter(employee_id__in=list(employee_ids))
        .order_by("employee_id", "start_month", "id")
    )
    return {enrolment.employee_id: enrolment for enrolment in enrolments}


def enrolments_covering(month: str | Month) -> QuerySet[Enrolment]:
    """Every enrolment that covers ``month``, by the rule ``enrolment_for_month`` explains:
    from ``start_month`` to ``end_month`` (open-ended while blank), whatever the state."""
    key = str(Month.parse(month) if isinstance(month, str) else month)
    return Enrolment.objects.filter(start_month__lte=key).filter(
        Q(end_month="") | Q(end_month__gte=key)
    )


def enrolments_open(*, actor: Actor, company: Company) -> QuerySet[Enrolment]:
    """Enrolments waiting for the bureau (增员 or 减员) or active, for those who file them."""
    require(actor, Perm.ENROLMENT_EDIT, company=company)
    visible = employees_visible(actor, company, Perm.ENROLMENT_EDIT)
    return (
        Enrolment.objects.filter(employee__in=visible, state__in=OPEN_STATES)
        .select_related("employee")
        .order_by("employee__number", "start_month")
    )


def enrolment_current(employee: Employee) -> Enrolment | None:
    """The employee's latest enrolment not yet ended, if any."""
    return (
        Enrolment.objects.filter(employee=employee, state__in=OPEN_STATES)
        .order_by("-start_month", "-id")
        .first()
    )


def employee_has_left(employee: Employee, *, today: datetime.date) -> bool:
    """Whether the employee has left the company: marked as left, or past their last working
    day (a leaver stays "leaving" until the paperwork after that day is done)."""
    if employee.status == EmployeeStatus.LEFT:
        return True
    return employee.leave_date is not None and employee.leave_date < today
