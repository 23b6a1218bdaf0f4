"""A share warning stands while its cause does: after the lead window and payday have passed,
for as long as the month is not approved; and a prepaid share is not a gap."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.alerts.models import Alert, AlertState, RuleKind
from renshi.alerts.services import alert_tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.payroll.models import ArrearsEntry, ArrearsKind

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.fixture
def june_on_leave():
    """The seed story's June: 17 of 20 working days of 事假 at a 6000 wage, 287.98 not covered."""
    company = make_company(code="acme", payday=10)
    employee = make_employee(company, number="E001", hire_date=datetime.date(2021, 3, 15))
    make_enrolment(
        employee, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(employee, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=LeaveType.objects.get(company=company, code="personal"),
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 6, 30),
        reason="",
    )
    leave_record_approve(actor=None, leave=leave)
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)
    return company, employee


def _share_warnings() -> list[Alert]:
    return list(Alert.objects.filter(rule__kind=RuleKind.SHARE_NOT_COVERED).order_by("id"))


def test_the_share_warning_stays_after_payday_until_the_month_is_approved(june_on_leave):
    company, employee = june_on_leave

    alert_tick(now=at("2025-07-07T09:00"))  # 3 days before the 2025-07-10 payday
    [raised] = _share_warnings()
    assert raised.amount == Decimal("287.98")

    report = alert_tick(now=at("2025-07-27T09:00"))  # the window and payday have passed

    [kept] = _share_warnings()
    assert kept.pk == raised.pk
    assert kept.state in (AlertState.OPEN, AlertState.NOTIFIED)
    assert kept.amount == Decimal("287.98")
    assert report.resolved == 0

    run_month(company, "2025-06")  # approved: the advance is on the ledger now
    alert_tick(now=at("2025-07-28T09:00"))

    [resolved] = _share_warnings()
    assert resolved.state == AlertState.RESOLVED
    assert resolved.events.last().note == "cause gone"


def _prepaid(company, employee, amount: str) -> None:
    """A prepayment before the leave: a credit on the ledger (as leave_prepayment_record)."""
    ArrearsEntry.objects.create(
        company=company,
        employee=employee,
        month="2025-06",
        kind=ArrearsKind.PREPAYMENT,
        amount=-Decimal(amount),
        note="休假前预缴社保个人部分",
    )


def test_a_credit_on_the_ledger_leaves_only_the_uncovered_part_as_the_gap(june_on_leave):
    company, employee = june_on_leave
    _prepaid(company, employee, "200.00")

    alert_tick(now=at("2025-07-07T09:00"))

    [alert] = _share_warnings()
    assert alert.amount == Decimal("87.98")
    assert alert.links["credit"] == "200.00"


def test_a_share_fully_prepaid_raises_no_warning(june_on_leave):
    company, employee = june_on_leave
    _prepaid(company, employee, "300.00")

    alert_tick(now=at("2025-07-07T09:00"))

    assert _share_warnings() == []
