"""Who may see and change whom: roles, departments, and one's own record."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    make_user,
    valid_resident_id,
)

from renshi.people.identity import mask_bank_account, mask_id_number
from renshi.people.models import Employee
from renshi.people.selectors import employee_list, employee_sensitive
from renshi.people.services import (
    EnrolmentInput,
    employee_onboard,
    employee_resign,
    enrolment_confirm_add,
)

pytestmark = pytest.mark.django_db
ACCOUNT = "6222020200112233445"


def test_hr_sees_the_full_id_but_a_masked_bank_account() -> None:
    company = make_company()
    employee = make_employee(company, id_number=valid_resident_id(seq=11))
    hr = make_user()
    grant_role(hr, company, "hr")

    data = employee_sensitive(actor=hr, employee=employee)

    assert data["id_number"] == valid_resident_id(seq=11)
    assert data["bank_account"] == mask_bank_account(ACCOUNT[-4:])
    assert (data["id_number_is_masked"], data["bank_account_is_masked"]) == (False, True)


def test_finance_sees_the_full_bank_account_but_a_masked_id() -> None:
    company = make_company()
    employee = make_employee(company)
    finance = make_user()
    grant_role(finance, company, "finance")

    data = employee_sensitive(actor=finance, employee=employee)

    assert data["bank_account"] == ACCOUNT
    assert data["id_number"] == mask_id_number(employee.id_number_last4)


def test_an_employee_sees_their_own_record_masked_and_no_one_elses() -> None:
    company = make_company()
    user = make_user()
    own = make_employee(company, user=user)
    colleague = make_employee(company)

    data = employee_sensitive(actor=user, employee=own)
    assert data["id_number_is_masked"]
    assert data["bank_account_is_masked"]

    with pytest.raises(PermissionDenied):
        employee_sensitive(actor=user, employee=colleague)


def test_a_manager_sees_their_departments_people_but_not_others() -> None:
    company = make_company()
    sales = make_department(company, code="S")
    north = make_department(company, code="SN", parent=sales)
    finance_dept = make_department(company, code="F")
    mine = make_employee(company, department=sales)
    below = make_employee(company, department=north)
    outside = make_employee(company, department=finance_dept)
    manager = make_user()
    grant_role(manager, company, "manager", department=sales)

    assert set(employee_list(actor=manager, company=company)) == {mine, below}
    with pytest.raises(PermissionDenied):
        employee_sensitive(actor=manager, employee=outside)


def test_a_manager_cannot_resign_even_their_own_departments_people() -> None:
    company = make_company()
    sales = make_department(company)
    employee = make_employee(company, department=sales)
    manager = make_user()
    grant_role(manager, company, "manager", department=sales)

    with pytest.raises(PermissionDenied):
        employee_resign(actor=manager, employee=employee, leave_date=date(2025, 6, 30))


def test_finance_cannot_hire_and_hr_can() -> None:
    company = make_company()
    finance, hr = make_user(), make_user()
    grant_role(finance, company, "finance")
    grant_role(hr, company, "hr")
    arguments = {
        "company": company,
        "number": "E1",
        "name": "赵六",
        "id_number": valid_resident_id(),
        "hire_date": date(2025, 1, 1),
        "enrolment": EnrolmentInput(base="8000"),
    }

    with pytest.raises(PermissionDenied):
        employee_onboard(actor=finance, **arguments)
    employee = employee_onboard(actor=hr, **arguments)

    assert employee.enrolments.get().changes.get().actor == hr


def test_a_role_in_another_company_gives_nothing_here() -> None:
    company, other = make_company(), make_company()
    hr = make_user()
    grant_role(hr, other, "hr")
    employee = make_employee(company)

    assert not employee_list(actor=hr, company=company).exists()
    with pytest.raises(PermissionDenied):
        employee_sensitive(actor=hr, employee=employee)


def test_the_social_insurance_clerk_confirms_enrolments() -> None:
    company = make_company()
    clerk = make_user()
    grant_role(clerk, company, "si_clerk")
    enrolment = make_enrolment(make_employee(company), state="pending_add")

    enrolment_confirm_add(actor=clerk, enrolment=enrolment)

    enrolment.refresh_from_db()
    assert enrolment.state == "active"


def test_hr_finds_someone_by_their_full_resident_id() -> None:
    company = make_company()
    hr = make_user()
    grant_role(hr, company, "hr")
    number = valid_resident_id(date(1985, 3, 3), "female", seq=8)
    wanted = make_employee(company, id_number=number)
    make_employee(company)

    assert list(employee_list(actor=hr, company=company, search=number)) == [wanted]
    assert Employee.objects.count() == 2
