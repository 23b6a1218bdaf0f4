"""The workspace's dashboard (the day's work in one company), the employee search and the list
of cases. Payroll runs are in ``payroll_views``, the enrolment changes in ``enrolment_views``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from renshi import clock
from renshi.access.checks import Perm, has_perm
from renshi.alerts.case import case_url
from renshi.core.money import format_money
from renshi.payroll.selectors import arrears_balances_for_company
from renshi.people.models import EmployeeStatus
from renshi.workspace.access import Desk, workspace_page
from renshi.workspace.selectors import (
    employee_search,
    enrolments_due,
    flag_summary,
    next_run_month,
    open_run,
    run_failures,
)

# Back-payment requests are handled by those who file contributions (HR, the SI clerk).
BACKPAY_PERMS = (Perm.ENROLMENT_EDIT,)


def backpay_pending(request: HttpRequest, desk: Desk) -> int | None:
    """How many back-payment requests wait for the account in this company; None when the card
    is not for them. The selector belongs to ``renshi.backpay`` and is imported when needed."""
    if not any(perm in desk for perm in BACKPAY_PERMS):
        return None
    from renshi.backpay.selectors import backpay_requests_pending

    try:
        pending = backpay_requests_pending(actor=request.user, company=desk.company)
    except PermissionDenied:
        return None
    return pending.count() if hasattr(pending, "model") else len(pending)


def workspace_context(
    request: HttpRequest, desk: Desk, section: str, **extra: Any
) -> dict[str, Any]:
    """What ``workspace/base.html`` needs: the desk, the section, and whether the back-payment
    inbox is offered (computed once per page)."""
    if "backpay" not in extra:
        extra["backpay"] = backpay_pending(request, desk)
    return {"desk": desk, "section": section, **extra}


@workspace_page
@require_GET
def home(request: HttpRequest, desk: Desk) -> HttpResponse:
    user = request.user
    company = desk.company
    today = timezone.localdate(clock.now())
    context = workspace_context(request, desk, "home", today=today)
    context["flags"] = flag_summary(actor=user, company=company)
    if Perm.PAYROLL_VIEW in desk:
        run = open_run(actor=user, company=company)
        context["run"] = run
        context["run_failures"] = run_failures(run) if run is not None else []
        if Perm.PAYROLL_CALCULATE in desk:
            context["next_month"] = next_run_month(company=company, today=today)
    if Perm.ENROLMENT_EDIT in desk:
        context["due"] = enrolments_due(actor=user, company=company, today=today)
    return render(request, "workspace/home.html", context)


@workspace_page
@require_GET
def search(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The employee search's results: a fragment for htmx, the whole page otherwise."""
    query = request.GET.get("q", "")
    if not desk.sees_people:
        raise PermissionDenied
    found = employee_search(actor=request.user, company=desk.company, query=query)
    sees_cases = Perm.ARREARS_VIEW in desk
    results = [
        (employee, case_url(employee.number, desk.company.code) if sees_cases else "")
        for employee in found
    ]
    context = {"results": results, "query": query}
    if request.headers.get("HX-Request"):
        return render(request, "workspace/_search_results.html", context)
    return render(
        request, "workspace/search.html", workspace_context(request, desk, "home", **context)
    )


@workspace_page
@require_GET
def cases(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Everyone who owes the company something, or once did, with what they owe now."""
    if not has_perm(request.user, Perm.ARREARS_VIEW, company=desk.company):
        raise PermissionDenied
    statuses = dict(EmployeeStatus.choices)
    rows = [
        {
            **row,
            "status": statuses.get(row["employee__status"], row["employee__status"]),
            "owes": format_money(row["balance"]),
            "case_url": case_url(row["employee__number"], desk.company.code),
        }
        for row in arrears_balances_for_company(actor=request.user, company=desk.company)
    ]
    return render(
        request, "workspace/cases.html", workspace_context(request, desk, "cases", rows=rows)
    )
