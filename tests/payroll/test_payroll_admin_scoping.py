"""The payroll admin shows a user only their companies' rows, and offers only the companies
and employees they may edit; a superuser sees everything."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary

from renshi.access.models import Role
from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import ArrearsEntry, ArrearsKind, PayrollRun, SalaryStructure

pytestmark = pytest.mark.django_db


def _calculated_run(code: str) -> PayrollRun:
    company = make_company(code=code)
    employee = make_employee(company, hire_date=datetime.date(2024, 1, 1))
    make_enrolment(employee, base=Decimal("10000"), start_month="2024-01")
    assign_salary(employee, month="2024-01")
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    return run


@pytest.fixture
def runs() -> tuple[PayrollRun, PayrollRun]:
    return _calculated_run("alpha"), _calculated_run("beta")


def _client_for(company, role: str) -> Client:
    user = make_user(is_staff=True)
    grant_role(user, company, role)
    client = Client()
    client.force_login(user)
    return client


def _listed(client: Client, name: str) -> list:
    response = client.get(reverse(f"admin:payroll_{name}_changelist"))
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_hr_of_one_company_sees_only_its_runs_and_payslips(runs):
    alpha, beta = runs
    client = _client_for(alpha.company, Role.HR)

    assert _listed(client, "payrollrun") == [alpha]
    assert {p.run_id for p in _listed(client, "payslip")} == {alpha.pk}


def test_a_superuser_sees_every_companys_runs_and_payslips(admin_client, runs):
    assert len(_listed(admin_client, "payrollrun")) == 2
    assert len(_listed(admin_client, "payslip")) == 2


def test_another_companys_payslip_page_does_not_open(runs):
    alpha, beta = runs
    client = _client_for(alpha.company, Role.AUDITOR)
    theirs = beta.company.employees.get().payslips.get()

    response = client.get(reverse("admin:payroll_payslip_change", args=[theirs.pk]))

    assert response.status_code == 302  # "does not exist", like any id out of sight


def test_the_arrears_ledger_lists_only_the_users_companies(runs):
    alpha, beta = runs
    for run in runs:
        ArrearsEntry.objects.create(
            company=run.company,
            employee=run.company.employees.get(),
            month="2025-08",
            kind=ArrearsKind.REPAYMENT,
            amount=Decimal("-100"),
        )
    client = _client_for(alpha.company, Role.SI_CLERK)

    assert [e.company_id for e in _listed(client, "arrearsentry")] == [alpha.company_id]


def test_salary_structures_and_assignments_list_only_the_users_companies(runs):
    alpha, beta = runs
    client = _client_for(beta.company, Role.FINANCE)

    assert [s.company_id for s in _listed(client, "salarystructure")] == [beta.company_id]
    assert [a.structure.company_id for a in _listed(client, "salaryassignment")] == [
        beta.company_id
    ]


def test_the_new_run_form_offers_only_companies_where_the_user_calculates_payroll():
    ours, theirs, audited = make_company(), make_company(), make_company()
    user = make_user(is_staff=True)
    grant_role(user, ours, Role.HR)
    grant_role(user, audited, Role.AUDITOR)
    client = Client()
    client.force_login(user)

    form = {"month": "2025-09", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}

    page = client.get(reverse("admin:payroll_payrollrun_add"))
    refused = client.post(reverse("admin:payroll_payrollrun_add"), {**form, "company": theirs.pk})
    added = client.post(reverse("admin:payroll_payrollrun_add"), {**form, "company": ours.pk})

    assert list(page.context["adminform"].form.fields["company"].queryset) == [ours]
    assert refused.status_code == 200
    assert "company" in refused.context["adminform"].form.errors
    assert added.status_code == 302
    run = PayrollRun.objects.get()
    assert (run.company, run.month) == (ours, "2025-09")
    assert run.events.get().actor == user  # created by the service, which checked the role


def test_a_new_structure_may_name_only_a_company_where_hr_edits_settings():
    ours, theirs = make_company(), make_company()
    client = _client_for(ours, Role.HR)
    form = {
        "code": "standard",
        "name": "标准薪资",
        "is_active": "on",
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
    }

    refused = client.post(
        reverse("admin:payroll_salarystructure_add"), {**form, "company": theirs.pk}
    )
    added = client.post(reverse("admin:payroll_salarystructure_add"), {**form, "company": ours.pk})

    assert "company" in refused.context["adminform"].form.errors
    assert added.status_code == 302
    assert list(SalaryStructure.objects.values_list("company_id", flat=True)) == [ours.pk]


def test_a_new_run_needs_a_real_month(admin_client):
    company = make_company()
    form = {"company": company.pk, "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}

    response = admin_client.post(
        reverse("admin:payroll_payrollrun_add"), {**form, "month": "2025-13"}
    )

    assert "month" in response.context["adminform"].form.errors
    assert not PayrollRun.objects.exists()
