"""The workspace's dashboard, its company switch, the employee search, and who is let in."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.factories import grant_role, make_company, make_user
from tests.payroll.factories import run_month

from renshi.access.models import Role
from renshi.alerts.services import alert_tick
from renshi.payroll.models import ArrearsEntry, PayrollRun

pytestmark = pytest.mark.django_db

WORK_PAGES = ["/work/", "/work/payroll/", "/work/enrolments/", "/work/search/?q=A", "/work/cases/"]


def test_signing_in_is_required(client, acme):
    for url in WORK_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


def test_an_ordinary_employee_gets_403_everywhere_under_work(client, acme):
    run = run_month(acme.company, "2025-09", approve=False)
    enrolment = acme.employees["A002"].enrolments.get()
    client.force_login(acme.plain)

    pages = [*WORK_PAGES, f"/work/payroll/{run.pk}/", f"/work/payroll/{run.pk}/progress/"]
    for url in pages:
        assert client.get(url).status_code == 403, url
    actions = [
        "/work/payroll/new/",
        f"/work/payroll/{run.pk}/calculate/",
        f"/work/payroll/{run.pk}/approve/",
        f"/work/payroll/{run.pk}/paid/",
        f"/work/payroll/{run.pk}/reopen/",
        f"/work/enrolments/{enrolment.pk}/confirm/",
    ]
    for url in actions:
        assert client.post(url, {"month": "2025-10", "reason": "x"}).status_code == 403, url

    home = client.get("/work/")
    assert "workspace-forbidden" in home.content.decode()
    assert PayrollRun.objects.filter(company=acme.company).count() == 1
    run.refresh_from_db()
    assert run.state == "calculated"


def test_hr_sees_the_cards_its_roles_allow(client, acme):
    run_month(acme.company, "2025-09", approve=False)
    client.force_login(acme.hr)

    page = client.get("/work/")

    html = page.content.decode()
    assert page.status_code == 200
    for card in ("card-flags", "card-payroll", "card-enrolments", "employee-search"):
        assert f'id="{card}"' in html, card
    assert page.context["run"].month == "2025-09"
    assert 'id="ws-nav-payroll"' in html
    assert 'id="ws-nav-enrolments"' in html
    assert "/work/payroll/new/" in html  # HR may open the next month


def test_finance_sees_payroll_but_not_the_enrolment_work(client, acme):
    client.force_login(acme.finance)

    html = client.get("/work/").content.decode()

    assert 'id="card-payroll"' in html
    assert 'id="card-enrolments"' not in html
    assert 'id="ws-nav-enrolments"' not in html
    assert "/work/payroll/new/" not in html  # opening a run is HR's
    assert client.get("/work/enrolments/").status_code == 403


def test_the_red_flag_card_counts_standing_warnings_and_links_to_the_case(client, acme):
    ArrearsEntry.objects.create(
        company=acme.company,
        employee=acme.employees["A001"],
        month="2025-09",
        kind="advance",
        amount=Decimal("3500.00"),
    )
    alert_tick(now=datetime.datetime(2025, 11, 7, 1, tzinfo=datetime.UTC))
    client.force_login(acme.hr)

    page = client.get("/work/")

    flags = page.context["flags"]
    assert flags.total >= 1
    assert flags.by_severity[0][0] == "critical"
    assert flags.top[0]["employee"] == "A001"
    assert "/cases/A001/?company=acme" in page.content.decode()


def test_a_manager_sees_only_their_departments_warnings(client, acme):
    for number in ("A001", "A003"):
        ArrearsEntry.objects.create(
            company=acme.company,
            employee=acme.employees[number],
            month="2025-09",
            kind="advance",
            amount=Decimal("3500.00"),
        )
    alert_tick(now=datetime.datetime(2025, 11, 7, 1, tzinfo=datetime.UTC))
    client.force_login(acme.manager)

    page = client.get("/work/")

    assert page.status_code == 200
    assert {row["employee"] for row in page.context["flags"].top} == {"A003"}
    assert 'id="card-payroll"' not in page.content.decode()


def test_the_search_finds_by_number_and_by_name(client, acme):
    client.force_login(acme.hr)

    by_number = client.get("/work/search/", {"q": "A003"}, HTTP_HX_REQUEST="true")
    by_name = client.get("/work/search/", {"q": "王芳"}, HTTP_HX_REQUEST="true")
    by_part = client.get("/work/search/", {"q": "a00"})

    assert [e.number for e, _ in by_number.context["results"]] == ["A003"]
    assert [e.number for e, _ in by_name.context["results"]] == ["A001"]
    assert len(by_part.context["results"]) == 4
    fragment = by_number.content.decode()
    assert "<html" not in fragment  # htmx gets the results alone
    assert "/cases/A003/?company=acme" in fragment
    assert "<html" in by_part.content.decode()


def test_a_manager_only_finds_their_departments_people(client, acme):
    client.force_login(acme.manager)

    found = client.get("/work/search/", {"q": "A00"}).context["results"]
    by_name = client.get("/work/search/", {"q": "王芳"}).context["results"]

    assert [e.number for e, _ in found] == ["A003", "A004"]
    assert by_name == []
    assert all(url == "" for _, url in found)  # managers follow no arrears cases


def test_the_company_switch_is_remembered(client, acme):
    other = make_company(code="beta", name="Beta 有限公司")
    grant_role(acme.hr, other, Role.HR)
    client.force_login(acme.hr)

    first = client.get("/work/")
    switched = client.get("/work/", {"company": "beta"})
    later = client.get("/work/payroll/")
    unknown = client.get("/work/", {"company": "nope"})

    assert first.context["desk"].company.code == "acme"  # the first by code
    assert switched.context["desk"].company.code == "beta"
    assert 'id="company-switch"' in switched.content.decode()
    assert later.context["desk"].company.code == "beta"
    assert unknown.context["desk"].company.code == "acme"


def test_a_role_in_another_company_gives_nothing_here(client, acme):
    outsider = make_user("outsider")
    grant_role(outsider, make_company(code="zeta"), Role.HR)
    client.force_login(outsider)

    found = client.get("/work/search/", {"q": "A001", "company": "acme"}).context["results"]
    run = run_month(acme.company, "2025-09", approve=False)

    assert found == []  # the unknown company falls back to their own
    assert client.get(f"/work/payroll/{run.pk}/").status_code == 403


def test_the_cases_list_shows_who_owes(client, acme):
    ArrearsEntry.objects.create(
        company=acme.company,
        employee=acme.employees["A004"],
        month="2025-09",
        kind="advance",
        amount=Decimal("812.50"),
    )
    client.force_login(acme.clerk)

    page = client.get("/work/cases/")

    assert page.status_code == 200
    assert [row["employee__number"] for row in page.context["rows"]] == ["A004"]
    assert "812.50" in page.content.decode()
    client.force_login(acme.manager)
    assert client.get("/work/cases/").status_code == 403


def test_the_back_payment_card_counts_waiting_requests(client, acme):
    client.force_login(acme.clerk)

    page = client.get("/work/")

    html = page.content.decode()
    assert page.context["backpay"] == 0
    assert 'id="card-backpay"' in html
    assert 'id="ws-nav-backpay"' in html
    client.force_login(acme.finance)
    assert 'id="card-backpay"' not in client.get("/work/").content.decode()
