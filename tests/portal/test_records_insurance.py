"""The insurance history in the portal: every month of the employment with a clear status per
item (contributed, advanced and since settled, owed, broken off, pending), the FIFO rule deciding
which advances are still owed, and the overview's summary of it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from tests.factories import make_user
from tests.portal.records_fixtures import PASSWORD, build_story

from renshi.payroll import services
from renshi.portal.insurance import Status, insurance_history
from renshi.portal.records_summary import records_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(settings):
    return build_story(settings)


def _statuses(history):
    return {row.month: row.status for row in history.months}


def _item(history, month, code):
    row = next(row for row in history.months if row.month == month)
    return next(item for item in row.items if item.code == code)


def test_every_month_of_the_employment_has_its_status(story):
    history = insurance_history(actor=story.wang.user, employee=story.wang)

    assert _statuses(history) == {
        "2025-07": Status.BROKEN_OFF,  # her enrolment ended in June
        "2025-06": Status.PENDING,  # enrolled; the run is calculated, not approved
        "2025-05": Status.PAID,
        "2025-04": Status.OWED,
        "2025-03": Status.ADVANCED,
        "2025-02": Status.PAID,
        "2025-01": Status.PAID,
    }
    assert history.columns == ("pension", "medical", "unemployment", "work_injury", "housing_fund")


def test_credits_settle_the_oldest_advance_first(story):
    # Advanced 2253.00 in March and in April; May recovered 2000.00 and she repaid 1000.00.
    history = insurance_history(actor=story.wang.user, employee=story.wang)

    march = [
        (_item(history, "2025-03", c).status, _item(history, "2025-03", c).outstanding)
        for c in ("pension", "medical", "unemployment", "housing_fund")
    ]
    assert march == [(Status.ADVANCED, Decimal("0.00"))] * 4
    pension = _item(history, "2025-04", "pension")
    assert (pension.status, pension.settled, pension.outstanding) == (
        Status.OWED,
        Decimal("747.00"),
        Decimal("53.00"),
    )
    assert _item(history, "2025-04", "housing_fund").outstanding == Decimal("1200.00")
    # Work injury has no employee share: never advanced, contributed by the employer.
    assert _item(history, "2025-04", "work_injury").status == Status.PAID
    assert history.advances_outstanding == history.balance == Decimal("1506.00")


def test_a_later_repayment_turns_the_owed_month_to_settled(story):
    services.arrears_repayment_record(
        actor=None, employee=story.wang, amount="1506.00", paid_on=datetime.date(2025, 7, 10)
    )

    history = insurance_history(actor=story.wang.user, employee=story.wang)

    assert _statuses(history)["2025-04"] == Status.ADVANCED
    assert history.balance == Decimal("0.00")
    assert history.months_advanced == 2


def test_the_page_shows_the_summary_the_rule_and_the_policy_used(client, story):
    assert client.login(username="wangfang", password=PASSWORD)

    response = client.get("/me/insurance/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="months-contributed">5<', html)
    assert re.search(r'id="months-broken-off">1<', html)
    assert re.search(r'id="months-advanced">2<', html)
    assert 'id="owed-now">¥1506.00<' in html
    assert 'id="fifo-rule"' in html
    assert 'href="/policies/beijing/"' in html
    assert "2024-07..2025-06" in html
    statuses = dict(re.findall(r'data-month="([\d-]+)" data-status="(\w+)"', html))
    assert statuses["2025-04"] == "owed"
    assert statuses["2025-03"] == "advanced"
    assert statuses["2025-07"] == "broken_off"


def test_an_open_enrolment_makes_a_month_without_an_approved_payroll_pending(story):
    story.wang.enrolments.update(end_month="")

    history = insurance_history(actor=story.wang.user, employee=story.wang)

    assert _statuses(history)["2025-07"] == Status.PENDING
    assert history.months_broken_off == 0


def test_the_history_starts_at_the_companys_first_approved_payroll(story):
    # Hired in 2021: the months before January 2025 were never recorded here.
    history = insurance_history(actor=story.wang.user, employee=story.wang)

    assert history.first_month == "2025-01"


def test_months_of_approved_payrolls_without_a_payslip_are_broken_off(story):
    newcomer = story.company.employees.create(
        number="HX0098",
        name="赵新",
        gender="male",
        birth_date=datetime.date(2000, 1, 1),
        hire_date=datetime.date(2025, 4, 1),
        user=make_user("zhaoxin"),
    )

    history = insurance_history(actor=newcomer.user, employee=newcomer)

    assert _statuses(history) == dict.fromkeys(
        ["2025-07", "2025-06", "2025-05", "2025-04"], Status.BROKEN_OFF
    )
    with translation.override("en"):
        reasons = {row.month: str(row.reason) for row in history.months}
    assert reasons["2025-05"] == "You were not on this month's approved payroll."
    assert reasons["2025-06"] == "No enrolment covers this month."


def test_a_former_employees_history_ends_with_the_leave_month(story):
    story.wang.status = "left"
    story.wang.leave_date = datetime.date(2025, 5, 31)
    story.wang.save(update_fields=["status", "leave_date"])

    history = insurance_history(actor=story.wang.user, employee=story.wang)

    assert history.months[0].month == "2025-05"
    assert history.months_broken_off == 0


def test_the_overview_summary_agrees_with_the_page_in_a_few_queries(story):
    with CaptureQueriesContext(connection) as queries:
        summary = records_summary(actor=story.wang.user, employee=story.wang)

    assert len(queries) <= 8
    history = insurance_history(actor=story.wang.user, employee=story.wang)
    assert summary.months_contributed == history.months_contributed == 5
    assert summary.months_broken_off == history.months_broken_off == 1
    assert summary.latest_contribution_month == history.latest_contribution == "2025-05"
    assert summary.latest_payslip_month == "2025-05"
    assert summary.latest_payslip_net == Decimal("5747.00")
    assert summary.owed == Decimal("1506.00")
    assert summary.notices_awaiting == 1
    assert summary.newest_awaiting_notice_id == story.notice.pk


def test_the_summary_of_someone_with_nothing_yet_is_empty(story):
    newcomer = story.company.employees.create(
        number="HX0099",
        name="新人",
        gender="male",
        birth_date=datetime.date(2000, 1, 1),
        hire_date=datetime.date(2025, 7, 14),
        user=make_user("newcomer"),
    )

    summary = records_summary(actor=newcomer.user, employee=newcomer)

    assert summary.latest_payslip_id is None
    assert summary.owed == Decimal("0.00")
    assert summary.notices_awaiting == 0
    assert summary.months_contributed == 0
    assert summary.months_broken_off == 1  # July: employed, no enrolment
