"""Who sees whom: managers their departments, employees themselves, nobody another company."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from renshi.access.checks import (
    Perm,
    companies_visible,
    department_subtree,
    employees_visible,
    has_perm,
    require,
)
from renshi.access.models import Role

P = Perm


@pytest.fixture
def org(make_department, make_employee, make_user, company):
    """Sales, with North under it and North-East under that; Support beside it; one employee
    in each, with a user account, and one employee in no department."""
    sales = make_department(company, name="Sales")
    north = make_department(company, parent=sales, name="North")
    north_east = make_department(company, parent=north, name="North-East")
    support = make_department(company, name="Support")
    departments = {"sales": sales, "north": north, "north_east": north_east, "support": support}
    people = {
        name: make_employee(company, department=department, user=make_user())
        for name, department in departments.items()
    }
    people["unplaced"] = make_employee(company, user=make_user())
    return {"departments": departments, "people": people}


def _names(employees, org):
    by_id = {employee.pk: name for name, employee in org["people"].items()}
    return {by_id.get(employee.pk, f"other:{employee.pk}") for employee in employees}


@pytest.mark.django_db
def test_a_manager_sees_their_department_and_every_department_below(org, make_user, grant, company):
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=org["departments"]["sales"])

    visible = employees_visible(manager, company, P.PEOPLE_VIEW)

    assert _names(visible, org) == {"sales", "north", "north_east"}


@pytest.mark.django_db
def test_a_manager_may_act_below_but_not_beside_or_above(org, make_user, grant, company):
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=org["departments"]["north"])
    people = org["people"]

    require(manager, P.LEAVE_DECIDE, company=company, employee=people["north_east"])
    require(manager, P.LEAVE_DECIDE, company=company, employee=people["north"])
    for name in ("sales", "support", "unplaced"):
        with pytest.raises(PermissionDenied):
            require(manager, P.LEAVE_DECIDE, company=company, employee=people[name])
    assert _names(employees_visible(manager, company, P.LEAVE_DECIDE), org) == {
        "north",
        "north_east",
    }


@pytest.mark.django_db
def test_a_manager_of_two_departments_sees_both(org, make_user, grant, company):
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=org["departments"]["north_east"])
    grant(manager, company, Role.MANAGER, department=org["departments"]["support"])

    assert _names(employees_visible(manager, company), org) == {"north_east", "support"}


@pytest.mark.django_db
def test_a_manager_sees_nothing_for_a_permission_their_role_lacks(org, make_user, grant, company):
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=org["departments"]["sales"])

    assert not employees_visible(manager, company, P.PAYROLL_VIEW).exists()


@pytest.mark.django_db
def test_an_employee_sees_only_themselves_and_only_what_self_service_allows(org, company):
    me = org["people"]["north"]
    colleague = org["people"]["sales"]

    for perm in (P.PEOPLE_VIEW, P.LEAVE_VIEW, P.PAYROLL_VIEW, P.ARREARS_VIEW):
        assert _names(employees_visible(me.user, company, perm), org) == {"north"}
        assert has_perm(me.user, perm, company=company, employee=me)
        assert not has_perm(me.user, perm, company=company, employee=colleague)
    for perm in (P.PEOPLE_EDIT, P.LEAVE_DECIDE, P.ID_NUMBER_VIEW, P.BANK_ACCOUNT_VIEW):
        assert not employees_visible(me.user, company, perm).exists()
        assert not has_perm(me.user, perm, company=company, employee=me)
    assert not has_perm(me.user, P.PEOPLE_VIEW, company=company)  # not company-wide


@pytest.mark.django_db
def test_a_user_with_no_role_and_no_employee_record_gets_nothing(org, make_user, company):
    nobody = make_user()

    assert not employees_visible(nobody, company).exists()
    assert not companies_visible(nobody).exists()
    assert not has_perm(nobody, P.PEOPLE_VIEW, company=company)
    assert not has_perm(nobody, P.PEOPLE_VIEW, company=company, employee=org["people"]["sales"])


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_nothing(org, company):
    anonymous = AnonymousUser()

    assert not employees_visible(anonymous, company).exists()
    assert not companies_visible(anonymous).exists()
    assert not has_perm(anonymous, P.PEOPLE_VIEW, company=company)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["superuser", "system"])
def test_a_superuser_and_the_system_may_do_everything(org, make_user, company, who):
    actor = make_user(is_superuser=True) if who == "superuser" else None

    assert _names(employees_visible(actor, company, P.PAYROLL_PAY), org) == set(org["people"])
    assert all(has_perm(actor, perm, company=company) for perm in Perm)
    assert all(
        has_perm(actor, perm, company=company, employee=org["people"]["support"]) for perm in Perm
    )
    assert company in companies_visible(actor)


@pytest.mark.django_db
def test_a_deactivated_account_loses_its_roles_its_self_access_and_superuser_powers(
    org, make_user, grant, company
):
    hr = make_user(is_active=False)
    grant(hr, company, Role.HR)
    fallen = make_user(is_superuser=True, is_active=False)
    me = org["people"]["sales"]
    me.user.is_active = False
    me.user.save(update_fields=["is_active"])

    for actor in (hr, fallen, me.user):
        assert not has_perm(actor, P.PEOPLE_VIEW, company=company, employee=me)
        assert not employees_visible(actor, company).exists()
        assert not companies_visible(actor).exists()


@pytest.mark.django_db
def test_an_employee_of_another_company_is_never_visible(
    org, make_company, make_department, make_employee, make_user, grant, company
):
    elsewhere = make_company()
    their_sales = make_department(elsewhere)
    outsider = make_employee(elsewhere, department=their_sales, user=make_user())
    hr = make_user()
    grant(hr, company, Role.HR)
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=org["departments"]["sales"])
    me = org["people"]["sales"]

    for actor in (hr, manager, me.user):
        assert outsider not in employees_visible(actor, company)
        assert not employees_visible(actor, elsewhere).exists()
        assert not has_perm(actor, P.PEOPLE_VIEW, company=company, employee=outsider)
        assert not has_perm(actor, P.PEOPLE_VIEW, company=elsewhere, employee=outsider)
        assert elsewhere not in companies_visible(actor)
    assert has_perm(hr, P.PEOPLE_VIEW, company=company, employee=me)


@pytest.mark.django_db
def test_companies_visible_are_those_with_a_role_or_an_employee_record(
    make_company, make_employee, make_user, grant
):
    first, second, third = make_company(), make_company(), make_company()
    user = make_user()
    grant(user, first, Role.AUDITOR)
    make_employee(second, user=user)

    assert set(companies_visible(user)) == {first, second}
    assert third not in companies_visible(user)


@pytest.mark.django_db
def test_the_department_subtree_reaches_every_level(org):
    departments = org["departments"]

    assert department_subtree([departments["sales"].pk]) == {
        departments[name].pk for name in ("sales", "north", "north_east")
    }
    assert department_subtree([departments["support"].pk]) == {departments["support"].pk}
    assert department_subtree([]) == set()
