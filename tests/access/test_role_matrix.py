"""What each role may do. The expectations are written out from the product's intent (C11,
C14), not read back from ``ROLE_PERMISSIONS``, so a changed grant shows up here."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from renshi.access.checks import Perm, has_perm, require
from renshi.access.models import Role

P = Perm
MATRIX = [
    # HR runs people, leave, attendance and the payroll calculation, but neither approves nor
    # pays a payroll, and never sees bank accounts in full.
    (Role.HR, P.PEOPLE_EDIT, True),
    (Role.HR, P.ID_NUMBER_VIEW, True),
    (Role.HR, P.LEAVE_DECIDE, True),
    (Role.HR, P.ATTENDANCE_EDIT, True),
    (Role.HR, P.PAYROLL_CALCULATE, True),
    (Role.HR, P.SETTINGS_EDIT, True),
    (Role.HR, P.PAYROLL_APPROVE, False),
    (Role.HR, P.PAYROLL_PAY, False),
    (Role.HR, P.BANK_ACCOUNT_VIEW, False),
    (Role.HR, P.ARREARS_RECORD, False),
    # Finance approves and pays, records repayments, and sees bank accounts.
    (Role.FINANCE, P.PAYROLL_APPROVE, True),
    (Role.FINANCE, P.PAYROLL_PAY, True),
    (Role.FINANCE, P.BANK_ACCOUNT_VIEW, True),
    (Role.FINANCE, P.ARREARS_RECORD, True),
    (Role.FINANCE, P.PEOPLE_VIEW, True),
    (Role.FINANCE, P.PEOPLE_EDIT, False),
    (Role.FINANCE, P.PAYROLL_CALCULATE, False),
    (Role.FINANCE, P.LEAVE_VIEW, False),
    (Role.FINANCE, P.ID_NUMBER_VIEW, False),
    (Role.FINANCE, P.SETTINGS_EDIT, False),
    # The social insurance clerk handles enrolment with the full ID, and no pay.
    (Role.SI_CLERK, P.ENROLMENT_EDIT, True),
    (Role.SI_CLERK, P.ID_NUMBER_VIEW, True),
    (Role.SI_CLERK, P.LEAVE_VIEW, True),
    (Role.SI_CLERK, P.PAYROLL_VIEW, False),
    (Role.SI_CLERK, P.LEAVE_DECIDE, False),
    (Role.SI_CLERK, P.PEOPLE_EDIT, False),
    # The auditor reads and changes nothing.
    (Role.AUDITOR, P.PEOPLE_VIEW, True),
    (Role.AUDITOR, P.LEAVE_VIEW, True),
    (Role.AUDITOR, P.PAYROLL_VIEW, True),
    (Role.AUDITOR, P.ARREARS_VIEW, True),
    (Role.AUDITOR, P.PEOPLE_EDIT, False),
    (Role.AUDITOR, P.LEAVE_DECIDE, False),
    (Role.AUDITOR, P.PAYROLL_APPROVE, False),
    (Role.AUDITOR, P.ID_NUMBER_VIEW, False),
    (Role.AUDITOR, P.ATTENDANCE_EDIT, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "perm", "allowed"), MATRIX)
def test_a_company_wide_role_grants_exactly_its_permissions(
    make_user, make_employee, grant, company, role, perm, allowed
):
    user = make_user()
    grant(user, company, role)
    employee = make_employee(company)

    assert has_perm(user, perm, company=company) is allowed
    assert has_perm(user, perm, company=company, employee=employee) is allowed


MANAGER = [
    (P.PEOPLE_VIEW, True),
    (P.LEAVE_VIEW, True),
    (P.LEAVE_DECIDE, True),
    (P.PEOPLE_EDIT, False),
    (P.ID_NUMBER_VIEW, False),
    (P.PAYROLL_VIEW, False),
    (P.ATTENDANCE_EDIT, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("perm", "allowed"), MANAGER)
def test_a_manager_has_a_few_permissions_on_their_own_staff_only(
    make_user, make_employee, make_department, grant, company, perm, allowed
):
    sales = make_department(company)
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=sales)
    staff = make_employee(company, department=sales)

    assert has_perm(manager, perm, company=company, employee=staff) is allowed
    # Without an employee to check against, a manager's role grants nothing company-wide.
    assert has_perm(manager, perm, company=company) is False


@pytest.mark.django_db
def test_require_raises_permission_denied_naming_the_permission(make_user, grant, company):
    auditor = make_user()
    grant(auditor, company, Role.AUDITOR)

    require(auditor, P.PAYROLL_VIEW, company=company)
    with pytest.raises(PermissionDenied, match="payroll.approve"):
        require(auditor, P.PAYROLL_APPROVE, company=company)


@pytest.mark.django_db
def test_roles_add_up(make_user, grant, company):
    user = make_user()
    grant(user, company, Role.AUDITOR)
    grant(user, company, Role.FINANCE)

    assert has_perm(user, P.LEAVE_VIEW, company=company)  # from the auditor role
    assert has_perm(user, P.PAYROLL_PAY, company=company)  # from the finance role
    assert not has_perm(user, P.PEOPLE_EDIT, company=company)
