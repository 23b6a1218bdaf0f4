"""The red-flag board: what each role sees, newest problems by severity, and the filters."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import grant_role, make_company, make_employee, make_user

from renshi.access.models import Role
from renshi.alerts.services import alert_tick
from renshi.payroll.models import ArrearsEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = make_company(code="acme")
    owes = make_employee(
        company, number="E001", hire_date=datetime.date(2024, 1, 1), user=make_user("e001")
    )
    make_employee(company, number="E002", hire_date=datetime.date(2024, 1, 1))  # no enrolment
    ArrearsEntry.objects.create(
        company=company, employee=owes, month="2025-08", kind="advance", amount=Decimal("3500.00")
    )
    alert_tick(now=datetime.datetime(2025, 9, 1, 1, tzinfo=datetime.UTC))
    return company


def test_hr_sees_every_warning_with_the_critical_ones_first(client, company):
    hr = make_user("hr")
    grant_role(hr, company, Role.HR)
    client.force_login(hr)

    page = client.get("/alerts/")

    rows = page.context["rows"]
    assert page.status_code == 200
    assert rows[0]["rule"] == "arrears_over"
    assert rows[0]["amount"] == "3500.00"
    assert {row["rule"] for row in rows} >= {"arrears_over", "contributions_broken"}
    assert "3500.00" in page.content.decode()


def test_an_employee_sees_only_their_own_warnings(client, company):
    client.force_login(company.employees.get(number="E001").user)

    rows = client.get("/alerts/").context["rows"]

    assert {row["employee"] for row in rows} == {"E001"}


def test_filters_by_severity_rule_and_amount(client, company):
    hr = make_user("hr")
    grant_role(hr, company, Role.HR)
    client.force_login(hr)

    critical = client.get("/alerts/", {"severity": "critical"}).context["rows"]
    by_rule = client.get("/alerts/", {"rule": "contributions_broken"}).context["rows"]
    big = client.get("/alerts/", {"min_amount": "4000"}).context["rows"]

    assert [row["rule"] for row in critical] == ["arrears_over"]
    assert {row["employee"] for row in by_rule} == {"E001", "E002"}
    assert big == []


def test_signing_in_is_required(client, company):
    response = client.get("/alerts/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
