"""Warnings raised by the rules at a simulated moment: on time, once, and resolved when their
cause is gone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.alerts import services
from renshi.alerts.models import Alert, AlertState, RuleKind, WarningRule
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.payroll import services as payroll
from renshi.payroll.models import ArrearsEntry

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def _standing(kind: str) -> list[Alert]:
    return list(
        Alert.objects.filter(rule__kind=kind, state__in=["open", "notified", "acknowledged"])
    )


@pytest.fixture
def story():
    """The seed story's employee: 事假 from 2025-06-06 to 2025-08-31 at a 6000 wage."""
    company = make_company(code="acme", payday=10)
    employee = make_employee(company, number="E001", hire_date=datetime.date(2021, 3, 15))
    make_enrolment(
        employee,
        base=Decimal("7088.75"),
        start_month="2021-03",
        housing_fund_rate=Decimal("0.12"),
    )
    assign_salary(employee, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=LeaveType.objects.get(company=company, code="personal"),
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 8, 31),
        reason="",
    )
    leave_record_approve(actor=None, leave=leave)
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)
    return company, employee


def test_the_share_warning_appears_three_days_before_payday_and_only_once(story):
    company, employee = story

    services.alert_tick(now=at("2025-07-06T23:59"))
    assert _standing(RuleKind.SHARE_NOT_COVERED) == []

    report = services.alert_tick(now=at("2025-07-07T08:00"))
    again = services.alert_tick(now=at("2025-07-07T09:00"))

    [alert] = _standing(RuleKind.SHARE_NOT_COVERED)
    assert report.raised >= 1
    assert again.raised == 0
    assert alert.employee == employee
    assert alert.month == "2025-06"
    # June: 6000 − 6000 × 17 ÷ 21.75 = 1310.34 of pay against a share of 1598.32.
    assert alert.amount == Decimal("287.98")
    assert alert.links["payday"] == "2025-07-10"


def test_approving_the_month_resolves_the_projection_and_the_ledger_takes_over(story):
    company, employee = story
    services.alert_tick(now=at("2025-07-07T08:00"))

    run_month(company, "2025-06")
    services.alert_tick(now=at("2025-07-08T08:00"))

    [alert] = Alert.objects.filter(rule__kind=RuleKind.SHARE_NOT_COVERED)
    assert alert.state == AlertState.RESOLVED
    assert alert.events.last().note == "cause gone"
    # 287.98 owed is under the 500 threshold: no arrears warning yet.
    assert _standing(RuleKind.ARREARS_OVER) == []


def test_arrears_over_500_is_raised_follows_the_balance_and_a_repayment_closes_it(story):
    company, employee = story
    for month in ("2025-06", "2025-07", "2025-08"):
        run_month(company, month)

    services.alert_tick(now=at("2025-09-01T08:00"))
    [alert] = _standing(RuleKind.ARREARS_OVER)
    assert alert.amount == Decimal("3500.00")
    assert set(alert.links["arrears_entries"]) == set(
        ArrearsEntry.objects.filter(employee=employee).values_list("id", flat=True)
    )

    payroll.arrears_repayment_record(
        actor=None, employee=employee, amount="3000", paid_on=datetime.date(2025, 9, 2)
    )
    services.alert_tick(now=at("2025-09-02T08:00"))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED  # 500.00 left is not above the threshold


def test_leave_over_ten_days_in_a_month_is_flagged(story):
    services.alert_tick(now=at("2025-06-02T08:00"))

    causes = {alert.month for alert in _standing(RuleKind.LEAVE_OVER_DAYS)}
    assert causes == {"2025-06", "2025-07"}  # this month and the next one ahead


