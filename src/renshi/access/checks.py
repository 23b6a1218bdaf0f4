"""Object-level permission checks, used by services and selectors (not only by views).

``actor=None`` is the system itself (the CLI run by an operator, scheduled work); an active
Django superuser may do everything, and a deactivated account nothing. Everyone else gets what
their roles in the company grant, and an employee linked to a user account may see their own
records. A manager's roles reach only the employees of the department they manage and its
sub-departments.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from renshi.access.models import Role, RoleAssignment
from renshi.people.models import Company, Department, Employee

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None


class Perm(enum.StrEnum):
    PEOPLE_VIEW = "people.view"
    PEOPLE_EDIT = "people.edit"
    ID_NUMBER_VIEW = "people.id_number"  # the full resident ID, unmasked
    BANK_ACCOUNT_VIEW = "people.bank_account"  # the full bank account, unmasked
    ENROLMENT_EDIT = "enrolment.edit"
    LEAVE_VIEW = "leave.view"
    LEAVE_DECIDE = "leave.decide"
    ATTENDANCE_EDIT = "attendance.edit"  # monthly attendance figures (payroll input)
    PAYROLL_VIEW = "payroll.view"
    PAYROLL_CALCULATE = "payroll.calculate"
    PAYROLL_APPROVE = "payroll.approve"
    PAYROLL_PAY = "payroll.pay"
    PAYROLL_REOPEN = "payroll.reopen"
    ARREARS_VIEW = "arrears.view"
    ARREARS_RECORD = "arrears.record"
    SETTINGS_EDIT = "settings.edit"


_P = Perm
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.HR: frozenset(
        {
            _P.PEOPLE_VIEW,
            _P.PEOPLE_EDIT,
            _P.ID_NUMBER_VIEW,
            _P.ENROLMENT_EDIT,
            _P.LEAVE_VIEW,
            _P.LEAVE_DECIDE,
            _P.ATTENDANCE_EDIT,
            _P.PAYROLL_VIEW,
            _P.PAYROLL_CALCULATE,
            _P.PAYROLL_REOPEN,
            _P.ARREARS_VIEW,
            _P.SETTINGS_EDIT,
        }
    ),
    Role.FINANCE: frozenset(
        {
            _P.PEOPLE_VIEW,
            _P.BANK_ACCOUNT_VIEW,
            _P.PAYROLL_VIEW,
            _P.PAYROLL_APPROVE,
            _P.PAYROLL_PAY,
            _P.PAYROLL_REOPEN,
            _P.ARREARS_VIEW,
            _P.ARREARS_RECORD,
        }
    ),
    Role.SI_CLERK: frozenset(
        {_P.PEOPLE_VIEW, _P.ID_NUMBER_VIEW, _P.ENROLMENT_EDIT, _P.LEAVE_VIEW, _P.ARREARS_VIEW}
    ),
    Role.MANAGER: frozenset({_P.PEOPLE_VIEW, _P.LEAVE_VIEW, _P.LEAVE_DECIDE}),
    Role.AUDITOR: frozenset({_P.PEOPLE_VIEW, _P.LEAVE_VIEW, _P.PAYROLL_VIEW, _P.ARREARS_VIEW}),
}
# What an employee may see of their own records.
SELF_PERMISSIONS = frozenset({_P.PEOPLE_VIEW, _P.LEAVE_VIEW, _P.PAYROLL_VIEW, _P.ARREARS_VIEW})


def _is_live(actor: Actor) -> bool:
    """A signed-in, active account: a deactivated user keeps no role and no self access."""
    return actor is not None and actor.is_authenticated and bool(getattr(actor, "is_active", True))


def _is_system(actor: Actor) -> bool:
    return actor is None or (_is_live(actor) and bool(getattr(actor, "is_superuser", False)))


def _assignments(actor: Actor, company: Company) -> list[RoleAssignment]:
    if not _is_live(actor):
        return []
    assert actor is not None
    return list(RoleAssignment.objects.filter(user_id=actor.pk, company=company))


def recorded_user(actor: Actor) -> Any:
    """The user to record as having done something: None for the system or an anonymous
    visitor (a foreign key cannot point at either)."""
    return actor if actor is not None and actor.is_authenticated else None


def department_subtree(department_ids: Iterable[int]) -> set[int]:
    """The given departments and every department below them."""
    found = set(department_ids)
    frontier = set(found)
    while frontier:
        children = set(
            Department.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - found
        found |= frontier
    return found


def _role_grants(assignment: RoleAssignment, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(assignment.role, frozenset())


def has_perm(
    actor: Actor, perm: Perm, *, company: Company, employee: Employee | None = None
) -> bool:
    """Whether ``actor`` may do ``perm`` in ``company`` (for ``employee``, when given)."""
    if _is_system(actor):
        return True
    assert actor is not None
    if employee is not None and employee.company_id != company.pk:
        return False
    managed: list[int] = []
    for assignment in _assignments(actor, company):
        if not _role_grants(assignment, perm):
            continue
        if assignment.role != Role.MANAGER:
            return True
        assert assignment.department_id is not None
        managed.append(assignment.department_id)
    if employee is None:
        return False
    if managed and employee.department_id in department_subtree(managed):
        return True
    return (
        perm in SELF_PERMISSIONS
        and _is_live(actor)
        and employee.user_id is not None
        and employee.user_id == actor.pk
    )


def require(
    actor: Actor, perm: Perm, *, company: Company, employee: Employee | None = None
) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``perm``."""
    if not has_perm(actor, perm, company=company, employee=employee):
        raise PermissionDenied(
            _("You may not do this: {permission}.").format(permission=perm.value)
        )


def employees_visible(
    actor: Actor, company: Company, perm: Perm = Perm.PEOPLE_VIEW
) -> QuerySet[Employee]:
    """The company's employees on whom ``actor`` may do ``perm``: all of them for company-wide
    roles, a manager's departments, or only the actor's own record."""
    employees = Employee.objects.filter(company=company)
    if _is_system(actor):
        return employees
    assert actor is not None
    managed: list[int] = []
    for assignment in _assignments(actor, company):
        if not _role_grants(assignment, perm):
            continue
        if assignment.role != Role.MANAGER:
            return employees
        assert assignment.department_id is not None
        managed.append(assignment.department_id)
    condition = Q(pk__in=[])
    if managed:
        condition |= Q(department_id__in=department_subtree(managed))
    if perm in SELF_PERMISSIONS and _is_live(actor):
        condition |= Q(user_id=actor.pk)
    return employees.filter(condition)


def companies_visible(actor: Actor) -> QuerySet[Company]:
    """Companies where ``actor`` has any role or is an employee."""
    if _is_system(actor):
        return Company.objects.all()
    if not _is_live(actor):
        return Company.objects.none()
    assert actor is not None
    return Company.objects.filter(
        Q(roles__user_id=actor.pk) | Q(employees__user_id=actor.pk)
    ).distinct()
