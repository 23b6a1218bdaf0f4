"""Payroll's time inputs, and the leave list each role may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from renshi.access.models import Role
from renshi.attendance.models import LeaveStatus, LeaveType
from renshi.attendance.selectors import TimeSummary, leave_list, time_inputs_for_month
from renshi.attendance.services import (
    attendance_month_set,
    leave_record_approve,
    leave_record_cancel,
    leave_record_create,
    leave_types_install_defaults,
)

D = datetime.date


def _approved(employee, leave_type, start, end):
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        reason="",
    )
    return leave_record_approve(actor=None, leave=leave)


@pytest.mark.django_db
def test_an_employee_with_no_rows_gets_the_calendars_scheduled_days(make_employee, company):
    employee = make_employee(company)

    summary = time_inputs_for_month(employee_ids=[employee.pk], month="2025-10")

    # October 2025: 23 weekdays, six of them in the National Day holiday, Sat Oct 11 worked.
    assert summary == {
        employee.pk: TimeSummary(
            scheduled_days=Decimal(18),
            days_worked=Decimal(18),
            unpaid_days=Decimal(0),
            sick_days=Decimal(0),
            sick_pay_ratio=Decimal(1),
            paid_leave_days=Decimal(0),
            is_attendance_recorded=False,
        )
    }


@pytest.mark.django_db
def test_unpaid_leave_and_absence_add_up_to_the_unpaid_days(make_employee, company, leave_types):
    employee = make_employee(company)
    _approved(employee, leave_types["personal"], D(2025, 3, 3), D(2025, 3, 5))  # 3 days
    _approved(employee, leave_types["personal"], D(2025, 3, 10), D(2025, 3, 10))  # 1 day
    _approved(employee, leave_types["annual"], D(2025, 3, 17), D(2025, 3, 18))  # 2 days
    attendance_month_set(
        actor=None,
        employee=employee,
        month="2025-03",
        scheduled_days=21,
        days_worked="13.5",
        absence_days="1.5",
    )

    summary = time_inputs_for_month(employee_ids=[employee.pk], month="2025-03")[employee.pk]

    assert summary.unpaid_days == Decimal("5.5")  # 3 + 1 days of 事假, 1.5 days absent
    assert summary.paid_leave_days == Decimal(2)
    assert summary.scheduled_days == Decimal(21)
    assert summary.days_worked == Decimal("13.5")
    assert summary.is_attendance_recorded


@pytest.mark.django_db
def test_recorded_scheduled_days_replace_the_calendars(make_employee, company):
    employee = make_employee(company)
    attendance_month_set(
        actor=None, employee=employee, month="2025-10", scheduled_days=22, days_worked=22
    )

    summary = time_inputs_for_month(employee_ids=[employee.pk], month="2025-10")[employee.pk]

    assert (summary.scheduled_days, summary.days_worked) == (Decimal(22), Decimal(22))


@pytest.mark.django_db
def test_sick_days_carry_the_lowest_ratio_of_the_month(make_employee, company, leave_types):
    employee = make_employee(company)
    sick = leave_types["sick"]
    _approved(employee, sick, D(2025, 3, 3), D(2025, 3, 4))  # 2 days at 0.6
    sick.pay_ratio = Decimal("0.8")
    sick.save(update_fields=["pay_ratio"])
    _approved(employee, sick, D(2025, 3, 10), D(2025, 3, 12))  # 3 days at 0.8

    summary = time_inputs_for_month(employee_ids=[employee.pk], month="2025-03")[employee.pk]

    assert summary.sick_days == Decimal(5)
    assert summary.sick_pay_ratio == Decimal("0.6")
    assert summary.days_worked == Decimal(16)  # 21 scheduled, 5 sick, nothing recorded


@pytest.mark.django_db
def test_only_the_months_share_of_a_long_leave_counts(make_employee, company, leave_types):
    employee = make_employee(company)
    _approved(employee, leave_types["personal"], D(2025, 3, 20), D(2025, 5, 10))

    summaries = {
        month: time_inputs_for_month(employee_ids=[employee.pk], month=month)[employee.pk]
        for month in ("2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
    }

    assert {month: s.unpaid_days for month, s in summaries.items()} == {
        "2025-02": Decimal(0),
        "2025-03": Decimal(8),
        "2025-04": Decimal(22),
        "2025-05": Decimal(4),
        "2025-06": Decimal(0),
    }
    assert summaries["2025-04"].days_worked == Decimal(0)


@pytest.mark.django_db
def test_requested_and_cancelled_leave_do_not_count(make_employee, company, leave_types):
    employee = make_employee(company)
    leave_record_create(
        actor=None,
        employee=employee,
        leave_type=leave_types["personal"],
        start_date=D(2025, 3, 3),
        end_date=D(2025, 3, 4),
        reason="",
    )
    cancelled = _approved(employee, leave_types["personal"], D(2025, 3, 10), D(2025, 3, 11))
    leave_record_cancel(actor=None, leave=cancelled)

    summary = time_inputs_for_month(employee_ids=[employee.pk], month="2025-03")[employee.pk]

    assert summary.unpaid_days == Decimal(0)


@pytest.mark.django_db
@pytest.mark.parametrize("headcount", [1, 40])
def test_time_inputs_take_two_queries_whatever_the_headcount(
    make_employee, company, leave_types, django_assert_num_queries, headcount
):
    employees = [make_employee(company) for _ in range(headcount)]
    for employee in employees:
        _approved(employee, leave_types["sick"], D(2025, 3, 3), D(2025, 3, 4))
        _approved(employee, leave_types["personal"], D(2025, 3, 5), D(2025, 3, 5))
        attendance_month_set(
            actor=None,
            employee=employee,
            month="2025-03",
            scheduled_days=21,
            days_worked=17,
            absence_days=1,
        )
    ids = [employee.pk for employee in employees]

    with django_assert_num_queries(2):
        summaries = time_inputs_for_month(employee_ids=ids, month="2025-03")

    assert len(summaries) == headcount
    assert {(s.unpaid_days, s.sick_days, s.sick_pay_ratio) for s in summaries.values()} == {
        (Decimal(2), Decimal(2), Decimal("0.6"))
    }


@pytest.mark.django_db
def test_no_employees_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert time_inputs_for_month(employee_ids=[], month="2025-03") == {}


@pytest.fixture
def leave_world(make_department, make_employee, make_user, make_company, company, leave_types):
    """Sales (with a sub-team) and support, one leave each; another company's leave."""
    sales = make_department(company)
    sales_north = make_department(company, parent=sales)
    support = make_department(company)
    people = {
        "seller": make_employee(company, department=sales, user=make_user()),
        "north": make_employee(company, department=sales_north),
        "supporter": make_employee(company, department=support, user=make_user()),
    }
    leaves = {
        name: leave_record_create(
            actor=None,
            employee=employee,
            leave_type=leave_types["annual"],
            start_date=D(2025, 3, 3),
            end_date=D(2025, 3, 4),
            reason="",
        )
        for name, employee in people.items()
    }
    elsewhere = make_company()
    leave_types_install_defaults(company=elsewhere)
    outsider = make_employee(elsewhere)
    leave_record_create(
        actor=None,
        employee=outsider,
        leave_type=LeaveType.objects.get(company=elsewhere, code="annual"),
        start_date=D(2025, 3, 3),
        end_date=D(2025, 3, 4),
        reason="",
    )
    return {"sales": sales, "people": people, "leaves": leaves}


