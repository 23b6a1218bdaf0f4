"""The employee's case page holds all their records on one timeline: payslips (for those who
may see payroll) and the changes of their social insurance enrolment, besides the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.payroll.factories import run_month

from renshi.payroll.models import ArrearsEntry
from renshi.people.services import employee_resign, enrolment_confirm_remove

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(acme):
    run_month(acme.company, "2025-09")
    run_month(acme.company, "2025-10", approve=False)
    employee = acme.employees["A003"]
    employee_resign(actor=acme.hr, employee=employee, leave_date=datetime.date(2025, 10, 31))
    enrolment_confirm_remove(
        actor=acme.clerk,
        enrolment=employee.enrolments.get(),
        reason="社保局已受理",
        today=datetime.date(2025, 11, 7),
    )
    ArrearsEntry.objects.create(
        company=acme.company, employee=employee, month="2025-10", kind="advance",
        amount=Decimal("300.00"),
    )  # fmt: skip
    return acme


def test_the_case_timeline_includes_payslips_and_enrolment_changes(client, story):
    client.force_login(story.hr)

    page = client.get("/cases/A003/", {"company": "acme"})

    timeline = page.context["timeline"]
    kinds = [event.kind for event in timeline]
    assert page.status_code == 200
    assert kinds.count("payslip") == 2
    assert "enrolment.remove" in kinds
    assert "enrolment.remove_confirmed" in kinds
    assert "arrears.advance" in kinds
    payslips = [event for event in timeline if event.kind == "payslip"]
    assert "2025-09" in payslips[0].title
    assert "2025-10" in payslips[1].title
    assert payslips[0].links == ()  # nothing personal to download from the timeline
    assert timezone.localdate(payslips[0].at) == datetime.date(2025, 10, 10)  # its payday
    confirmed = next(e for e in timeline if e.kind == "enrolment.remove_confirmed")
    assert "社保局已受理" in confirmed.detail
    assert "sbclerk" in confirmed.detail
    html = page.content.decode()
    assert 'data-kind="payslip"' in html
    assert 'data-kind="enrolment.remove"' in html
    assert page.context["balance"] == Decimal("300.00")  # the ledger is as it was


def test_the_net_pay_is_on_the_payslip_line(client, story):
    client.force_login(story.finance)

    timeline = client.get("/cases/A003/", {"company": "acme"}).context["timeline"]

    payslip = next(e for e in timeline if e.kind == "payslip")
    net = story.employees["A003"].payslips.get(month="2025-09").net
    assert str(net) in payslip.detail


def test_the_clerk_sees_enrolment_changes_but_no_payslips(client, story):
    client.force_login(story.clerk)

    kinds = [e.kind for e in client.get("/cases/A003/", {"company": "acme"}).context["timeline"]]

    assert "enrolment.remove" in kinds
    assert "payslip" not in kinds  # the clerk may not see payroll
