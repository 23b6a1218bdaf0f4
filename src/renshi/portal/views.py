"""The portal's overview page, and the page a phone shows when it is offline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renshi.people.models import Employee
from renshi.portal.access import portal_page


@portal_page
def home(request: HttpRequest, employee: Employee) -> HttpResponse:
    return render(
        request, "portal/home.html", {"portal_employee": employee, "portal_section": "home"}
    )


def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")
