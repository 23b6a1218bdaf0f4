"""Monthly attendance figures: recorded once per employee and month, checked, by HR."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from renshi.access.models import Role
from renshi.attendance.models import AttendanceMonth
from renshi.attendance.services import (
    AttendanceDaysOverScheduledError,
    AttendanceDecimalError,
    AttendanceHalfDayError,
    AttendanceNegativeError,
    AttendanceScheduledOverMonthError,
    attendance_month_set,
)
from renshi.core.months import MonthFormatError


@pytest.fixture
def hr(make_user, grant, company):
    user = make_user()
    grant(user, company, Role.HR)
    return user


@pytest.fixture
def employee(make_employee, company):
    return make_employee(company)


def _set(actor, employee, **figures):
    values = {"month": "2025-10", "scheduled_days": 18, "days_worked": 18, **figures}
    return attendance_month_set(actor=actor, employee=employee, **values)


@pytest.mark.django_db
def test_setting_a_month_twice_replaces_the_figures(hr, employee):
    _set(hr, employee, days_worked=15, absence_days=1)

    row = _set(hr, employee, days_worked="16.5", absence_days="0.5", overtime_hours="3.5")

    assert AttendanceMonth.objects.count() == 1
    row.refresh_from_db()
    assert (row.scheduled_days, row.days_worked, row.absence_days, row.overtime_hours) == (
        Decimal(18),
        Decimal("16.5"),
        Decimal("0.5"),
        Decimal("3.5"),
    )
    assert row.source == "manual"


@pytest.mark.django_db
def test_days_worked_and_absence_may_fill_the_scheduled_days_exactly(hr, employee):
    row = _set(hr, employee, days_worked="17.5", absence_days="0.5")

    assert row.days_worked + row.absence_days == row.scheduled_days


@pytest.mark.django_db
def test_days_worked_and_absence_over_the_scheduled_days_are_refused(hr, employee):
    with pytest.raises(AttendanceDaysOverScheduledError) as caught:
        _set(hr, employee, days_worked=18, absence_days="0.5")

    assert caught.value.field == "days_worked"
    assert not AttendanceMonth.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("figures", "error", "field"),
    [
        ({"days_worked": -1}, AttendanceNegativeError, "days_worked"),
        ({"absence_days": "-0.5"}, AttendanceNegativeError, "absence_days"),
        ({"overtime_hours": -2}, AttendanceNegativeError, "overtime_hours"),
        ({"days_worked": "10.3"}, AttendanceHalfDayError, "days_worked"),
        ({"scheduled_days": "17.25"}, AttendanceDecimalError, "scheduled_days"),
        ({"overtime_hours": "1.25"}, AttendanceDecimalError, "overtime_hours"),
        ({"days_worked": "many"}, AttendanceDecimalError, "days_worked"),
        ({"scheduled_days": 32, "days_worked": 0}, AttendanceScheduledOverMonthError, None),
    ],
)
def test_figures_that_are_not_whole_or_half_days_within_the_month_are_refused(
    hr, employee, figures, error, field
):
    with pytest.raises(error) as caught:
        _set(hr, employee, **figures)

    assert caught.value.field == (field or "scheduled_days")


@pytest.mark.django_db
def test_a_month_not_written_yyyy_mm_is_refused(hr, employee):
    with pytest.raises(MonthFormatError):
        _set(hr, employee, month="2025-13")


@pytest.mark.django_db
def test_only_hr_sets_attendance_not_a_manager_nor_the_employee(
    make_department, make_employee, make_user, grant, company, hr
):
    sales = make_department(company)
    employee = make_employee(company, department=sales, user=make_user())
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=sales)

    with pytest.raises(PermissionDenied):
        _set(manager, employee)
    with pytest.raises(PermissionDenied):
        _set(employee.user, employee)

    assert _set(hr, employee).pk
