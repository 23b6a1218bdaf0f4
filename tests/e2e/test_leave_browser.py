"""An employee requests a long unpaid leave in a real browser: signs in, sees what each month
will cost before submitting, cannot submit without confirming, and finds the request listed
with the time of the confirmation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from tests.factories import make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary

from renshi.attendance.models import LeaveRecord
from renshi.attendance.services import leave_types_install_defaults

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def employee():
    company = make_company(code="acme")
    person = make_employee(
        company,
        number="HX0001",
        name="王芳",
        hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang", password="renshi-test-pw"),
    )
    make_enrolment(
        person, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(person, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    return person


def test_an_employee_sees_the_cost_of_a_long_leave_and_confirms_it(
    page: Page, live_server: Any, employee, tmp_path: Path
) -> None:
    page.goto(live_server.url + "/leave/request/")
    page.fill("#id_username", "wangfang")
    page.fill("#id_password", "renshi-test-pw")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/leave/request/")

    page.select_option("#id_leave_type", label="事假")
    page.fill("#id_start_date", "2025-06-06")
    page.fill("#id_end_date", "2025-08-31")
    page.click("#leave-preview")

    rows = page.locator("#leave-cost-table tbody tr")
    assert rows.count() == 3
    assert "287.98" in rows.nth(0).inner_text()
    assert page.locator("#leave-total-gap").inner_text().strip() == "3500.00"
    assert "3500.00" in page.locator("#leave-statement").inner_text()

    page.click("#leave-submit")  # not confirmed
    assert page.locator("#leave-error").is_visible()
    assert LeaveRecord.objects.count() == 0

    page.check("#leave-confirm")
    page.click("#leave-submit")
    page.wait_for_url("**/leave/")
    listed = page.locator("#my-leave tbody tr").first.inner_text()
    assert "2025-06-06" in listed
    leave = LeaveRecord.objects.get()
    assert leave.cost_confirmed_at is not None
    assert f"{timezone.localtime(leave.cost_confirmed_at):%Y-%m-%d %H:%M}" in listed
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    shot = tmp_path / "my-leave-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