def test_a_leaver_is_flagged_30_days_ahead_and_again_on_the_day(story):
    company, employee = story
    from renshi.people.services import employee_resign

    employee_resign(actor=None, employee=employee, leave_date=datetime.date(2025, 9, 12))

    services.alert_tick(now=at("2025-08-10T08:00"))
    assert _standing(RuleKind.LEAVER_NOT_REMOVED) == []
    services.alert_tick(now=at("2025-08-14T08:00"))
    [ahead] = _standing(RuleKind.LEAVER_NOT_REMOVED)
    assert ahead.cause.endswith(":ahead")

    services.alert_tick(now=at("2025-09-12T08:00"))
    [due] = _standing(RuleKind.LEAVER_NOT_REMOVED)
    assert due.cause.endswith(":due")
    ahead.refresh_from_db()
    assert ahead.state == AlertState.RESOLVED


def test_the_contribution_deadline_is_a_reminder_from_three_days_before_the_25th(story):
    services.alert_tick(now=at("2025-09-21T08:00"))
    assert _standing(RuleKind.CONTRIBUTION_DEADLINE) == []

    services.alert_tick(now=at("2025-09-22T08:00"))
    [alert] = _standing(RuleKind.CONTRIBUTION_DEADLINE)
    assert alert.params["deadline"] == "2025-09-25"

    services.alert_tick(now=at("2025-09-26T08:00"))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_an_employee_without_enrolment_is_flagged_but_a_flexible_worker_is_not():
    company = make_company(code="acme")
    staff = make_employee(company, number="E001", hire_date=datetime.date(2025, 1, 1))
    make_employee(
        company, number="F001", hire_date=datetime.date(2025, 1, 1), employment_type="flexible"
    )

    services.alert_tick(now=at("2025-09-01T08:00"))

    assert [a.employee for a in _standing(RuleKind.CONTRIBUTIONS_BROKEN)] == [staff]


def test_a_month_without_a_policy_period_is_flagged_for_the_city():
    company = make_company(code="acme")
    employee = make_employee(company, number="E001", hire_date=datetime.date(2025, 1, 1))
    make_enrolment(employee, start_month="2025-01")

    services.alert_tick(now=at("2031-01-05T08:00"))

    causes = {alert.cause for alert in _standing(RuleKind.POLICY_PERIOD_MISSING)}
    assert "policy_period_missing:beijing:2031-01" in causes


def test_a_base_below_the_actual_wage_is_flagged_from_the_latest_approved_month():
    company = make_company(code="acme")
    employee = make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))
    make_enrolment(employee, base=Decimal("8000"), start_month="2024-01")
    assign_salary(employee, base="15000", month="2024-01")
    run_month(company, "2025-08")

    services.alert_tick(now=at("2025-09-01T08:00"))

    [alert] = _standing(RuleKind.BASE_BELOW_WAGE)
    assert alert.amount == Decimal("7000.00")


def test_rules_are_data_a_rule_turned_off_raises_nothing(story):
    company, _ = story
    services.warning_rules_install_defaults(company=company)
    WarningRule.objects.filter(company=company, kind=RuleKind.LEAVE_OVER_DAYS).update(
        is_active=False
    )

    services.alert_tick(now=at("2025-06-02T08:00"))

    assert _standing(RuleKind.LEAVE_OVER_DAYS) == []
    assert WarningRule.objects.filter(company=company).count() == len(RuleKind.choices)


def test_a_dismissal_needs_a_reason_and_keeps_the_history(story):
    services.alert_tick(now=at("2025-06-02T08:00"))
    alert = _standing(RuleKind.LEAVE_OVER_DAYS)[0]

    with pytest.raises(services.ReasonRequiredError):
        services.alert_dismiss(actor=None, alert=alert, reason=" ")
    services.alert_acknowledge(actor=None, alert=alert)
    services.alert_dismiss(actor=None, alert=alert, reason="已与员工面谈，请假属实")
    with pytest.raises(services.AlertStateError):
        services.alert_acknowledge(actor=None, alert=alert)

    assert [e.action for e in alert.events.all()] == ["raise", "acknowledge", "dismiss"]
    # A person judged this cause: the next evaluation does not raise it again.
    services.alert_tick(now=at("2025-06-02T09:00"))
    assert Alert.objects.filter(cause=alert.cause).count() == 1
