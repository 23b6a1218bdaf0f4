"""Which enrolment covers a month: what payroll asks for every employee at once."""

from __future__ import annotations

import pytest
from tests.factories import make_company, make_employee, make_enrolment

from renshi.people.selectors import enrolment_for_month

pytestmark = pytest.mark.django_db


def test_each_state_covers_its_months_and_nothing_else(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    company = make_company()
    pending = make_enrolment(make_employee(company), start_month="2025-03", state="pending_add")
    leaving = make_enrolment(
        make_employee(company), start_month="2024-01", end_month="2025-03", state="pending_remove"
    )
    ended = make_enrolment(
        make_employee(company), start_month="2024-01", end_month="2024-12", state="ended"
    )
    cancelled = make_enrolment(
        make_employee(company), start_month="2025-04", end_month="2025-03", state="ended"
    )
    unenrolled = make_employee(company)
    ids = [e.employee_id for e in (pending, leaving, ended, cancelled)] + [unenrolled.pk]

    with django_assert_num_queries(1):
        march = enrolment_for_month(ids, "2025-03")

    assert march == {pending.employee_id: pending, leaving.employee_id: leaving}
    assert enrolment_for_month(ids, "2025-04") == {pending.employee_id: pending}
    assert enrolment_for_month(ids, "2024-12") == {
        leaving.employee_id: leaving,
        ended.employee_id: ended,
    }


def test_a_move_to_another_city_gives_each_month_its_own_enrolment() -> None:
    employee = make_employee(make_company())
    beijing = make_enrolment(employee, city="beijing", start_month="2024-01", end_month="2025-05")
    shanghai = make_enrolment(employee, city="shanghai", start_month="2025-06")

    assert enrolment_for_month([employee.pk], "2025-05") == {employee.pk: beijing}
    assert enrolment_for_month([employee.pk], "2025-06") == {employee.pk: shanghai}