def _names(records, world):
    by_id = {leave.pk: name for name, leave in world["leaves"].items()}
    return {by_id.get(record.pk, "outsider") for record in records}


@pytest.mark.django_db
def test_a_manager_lists_the_leave_of_their_department_and_below(
    leave_world, make_user, grant, company
):
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=leave_world["sales"])

    assert _names(leave_list(actor=manager, company=company), leave_world) == {"seller", "north"}


@pytest.mark.django_db
def test_an_employee_lists_only_their_own_leave(leave_world, company):
    seller = leave_world["people"]["seller"]

    assert _names(leave_list(actor=seller.user, company=company), leave_world) == {"seller"}


@pytest.mark.django_db
def test_hr_and_auditors_list_all_the_companys_leave_and_no_other(
    leave_world, make_user, grant, company
):
    hr, auditor = make_user(), make_user()
    grant(hr, company, Role.HR)
    grant(auditor, company, Role.AUDITOR)

    for actor in (hr, auditor):
        assert _names(leave_list(actor=actor, company=company), leave_world) == {
            "seller",
            "north",
            "supporter",
        }


@pytest.mark.django_db
def test_finance_without_leave_access_lists_nothing(leave_world, make_user, grant, company):
    finance = make_user()
    grant(finance, company, Role.FINANCE)

    assert not leave_list(actor=finance, company=company).exists()


@pytest.mark.django_db
def test_the_leave_list_filters_by_status_employee_and_dates(leave_world, company):
    north = leave_world["leaves"]["north"]
    leave_record_approve(actor=None, leave=north)

    approved = leave_list(actor=None, company=company, status=LeaveStatus.APPROVED)
    by_employee = leave_list(actor=None, company=company, employee_id=north.employee_id)
    touching = leave_list(actor=None, company=company, date_from=D(2025, 3, 4))
    after = leave_list(actor=None, company=company, date_from=D(2025, 3, 5))
    before = leave_list(actor=None, company=company, date_to=D(2025, 3, 2))

    assert [r.pk for r in approved] == [north.pk]
    assert [r.pk for r in by_employee] == [north.pk]
    assert touching.count() == 3
    assert not after.exists()
    assert not before.exists()
