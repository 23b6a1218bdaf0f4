"""Leave types, the leave workflow and its days per month."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from renshi.access.models import Role
from renshi.attendance.models import LeaveMonth, LeaveStatus, LeaveType, PayRule
from renshi.attendance.services import (
    LeaveDatesReversedError,
    LeaveNotCancellableError,
    LeaveNotRequestedError,
    LeaveNoWorkingDayError,
    LeaveOverlapError,
    LeaveReasonTooLongError,
    LeaveTypeInactiveError,
    LeaveTypeOtherCompanyError,
    leave_record_approve,
    leave_record_cancel,
    leave_record_create,
    leave_record_reject,
    leave_types_install_defaults,
)

D = datetime.date


@pytest.fixture
def hr(make_user, grant, company):
    user = make_user()
    grant(user, company, Role.HR)
    return user


@pytest.fixture
def staff(make_employee, make_user, company):
    """An employee with a user account and no role."""
    return make_employee(company, user=make_user())


def _request(employee, leave_type, start, end, actor=None):
    return leave_record_create(
        actor=actor if actor is not None else employee.user,
        employee=employee,
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        reason="",
    )


@pytest.mark.django_db
def test_default_leave_types_are_installed_once_and_customisations_kept(company):
    created = leave_types_install_defaults(company=company)
    sick = LeaveType.objects.get(company=company, code="sick")
    sick.pay_ratio = Decimal("0.7")
    sick.save(update_fields=["pay_ratio"])

    again = leave_types_install_defaults(company=company)

    assert len(created) == 7
    assert again == []
    types = {row.code: row for row in LeaveType.objects.filter(company=company)}
    assert set(types) == {
        "annual",
        "personal",
        "sick",
        "marriage",
        "maternity",
        "bereavement",
        "work_injury",
    }
    assert types["personal"].pay_rule == PayRule.UNPAID
    assert types["sick"].pay_rule == PayRule.SICK
    assert types["sick"].pay_ratio == Decimal("0.7")
    assert {types[c].pay_rule for c in ("annual", "marriage", "maternity", "bereavement")} == {
        PayRule.PAID
    }
    assert types["work_injury"].pay_rule == PayRule.PAID


@pytest.mark.django_db
def test_a_new_company_gets_sick_leave_at_six_tenths(leave_types):
    assert leave_types["sick"].pay_ratio == Decimal("0.6")


@pytest.mark.django_db
def test_an_employee_requests_leave_and_its_working_days_are_counted(staff, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 20), D(2025, 5, 10))

    assert leave.status == LeaveStatus.REQUESTED
    assert leave.days == Decimal(34)
    assert not LeaveMonth.objects.exists()


@pytest.mark.django_db
def test_approval_splits_the_leave_into_each_months_working_days(staff, hr, leave_types):
    leave = _request(staff, leave_types["personal"], D(2025, 3, 20), D(2025, 5, 10))

    leave_record_approve(actor=hr, leave=leave)

    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    assert leave.decided_by == hr
    assert leave.decided_at is not None
    rows = list(LeaveMonth.objects.filter(leave=leave).order_by("month"))
    # March 20-31: 8; April: 22 (Apr 4 off, Sun Apr 27 worked); May 1-10: 4 (May 1-5 off).
    assert [(r.month, r.days) for r in rows] == [
        ("2025-03", Decimal(8)),
        ("2025-04", Decimal(22)),
        ("2025-05", Decimal(4)),
    ]
    assert {(r.employee_id, r.pay_rule, r.pay_ratio) for r in rows} == {
        (staff.pk, PayRule.UNPAID, Decimal(0))
    }
    assert sum(r.days for r in rows) == leave.days


@pytest.mark.django_db
def test_the_pay_ratio_is_the_leave_types_on_the_day_of_approval(staff, hr, leave_types):
    sick = leave_types["sick"]
    leave = _request(staff, sick, D(2025, 3, 3), D(2025, 3, 4))
    sick.pay_ratio = Decimal("0.8")
    sick.save(update_fields=["pay_ratio"])

    leave_record_approve(actor=hr, leave=leave)
    sick.pay_ratio = Decimal("0.5")
    sick.save(update_fields=["pay_ratio"])

    row = LeaveMonth.objects.get(leave=leave)
    assert (row.pay_rule, row.pay_ratio, row.days) == (PayRule.SICK, Decimal("0.8"), Decimal(2))


@pytest.mark.django_db
def test_a_month_of_the_leave_with_no_working_day_gets_no_row(staff, hr, leave_types):
    # 2025-05-31 (Sat, 端午节) to 2025-06-03: May has no working day in it.
    leave = _request(staff, leave_types["annual"], D(2025, 5, 31), D(2025, 6, 3))

    leave_record_approve(actor=hr, leave=leave)

    assert list(LeaveMonth.objects.values_list("month", "days")) == [("2025-06", Decimal(1))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 3, 10), D(2025, 3, 12)),  # the same days
        (D(2025, 3, 1), D(2025, 3, 10)),  # ends on its first day
        (D(2025, 3, 14), D(2025, 3, 20)),  # starts on its last day
        (D(2025, 3, 1), D(2025, 3, 31)),  # around it
    ],
)
def test_a_leave_overlapping_another_requested_leave_is_refused(staff, leave_types, start, end):
    _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    with pytest.raises(LeaveOverlapError) as caught:
        _request(staff, leave_types["personal"], start, end)

    assert caught.value.params["start"] == D(2025, 3, 10)


@pytest.mark.django_db
def test_a_leave_overlapping_an_approved_leave_is_refused(staff, hr, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_approve(actor=hr, leave=leave)

    with pytest.raises(LeaveOverlapError):
        _request(staff, leave_types["sick"], D(2025, 3, 14), D(2025, 3, 17))


@pytest.mark.django_db
def test_rejected_and_cancelled_leave_does_not_block_new_dates(staff, hr, leave_types):
    first = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_reject(actor=hr, leave=first)
    second = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_cancel(actor=staff.user, leave=second)

    third = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    assert third.status == LeaveStatus.REQUESTED


@pytest.mark.django_db
def test_other_employees_leave_on_the_same_days_is_no_overlap(
    staff, make_employee, make_user, company, leave_types
):
    colleague = make_employee(company, user=make_user())
    _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    assert _request(colleague, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14)).pk


@pytest.mark.django_db
def test_a_leave_ending_before_it_starts_is_refused(staff, leave_types):
    with pytest.raises(LeaveDatesReversedError) as caught:
        _request(staff, leave_types["annual"], D(2025, 3, 14), D(2025, 3, 10))

    assert caught.value.field == "end_date"


@pytest.mark.django_db
def test_a_leave_with_no_working_day_is_refused(staff, leave_types):
    with pytest.raises(LeaveNoWorkingDayError):
        _request(staff, leave_types["annual"], D(2025, 10, 1), D(2025, 10, 8))  # 国庆节


@pytest.mark.django_db
def test_a_leave_type_of_another_company_is_refused(staff, make_company, leave_types):
    other = make_company()
    leave_types_install_defaults(company=other)
    foreign = LeaveType.objects.get(company=other, code="annual")

    with pytest.raises(LeaveTypeOtherCompanyError) as caught:
        _request(staff, foreign, D(2025, 3, 10), D(2025, 3, 14))

    assert caught.value.field == "leave_type"


@pytest.mark.django_db
def test_a_leave_type_out_of_use_is_refused(staff, leave_types):
    annual = leave_types["annual"]
    annual.is_active = False
    annual.save(update_fields=["is_active"])

    with pytest.raises(LeaveTypeInactiveError):
        _request(staff, annual, D(2025, 3, 10), D(2025, 3, 14))


@pytest.mark.django_db
def test_a_colleague_without_a_role_cannot_request_leave_for_someone_else(
    staff, make_employee, make_user, company, leave_types
):
    colleague = make_employee(company, user=make_user())

    with pytest.raises(PermissionDenied):
        _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14), colleague.user)


@pytest.mark.django_db
def test_the_manager_of_the_department_and_hr_may_request_leave_for_an_employee(
    make_department, make_employee, make_user, grant, company, hr, leave_types
):
    sales = make_department(company)
    employee = make_employee(company, department=sales)
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=sales)

    by_manager = _request(employee, leave_types["annual"], D(2025, 3, 3), D(2025, 3, 4), manager)
    by_hr = _request(employee, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 11), hr)

    assert by_manager.status == by_hr.status == LeaveStatus.REQUESTED


@pytest.mark.django_db
def test_an_employee_cannot_approve_leave(staff, make_employee, make_user, company, leave_types):
    colleague = make_employee(company, user=make_user())
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    for actor in (staff.user, colleague.user):
        with pytest.raises(PermissionDenied):
            leave_record_approve(actor=actor, leave=leave)

    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REQUESTED


@pytest.mark.django_db
def test_a_manager_cannot_approve_their_own_leave(
    make_department, make_employee, make_user, grant, company, leave_types
):
    sales = make_department(company)
    manager = make_user()
    grant(manager, company, Role.MANAGER, department=sales)
    own = make_employee(company, department=sales, user=manager)
    leave = _request(own, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    with pytest.raises(PermissionDenied):
        leave_record_approve(actor=manager, leave=leave)

    assert not LeaveMonth.objects.exists()


@pytest.mark.django_db
def test_a_manager_of_another_department_cannot_approve(
    make_department, make_employee, make_user, grant, company, leave_types
):
    sales, support = make_department(company), make_department(company)
    employee = make_employee(company, department=sales, user=make_user())
    other_manager = make_user()
    grant(other_manager, company, Role.MANAGER, department=support)
    leave = _request(employee, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    with pytest.raises(PermissionDenied):
        leave_record_approve(actor=other_manager, leave=leave)


@pytest.mark.django_db
def test_a_rejected_leave_writes_no_days_and_cannot_be_approved_later(staff, hr, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    leave_record_reject(actor=hr, leave=leave)

    assert leave.status == LeaveStatus.REJECTED
    assert leave.decided_by == hr
    assert not LeaveMonth.objects.exists()
    with pytest.raises(LeaveNotRequestedError):
        leave_record_approve(actor=hr, leave=leave)


@pytest.mark.django_db
def test_an_approved_leave_cannot_be_approved_or_rejected_again(staff, hr, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_approve(actor=hr, leave=leave)

    with pytest.raises(LeaveNotRequestedError):
        leave_record_approve(actor=hr, leave=leave)
    with pytest.raises(LeaveNotRequestedError):
        leave_record_reject(actor=hr, leave=leave)

    assert LeaveMonth.objects.filter(leave=leave).count() == 1


@pytest.mark.django_db
def test_a_stale_copy_of_a_leave_cannot_be_approved_twice(staff, hr, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    stale = type(leave).objects.get(pk=leave.pk)
    leave_record_approve(actor=hr, leave=leave)

    with pytest.raises(LeaveNotRequestedError):
        leave_record_approve(actor=hr, leave=stale)

    assert LeaveMonth.objects.filter(leave=leave).count() == 1


@pytest.mark.django_db
def test_cancelling_an_approved_leave_removes_its_days_per_month(staff, hr, leave_types):
    leave = _request(staff, leave_types["personal"], D(2025, 3, 20), D(2025, 5, 10))
    leave_record_approve(actor=hr, leave=leave)

    leave_record_cancel(actor=hr, leave=leave)

    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    assert leave.decided_by == hr  # the approver stays on record
    assert not LeaveMonth.objects.exists()


@pytest.mark.django_db
def test_an_employee_withdraws_their_request_but_not_an_approved_leave(staff, hr, leave_types):
    requested = _request(staff, leave_types["annual"], D(2025, 3, 3), D(2025, 3, 4))
    approved = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_approve(actor=hr, leave=approved)

    leave_record_cancel(actor=staff.user, leave=requested)
    with pytest.raises(PermissionDenied):
        leave_record_cancel(actor=staff.user, leave=approved)

    assert requested.status == LeaveStatus.CANCELLED
    approved.refresh_from_db()
    assert approved.status == LeaveStatus.APPROVED
    assert LeaveMonth.objects.filter(leave=approved).count() == 1


@pytest.mark.django_db
def test_a_cancelled_or_rejected_leave_cannot_be_cancelled(staff, hr, leave_types):
    cancelled = _request(staff, leave_types["annual"], D(2025, 3, 3), D(2025, 3, 4))
    leave_record_cancel(actor=hr, leave=cancelled)
    rejected = _request(staff, leave_types["annual"], D(2025, 3, 3), D(2025, 3, 4))
    leave_record_reject(actor=hr, leave=rejected)

    for leave in (cancelled, rejected):
        with pytest.raises(LeaveNotCancellableError):
            leave_record_cancel(actor=hr, leave=leave)


@pytest.mark.django_db
def test_the_system_may_approve_any_leave(staff, leave_types):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))

    leave_record_approve(actor=None, leave=leave)

    assert leave.status == LeaveStatus.APPROVED
    assert leave.decided_by is None


@pytest.mark.django_db
def test_a_reason_longer_than_the_record_holds_is_refused(staff, leave_types):
    with pytest.raises(LeaveReasonTooLongError):
        leave_record_create(
            actor=staff.user,
            employee=staff,
            leave_type=leave_types["annual"],
            start_date=D(2025, 3, 10),
            end_date=D(2025, 3, 14),
            reason="病" * 501,
        )


@pytest.mark.django_db
def test_a_stranger_learns_nothing_by_cancelling_a_decided_leave(
    staff, make_employee, make_user, hr, company, leave_types
):
    leave = _request(staff, leave_types["annual"], D(2025, 3, 10), D(2025, 3, 14))
    leave_record_reject(actor=hr, leave=leave)
    stranger = make_employee(company, user=make_user())

    with pytest.raises(PermissionDenied):
        leave_record_cancel(actor=stranger.user, leave=leave)
