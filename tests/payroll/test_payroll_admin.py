"""The back office: a run is calculated and approved from the admin's actions, through the
services, and a payslip shows each line with its explanation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary

from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import ArrearsEntry, PayrollRun, Payslip, RunState

pytestmark = pytest.mark.django_db


@pytest.fixture
def run() -> PayrollRun:
    company = make_company(code="acme")
    employee = make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))
    make_enrolment(employee, base=Decimal("10000"), start_month="2024-01")
    assign_salary(employee, month="2024-01")
    return services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))


def _action(client, run: PayrollRun, action: str):
    return client.post(
        reverse("admin:payroll_payrollrun_changelist"),
        {"action": action, "_selected_action": [run.pk]},
        follow=True,
    )


def test_the_admin_calculates_and_approves_a_run(admin_client, run):
    response = _action(admin_client, run, "calculate")
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED

    _action(admin_client, run, "approve")
    run.refresh_from_db()
    assert run.state == RunState.APPROVED
    assert run.events.last().actor.username == "admin"


def test_a_refused_action_is_shown_and_changes_nothing(admin_client, run):
    response = _action(admin_client, run, "approve")  # not calculated yet

    run.refresh_from_db()
    assert run.state == RunState.DRAFT
    messages = [str(m) for m in response.context["messages"]]
    assert any("2025-08" in m for m in messages)
    assert not ArrearsEntry.objects.exists()


def test_a_payslip_page_lists_its_lines_with_explanations(admin_client, run):
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    payslip = Payslip.objects.get()

    page = admin_client.get(reverse("admin:payroll_payslip_change", args=[payslip.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "2025-07..2026-06" in text
    assert "7664.59" in text
