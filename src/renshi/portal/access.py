"""Who the portal's visitor is: the employee record linked to the signed-in account.

Every portal page is about the visitor's own records and resolves them here; what other people's
records the account may see (an HR role, say) plays no part in the portal. A former employee
keeps reading their records (payslips, contributions, what they owe, their notices, and may
still acknowledge a notice, which records that they read it) but starts nothing new: no leave
request, no back-payment request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renshi import clock
from renshi.people.models import Employee
from renshi.people.selectors import employee_has_left

PortalView = Callable[..., HttpResponse]


def own_employee(request: HttpRequest) -> Employee | None:
    if not request.user.is_authenticated:
        return None
    return Employee.objects.select_related("company").filter(user_id=request.user.pk).first()


def is_former(employee: Employee) -> bool:
    return employee_has_left(employee, today=clock.today())


def portal_page(view: PortalView) -> PortalView:
    """A page of the visitor's own records: ``view(request, employee, ...)``; an account linked
    to no employee gets the explanation with 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        employee = own_employee(request)
        if employee is None:
            return render(request, "portal/not_linked.html", status=403)
        return view(request, employee, *args, **kwargs)

    return wrapper


def portal_change(view: PortalView) -> PortalView:
    """Like ``portal_page``, for a page that starts something new: refused (403, with the reason)
    to a former employee, whose records are read-only."""

    @portal_page
    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, employee: Employee, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if is_former(employee):
            return render(request, "portal/read_only.html", {"employee": employee}, status=403)
        return view(request, employee, *args, **kwargs)

    return wrapper
