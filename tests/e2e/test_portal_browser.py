"""The portal and the workspace in a real browser, on the demo company's story as of its clock
(2025-11-07 09:00): an employee reads a payslip, downloads it, acknowledges a notice and
simulates a pension; a colleague cannot open that payslip by changing the URL; HR calculates
the open month's payroll and finds the seed story's warning on the run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from renshi.core.months import Month
from renshi.core.pension import RetirementCategory, statutory_retirement
from renshi.demo import DEMO_PASSWORD, demo_company_load
from renshi.demo_story import DEMO_NOW, LETTER_POSTED, NOTICE_OPENED, STORY_MIN_EMPLOYEES
from renshi.notices.models import Acknowledgement, Notice
from renshi.payroll.models import PayrollRun, Payslip
from renshi.people.models import Employee

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def story(settings: Any) -> dict[str, Any]:
    settings.RENSHI_SIMULATED_NOW = DEMO_NOW
    return demo_company_load(employees=STORY_MIN_EMPLOYEES)


def _sign_in(page: Page, base: str, path: str, username: str) -> None:
    page.goto(base + path)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{path}")


def test_an_employee_reads_a_payslip_acknowledges_the_notice_and_simulates_a_pension(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    employee = Employee.objects.get(number=NOTICE_OPENED)
    latest = (
        Payslip.objects.filter(employee=employee, run__state__in=["approved", "paid"])
        .order_by("-month")
        .first()
    )
    assert latest is not None
    notice = Notice.objects.get(employee=employee)
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server.url, "/me/", "hx0006")
    assert employee.name in page.locator("main").inner_text()
    assert page.locator(".portal-tabbar").is_visible()  # the phone's tab bar
    # Installable: the service worker takes the whole site as its scope and keeps the shell.
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == page.evaluate("location.origin") + "/"
    cached = page.evaluate(
        "caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)"
        ".then((c) => c.keys())))).then((lists) => lists.flat().map((r) => r.url))"
    )
    assert any(url.endswith("/me/offline/") for url in cached)
    assert not any("/me/payslips/" in url for url in cached)

    page.goto(f"{live_server.url}/me/payslips/")
    page.locator(f"a[href='/me/payslips/{latest.pk}/']").first.click()
    page.wait_for_url(f"**/me/payslips/{latest.pk}/")
    payslip_text = page.locator("main").inner_text()
    assert f"{latest.net:,.2f}" in payslip_text or f"{latest.net:.2f}" in payslip_text
    assert "养老保险" in payslip_text  # each contribution line, explained
    with page.expect_download() as download:
        page.locator(f"a[href='/me/payslips/{latest.pk}/pdf/']").first.click()
    pdf = download.value.path()
    assert pdf is not None
    with open(pdf, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.goto(f"{live_server.url}/me/owed/")
    page.locator(f"a[href='/me/notices/{notice.pk}/']").first.click()
    page.wait_for_url(f"**/me/notices/{notice.pk}/")
    assert Acknowledgement.objects.filter(notice=notice).count() == 0
    page.locator(f"form[action='/me/notices/{notice.pk}/acknowledge/'] button").click()
    page.wait_for_url(f"**/me/notices/{notice.pk}/")
    acknowledgement = Acknowledgement.objects.get(notice=notice)
    assert acknowledgement.user.username == "hx0006"
    assert acknowledgement.text_shown == notice.body_text

    page.goto(f"{live_server.url}/me/pension/")
    page.click("#pension-simulate")
    result = page.locator("#pension-result")
    result.wait_for()
    category = (
        RetirementCategory.MALE if employee.gender == "male" else RetirementCategory.FEMALE_CADRE
    )
    birth = Month(employee.birth_date.year, employee.birth_date.month)
    retirement = statutory_retirement(birth=birth, category=category)
    assert str(retirement.month) in result.inner_text()
    page.locator("#pension-chart canvas").first.wait_for()


def test_a_colleague_cannot_open_the_payslip_by_changing_the_url(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    owner = Employee.objects.get(number=NOTICE_OPENED)
    payslip = Payslip.objects.filter(employee=owner, run__state="paid").order_by("-month").first()
    assert payslip is not None
    _sign_in(page, live_server.url, "/me/", "liming")
    for path in (f"/me/payslips/{payslip.pk}/", f"/me/payslips/{payslip.pk}/pdf/"):
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status in (403, 404)
        assert owner.name not in page.content()
    # and the colleague's own payslips are there
    page.goto(live_server.url + "/me/payslips/")
    assert page.locator("a[href^='/me/payslips/']").count() > 0


def test_hr_calculates_the_open_month_and_sees_the_seed_storys_warning(
    page: Page, live_server: Any, story: dict[str, Any]
) -> None:
    run = PayrollRun.objects.get(month="2025-10")
    seed = Employee.objects.get(number=LETTER_POSTED)
    _sign_in(page, live_server.url, "/work/", "hr")
    page.goto(f"{live_server.url}/work/payroll/")
    page.locator(f"a[href='/work/payroll/{run.pk}/']").first.click()
    page.wait_for_url(f"**/work/payroll/{run.pk}/")
    assert page.locator("#run-approve").count() == 0  # approving is finance's
    before = run.calculation_id
    page.click("#run-calculate")
    page.wait_for_url(f"**/work/payroll/{run.pk}/")
    page.locator("#run-payslips").wait_for()
    run.refresh_from_db()
    assert run.calculation_id != before
    assert run.state == "calculated"
    warnings = page.locator("#run-warnings").inner_text()
    assert seed.number in warnings
    assert seed.name in warnings
