"""The back office's time and leave pages go through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from renshi.access.models import Role
from renshi.attendance.models import (
    AttendanceMonth,
    LeaveMonth,
    LeaveRecord,
    LeaveStatus,
    LeaveType,
)
from renshi.attendance.services import leave_record_create, leave_types_install_defaults

D = datetime.date


@pytest.fixture
def admin_client_(make_user) -> Client:
    client = Client()
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def _leave(employee, leave_type):
    return leave_record_create(
        actor=None,
        employee=employee,
        leave_type=leave_type,
        start_date=D(2025, 3, 10),
        end_date=D(2025, 3, 14),
        reason="",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["leavetype", "leaverecord", "leavemonth", "attendancemonth"])
def test_the_time_and_leave_pages_open(admin_client_, model, make_employee, company, leave_types):
    _leave(make_employee(company), leave_types["annual"])

    assert admin_client_.get(f"/admin/attendance/{model}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["leavetype", "leaverecord", "attendancemonth"])
def test_the_add_forms_open(admin_client_, model):
    assert admin_client_.get(f"/admin/attendance/{model}/add/").status_code == 200


@pytest.mark.django_db
def test_the_approve_action_approves_through_the_service(
    admin_client_, make_employee, company, leave_types
):
    leave = _leave(make_employee(company), leave_types["annual"])

    response = admin_client_.post(
        "/admin/attendance/leaverecord/", {"action": "approve", "_selected_action": [leave.pk]}
    )

    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    assert LeaveMonth.objects.get(leave=leave).days == Decimal(5)


@pytest.mark.django_db
def test_rejecting_an_approved_leave_is_reported_not_done(
    admin_client_, make_employee, company, leave_types
):
    leave = _leave(make_employee(company), leave_types["annual"])
    admin_client_.post(
        "/admin/attendance/leaverecord/",
        {"action": "approve", "_selected_action": [leave.pk]},
        follow=True,  # shows (and so consumes) the approval's message
    )

    response = admin_client_.post(
        "/admin/attendance/leaverecord/",
        {"action": "reject", "_selected_action": [leave.pk]},
        follow=True,
    )

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


@pytest.mark.django_db
def test_adding_leave_in_the_back_office_counts_days_and_refuses_overlap(
    admin_client_, make_employee, company, leave_types
):
    employee = make_employee(company)
    form = {
        "employee": employee.pk,
        "leave_type": leave_types["annual"].pk,
        "start_date": "2025-03-20",
        "end_date": "2025-05-10",
        "reason": "",
    }

    created = admin_client_.post("/admin/attendance/leaverecord/add/", form)
    overlapping = admin_client_.post(
        "/admin/attendance/leaverecord/add/", {**form, "start_date": "2025-05-09"}
    )

    assert created.status_code == 302
    assert LeaveRecord.objects.get().days == Decimal(34)
    assert overlapping.status_code == 200
    assert overlapping.context["adminform"].form.non_field_errors()
    assert LeaveRecord.objects.count() == 1


@pytest.mark.django_db
def test_attendance_entered_in_the_back_office_is_checked_and_replaced_on_change(
    admin_client_, make_employee, company
):
    employee = make_employee(company)
    form = {
        "employee": employee.pk,
        "month": "2025-10",
        "scheduled_days": "18",
        "days_worked": "17.5",
        "absence_days": "0.5",
        "overtime_hours": "0",
        "source": "manual",
    }

    too_many = admin_client_.post(
        "/admin/attendance/attendancemonth/add/", {**form, "days_worked": "18"}
    )
    created = admin_client_.post("/admin/attendance/attendancemonth/add/", form)
    row = AttendanceMonth.objects.get()
    changed = admin_client_.post(
        f"/admin/attendance/attendancemonth/{row.pk}/change/",
        {**form, "days_worked": "16", "absence_days": "2"},
    )

    assert too_many.status_code == 200
    assert too_many.context["adminform"].form.non_field_errors()
    assert created.status_code == 302
    assert changed.status_code == 302
    row.refresh_from_db()
    assert (row.days_worked, row.absence_days) == (Decimal(16), Decimal(2))


@pytest.mark.django_db
def test_back_office_staff_see_only_the_leave_their_roles_allow(
    make_user, make_company, make_employee, grant, company, leave_types
):
    ours = _leave(make_employee(company), leave_types["annual"])
    elsewhere = make_company()
    leave_types_install_defaults(company=elsewhere)
    theirs = _leave(
        make_employee(elsewhere), LeaveType.objects.get(company=elsewhere, code="annual")
    )
    hr = make_user(is_staff=True)
    hr.user_permissions.add(Permission.objects.get(codename="view_leaverecord"))
    grant(hr, company, Role.HR)
    client = Client()
    client.force_login(hr)

    response = client.get("/admin/attendance/leaverecord/")

    shown = {leave.pk for leave in response.context["cl"].result_list}
    assert shown == {ours.pk}
    assert theirs.pk not in shown
