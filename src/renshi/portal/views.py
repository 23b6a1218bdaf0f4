"""The portal's overview page, and the page a phone shows when it is offline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renshi import clock
from renshi.people.models import Employee
from renshi.portal.access import is_former, portal_page
from renshi.portal.records_summary import records_summary
from renshi.portal.reminders import reminders_for


@portal_page
def home(request: HttpRequest, employee: Employee) -> HttpResponse:
    """Where the employee stands, in one screen: the notices waiting to be read first, then the
    latest pay, what is owed, the contribution record, and the reminders that fit them."""
    today = clock.today()
    context = {
        "portal_employee": employee,
        "portal_section": "home",
        "summary": records_summary(actor=request.user, employee=employee, now=clock.now()),
        "reminders": reminders_for(employee=employee, today=today),
        "is_former": is_former(employee),
    }
    return render(request, "portal/home.html", context)


def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")
