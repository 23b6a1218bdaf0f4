"""The portal's overview: where the employee stands in one screen, and the app's install files."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from tests.factories import make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary, run_month

from renshi.people.models import EmployeeStatus

pytestmark = pytest.mark.django_db
PASSWORD = "portal-home-pw"  # noqa: S105


@pytest.fixture
def employee():
    company = make_company(code="acme")
    person = make_employee(
        company,
        number="E001",
        name="王芳",
        hire_date=datetime.date(2025, 1, 1),
        user=make_user("wangfang", password=PASSWORD),
    )
    make_enrolment(person, base=Decimal("8000"), start_month="2025-01")
    assign_salary(person, base="8000", month="2025-01")
    for month in ("2025-01", "2025-02"):
        run_month(company, month)
    return person


def _signed_in(username: str = "wangfang") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_overview_shows_the_latest_net_pay_and_links_to_that_payslip(employee) -> None:
    latest = employee.payslips.get(month="2025-02")
    page = _signed_in().get("/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/me/payslips/{latest.pk}/" in text
    assert f"¥{latest.net:.2f}" in text
    assert "王芳" in text
    assert 'lang="zh-hans"' in text  # Chinese first


def test_a_former_employee_sees_the_overview_without_the_request_cards(employee) -> None:
    employee.status = EmployeeStatus.LEFT
    employee.leave_date = datetime.date(2025, 2, 28)
    employee.save(update_fields=["status", "leave_date"])
    page = _signed_in().get("/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="former-banner"' in text
    assert 'id="home-leave"' not in text
    assert 'id="home-backpay"' not in text


def test_an_account_linked_to_no_employee_is_told_so() -> None:
    make_user("visitor", password=PASSWORD)
    page = _signed_in("visitor").get("/me/")
    assert page.status_code == 403
    assert "not linked to an employee record" in page.content.decode() or "未关联" in (
        page.content.decode()
    )


def test_the_overview_asks_a_visitor_to_sign_in() -> None:
    page = Client().get("/me/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def test_the_manifest_describes_an_installable_app_starting_at_the_portal() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_the_service_worker_keeps_the_shell_and_never_a_personal_page() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    shell = json.loads(script.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert "/me/offline/" in shell
    assert not any(path.startswith("/me/") and path != "/me/offline/" for path in shell)
    assert 'request.mode === "navigate"' in script


def test_a_leaver_past_the_last_working_day_is_read_only(employee, settings) -> None:
    """Still "leaving" while the paperwork is done, but the last day is behind them."""
    settings.RENSHI_SIMULATED_NOW = datetime.datetime(2025, 3, 5, 9, 0, tzinfo=datetime.UTC)
    employee.status = EmployeeStatus.LEAVING
    employee.leave_date = datetime.date(2025, 2, 28)
    employee.save(update_fields=["status", "leave_date"])
    client = _signed_in()
    assert 'id="former-banner"' in client.get("/me/").content.decode()
    assert client.get("/leave/request/").status_code == 403
    assert client.get("/me/backpay/").status_code == 403
    assert client.get("/me/payslips/").status_code == 200


def test_a_leaver_before_the_last_working_day_may_still_ask(employee, settings) -> None:
    settings.RENSHI_SIMULATED_NOW = datetime.datetime(2025, 2, 20, 9, 0, tzinfo=datetime.UTC)
    employee.status = EmployeeStatus.LEAVING
    employee.leave_date = datetime.date(2025, 2, 28)
    employee.save(update_fields=["status", "leave_date"])
    client = _signed_in()
    assert 'id="former-banner"' not in client.get("/me/").content.decode()
    assert client.get("/leave/request/").status_code == 200
