"""The enrolment changes due this month: leavers to remove (overdue first), new hires to enrol,
base adjustments taking effect, each confirmed from the page through its service."""

from __future__ import annotations

import datetime

import pytest
from tests.factories import make_employee, make_enrolment

from renshi.payroll.models import BaseAdjustment
from renshi.people.models import EnrolmentAction, EnrolmentChange, EnrolmentState
from renshi.people.services import employee_resign

pytestmark = pytest.mark.django_db


def _numbers(items) -> list[str]:
    return [item.enrolment.employee.number for item in items]


@pytest.fixture
def leavers(acme):
    """A003 left on 20 October (减员 due from 1 November); A004 on 15 September (overdue)."""
    employee_resign(
        actor=None, employee=acme.employees["A003"], leave_date=datetime.date(2025, 10, 20)
    )
    employee_resign(
        actor=None, employee=acme.employees["A004"], leave_date=datetime.date(2025, 9, 15)
    )
    return acme


def test_the_clerk_sees_leavers_due_this_month_overdue_first(client, leavers):
    client.force_login(leavers.clerk)

    page = client.get("/work/enrolments/")

    removals = page.context["due"].removals
    assert _numbers(removals) == ["A004", "A003"]
    assert [item.is_overdue for item in removals] == [True, False]
    assert removals[1].due == datetime.date(2025, 11, 1)
    html = page.content.decode()
    assert 'class="enrol-removal table-danger" data-employee="A004"' in html
    assert 'class="enrol-removal" data-employee="A003"' in html


def test_confirming_a_removal_ends_the_enrolment(client, leavers):
    enrolment = leavers.employees["A003"].enrolments.get()
    client.force_login(leavers.clerk)

    page = client.post(f"/work/enrolments/{enrolment.pk}/confirm/?company=acme", follow=True)

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENDED
    assert EnrolmentChange.objects.filter(
        enrolment=enrolment, action=EnrolmentAction.REMOVE_CONFIRMED, actor=leavers.clerk
    ).exists()
    enrolment.employee.refresh_from_db()
    assert enrolment.employee.status == "left"  # their last day was before "today"
    assert _numbers(page.context["due"].removals) == ["A004"]
    assert any("A003" in str(m) for m in page.context["messages"])


def test_a_new_hire_is_enrolled_from_the_page(client, acme):
    hire = make_employee(
        acme.company, number="A010", name="新人", hire_date=datetime.date(2025, 11, 3)
    )
    pending = make_enrolment(hire, start_month="2025-11", state=EnrolmentState.PENDING_ADD)
    later = make_employee(acme.company, number="A011", hire_date=datetime.date(2025, 12, 1))
    make_enrolment(later, start_month="2025-12", state=EnrolmentState.PENDING_ADD)
    client.force_login(acme.hr)

    page = client.get("/work/enrolments/")
    client.post(f"/work/enrolments/{pending.pk}/confirm/?company=acme")

    assert _numbers(page.context["due"].additions) == ["A010"]  # December's is not due yet
    pending.refresh_from_db()
    assert pending.state == EnrolmentState.ACTIVE


def test_a_refused_confirmation_is_a_message_and_changes_nothing(client, acme):
    active = acme.employees["A001"].enrolments.get()
    client.force_login(acme.clerk)

    page = client.post(f"/work/enrolments/{active.pk}/confirm/?company=acme", follow=True)

    active.refresh_from_db()
    assert active.state == EnrolmentState.ACTIVE
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert not EnrolmentChange.objects.filter(enrolment=active).exists()


def test_a_base_adjustment_taking_effect_is_applied_from_the_page(client, acme):
    adjustment = BaseAdjustment.objects.create(
        company=acme.company, reference_year=2024, effective_month="2025-11"
    )
    BaseAdjustment.objects.create(
        company=acme.company, reference_year=2025, effective_month="2026-07"
    )
    client.force_login(acme.clerk)

    page = client.get("/work/enrolments/")
    client.post(f"/work/enrolments/adjustments/{adjustment.pk}/apply/?company=acme")

    assert page.context["due"].adjustments == [adjustment]
    adjustment.refresh_from_db()
    assert adjustment.is_applied


def test_finance_and_managers_may_not_confirm(client, leavers):
    enrolment = leavers.employees["A003"].enrolments.get()
    for user in (leavers.finance, leavers.manager):
        client.force_login(user)
        assert client.get("/work/enrolments/").status_code == 403
        url = f"/work/enrolments/{enrolment.pk}/confirm/?company=acme"
        assert client.post(url).status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.PENDING_REMOVE


def test_the_dashboard_counts_the_changes_due(client, leavers):
    client.force_login(leavers.hr)

    due = client.get("/work/").context["due"]

    assert due.count == 2
