"""Who may do what with payroll: checked in the services and selectors, not only in views."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    make_user,
)
from tests.payroll.factories import assign_salary

from renshi.access.models import Role
from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import Payslip
from renshi.payroll.selectors import arrears_ledger, payslip_get, payslips_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    company = make_company(code="acme")
    production = make_department(company, code="PROD")
    sales = make_department(company, code="SALES")
    people = {}
    for number, department in (("E001", production), ("E002", sales)):
        user = make_user(number.lower())
        employee = make_employee(
            company,
            number=number,
            hire_date=datetime.date(2024, 1, 1),
            department=department,
            user=user,
        )
        make_enrolment(employee, base=Decimal("10000"), start_month="2024-01")
        assign_salary(employee, month="2024-01")
        people[number] = employee
    users = {}
    for role in (Role.HR, Role.FINANCE, Role.AUDITOR, Role.SI_CLERK):
        users[role] = make_user(f"{role}-user")
        grant_role(users[role], company, role)
    users[Role.MANAGER] = make_user("manager-user")
    grant_role(users[Role.MANAGER], company, Role.MANAGER, department=production)
    run = services.payroll_run_create(
        actor=users[Role.HR], company=company, month=Month.parse("2025-08")
    )
    return company, people, users, run


def test_hr_calculates_but_only_finance_approves_and_pays(world):
    company, people, users, run = world

    services.payroll_run_calculate(actor=users[Role.HR], run=run, executor="inline")
    with pytest.raises(PermissionDenied):
        services.payroll_run_approve(actor=users[Role.HR], run=run)
    with pytest.raises(PermissionDenied):
        services.payroll_run_calculate(actor=users[Role.FINANCE], run=run, executor="inline")
    services.payroll_run_approve(actor=users[Role.FINANCE], run=run)
    services.payroll_run_mark_paid(actor=users[Role.FINANCE], run=run)
    assert [e.actor for e in run.events.all()][-1] == users[Role.FINANCE]


def test_an_employee_sees_only_their_own_payslip_and_only_once_approved(world):
    company, people, users, run = world
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    own, other = people["E001"], people["E002"]
    other_slip = Payslip.objects.get(employee=other)

    assert not payslips_visible(actor=own.user, company=company).exists()  # still a draft
    services.payroll_run_approve(actor=None, run=run)

    visible = payslips_visible(actor=own.user, company=company)
    assert [p.employee_id for p in visible] == [own.pk]
    with pytest.raises(PermissionDenied):
        payslip_get(actor=own.user, company=company, payslip_id=other_slip.pk)


def test_a_manager_sees_no_payslips_and_an_auditor_sees_all_but_changes_nothing(world):
    company, people, users, run = world
    services.payroll_run_calculate(actor=None, run=run, executor="inline")

    assert not payslips_visible(actor=users[Role.MANAGER], company=company).exists()
    assert payslips_visible(actor=users[Role.AUDITOR], company=company).count() == 2
    with pytest.raises(PermissionDenied):
        services.payroll_run_approve(actor=users[Role.AUDITOR], run=run)
    with pytest.raises(PermissionDenied):
        services.payroll_run_calculate(actor=users[Role.SI_CLERK], run=run, executor="inline")


def test_only_finance_records_repayments_and_an_employee_reads_only_their_own_ledger(world):
    company, people, users, run = world
    own, other = people["E001"], people["E002"]

    with pytest.raises(PermissionDenied):
        services.arrears_repayment_record(
            actor=users[Role.HR], employee=own, amount="1", paid_on=datetime.date(2025, 9, 1)
        )
    assert arrears_ledger(actor=own.user, employee=own) == []
    with pytest.raises(PermissionDenied):
        arrears_ledger(actor=own.user, employee=other)
