"""The leave request page: the cost is shown before submission and must be confirmed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary

from renshi.attendance.models import LeaveRecord, LeaveType
from renshi.attendance.services import leave_types_install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee():
    company = make_company(code="acme")
    person = make_employee(
        company,
        number="HX0001",
        name="王芳",
        hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang"),
    )
    make_enrolment(
        person, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(person, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    return person


def form(employee, **extra):
    personal = LeaveType.objects.get(company=employee.company, code="personal")
    return {
        "leave_type": personal.pk,
        "start_date": "2025-06-06",
        "end_date": "2025-08-31",
        "reason": "家中老人住院",
        **extra,
    }


def test_the_preview_shows_each_month_and_the_gap_before_anything_is_submitted(client, employee):
    client.force_login(employee.user)

    page = client.post("/leave/request/", form(employee, action="preview"))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="leave-cost-table"' in html
    for figure in ("1310.34", "1598.32", "287.98", "1606.01", "3500.00"):
        assert figure in html
    assert "公司" in html  # Chinese by default
    assert not LeaveRecord.objects.exists()


def test_submitting_without_ticking_the_confirmation_shows_an_error_and_writes_nothing(
    client, employee
):
    client.force_login(employee.user)
    preview = client.post("/leave/request/", form(employee, action="preview"))
    digest = preview.context["cost"].digest

    page = client.post("/leave/request/", form(employee, action="submit", digest=digest))

    assert page.status_code == 200
    assert 'id="leave-error"' in page.content.decode()
    assert not LeaveRecord.objects.exists()


def test_a_confirmed_request_is_recorded_with_the_statement_shown(client, employee):
    client.force_login(employee.user)
    preview = client.post("/leave/request/", form(employee, action="preview"))
    cost = preview.context["cost"]

    page = client.post(
        "/leave/request/",
        form(employee, action="submit", digest=cost.digest, is_confirmed="1"),
        follow=True,
    )

    leave = LeaveRecord.objects.get()
    assert leave.cost_statement == cost.statement
    assert leave.cost_confirmed_at is not None
    assert page.redirect_chain[-1][0].endswith("/leave/")
    assert "2025-06-06" in page.content.decode()


def test_bad_dates_get_a_specific_error(client, employee):
    client.force_login(employee.user)

    page = client.post(
        "/leave/request/",
        form(employee, action="preview", start_date="2025-08-31", end_date="2025-06-06"),
    )

    assert "2025-06-06" in page.context["error"]
    assert page.context["cost"] is None


def test_an_account_without_an_employee_record_is_told_so(client, employee):
    client.force_login(make_user("visitor"))

    assert client.get("/leave/request/").status_code == 403
    assert client.get("/leave/").status_code == 403


def test_the_page_needs_a_sign_in(client, employee):
    page = client.get("/leave/request/")

    assert page.status_code == 302
    assert "login" in page["Location"]
