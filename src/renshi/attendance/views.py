"""The employee's own leave: a request that shows its cost before submission, and the list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from renshi import clock
from renshi.attendance.forms import LeaveRequestForm
from renshi.attendance.selectors import leave_list
from renshi.core.errors import CoreError
from renshi.payroll.leave_cost import (
    LeaveCost,
    LeaveCostError,
    leave_cost_estimate,
    leave_request_submit,
)
from renshi.people.models import Employee
from renshi.people.selectors import employee_has_left


def _own_employee(request: HttpRequest) -> Employee | None:
    return Employee.objects.select_related("company").filter(user_id=request.user.pk).first()


def _not_linked(request: HttpRequest) -> HttpResponse:
    return render(request, "attendance/not_linked.html", status=403)


@login_required
def leave_request(request: HttpRequest) -> HttpResponse:
    employee = _own_employee(request)
    if employee is None:
        return _not_linked(request)
    if employee_has_left(employee, today=clock.today()):  # former employees: read-only
        return render(request, "portal/read_only.html", {"employee": employee}, status=403)
    form = LeaveRequestForm(request.POST or None, employee=employee)
    cost: LeaveCost | None = None
    error = ""
    if request.method == "POST" and form.is_valid():
        request_data: dict[str, Any] = {
            "actor": request.user,
            "employee": employee,
            "leave_type": form.cleaned_data["leave_type"],
            "start_date": form.cleaned_data["start_date"],
            "end_date": form.cleaned_data["end_date"],
        }
        try:
            if request.POST.get("action") == "submit":
                leave_request_submit(
                    **request_data,
                    reason=form.cleaned_data["reason"],
                    shown_digest=request.POST.get("digest", ""),
                    is_confirmed=request.POST.get("is_confirmed") == "1",
                )
                messages.success(request, gettext("Your leave request was submitted."))
                return redirect("attendance:my-leave")
            cost = leave_cost_estimate(**request_data)
        except LeaveCostError as problem:
            error = problem.render(gettext)
            cost = leave_cost_estimate(**request_data)  # shown again, to be read and confirmed
        except CoreError as problem:
            error = problem.render(gettext)
    return render(
        request,
        "attendance/leave_request.html",
        {"form": form, "cost": cost, "error": error, "employee": employee},
    )


@login_required
def my_leave(request: HttpRequest) -> HttpResponse:
    employee = _own_employee(request)
    if employee is None:
        return _not_linked(request)
    leaves = leave_list(actor=request.user, company=employee.company, employee_id=employee.pk)
    return render(request, "attendance/my_leave.html", {"leaves": leaves, "employee": employee})
