"""Back-payment pages: the employee's request page in the portal, HR's inbox and a request.

The views only call the services and selectors, which check the rights again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from renshi.access.checks import Perm, companies_visible, has_perm
from renshi.backpay.models import PENDING_STATES, BackPayRequest, BackPayState
from renshi.backpay.selectors import (
    GAP_NOT_ENROLLED,
    backpay_gap_months,
    backpay_requests_all,
    backpay_requests_for,
    backpay_requests_pending,
)
from renshi.backpay.services import (
    BackPayEstimate,
    BackPayRequestError,
    backpay_estimate,
    backpay_pay_by,
    backpay_request_complete,
    backpay_request_decide,
    backpay_request_submit,
    backpay_request_withdraw,
    backpay_today,
)
from renshi.core.errors import CoreError
from renshi.people.models import Company, Employee
from renshi.portal.access import portal_change

_RECENT = 50  # decided requests listed under the pending ones in the inbox


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@portal_change
def request_page(request: HttpRequest, employee: Employee) -> HttpResponse:
    """The employee's gaps, the estimate for the months chosen, the request and its history."""
    today = backpay_today()
    pay_date = backpay_pay_by(today)
    post = request.POST
    chosen = post.getlist("months")
    extra = post.get("extra_month", "").strip()
    base = post.get("base", "").strip()
    reason = post.get("reason", "").strip()
    estimate: BackPayEstimate | None = None
    error = ""
    if request.method == "POST":
        action = post.get("action", "compute")
        if action == "withdraw":
            return _withdraw(request, employee)
        months = chosen + ([extra] if extra and extra not in chosen else [])
        query: dict[str, Any] = {"employee": employee, "months": months, "requested_base": base}
        try:
            if action == "submit":
                backpay_request_submit(
                    actor=request.user,
                    **query,
                    reason=reason,
                    shown_digest=post.get("digest", ""),
                    is_confirmed=post.get("is_confirmed") == "1",
                )
                messages.success(request, gettext("Your back-payment request was sent to HR."))
                return redirect("backpay:request")
            estimate = backpay_estimate(**query, pay_date=pay_date, today=today)
        except BackPayRequestError as problem:
            error = problem.render(gettext)
            try:  # shown again, to be read and confirmed
                estimate = backpay_estimate(**query, pay_date=pay_date, today=today)
            except CoreError:
                estimate = None
        except CoreError as problem:
            error = problem.render(gettext)
    gaps = backpay_gap_months(employee=employee, today=today)
    return render(
        request,
        "backpay/request.html",
        {
            "portal_employee": employee,
            "portal_section": "backpay",
            "gaps": gaps,
            "not_enrolled": GAP_NOT_ENROLLED,
            "chosen": chosen,
            "extra": extra,
            "base": base,
            "reason": reason,
            "estimate": estimate,
            "figures": estimate.figures if estimate is not None else None,
            "error": error,
            "pay_date": pay_date,
            "requests": backpay_requests_for(actor=request.user, employee=employee),
            "submitted": BackPayState.SUBMITTED,
        },
    )


def _withdraw(request: HttpRequest, employee: Employee) -> HttpResponse:
    pk = _int(request.POST.get("request"))
    if pk is None:
        raise Http404
    target = get_object_or_404(BackPayRequest, pk=pk, employee=employee)
    try:
        backpay_request_withdraw(actor=request.user, request=target)
    except BackPayRequestError as problem:
        messages.error(request, problem.render(gettext))
    else:
        messages.success(request, gettext("Your back-payment request was withdrawn."))
    return redirect("backpay:request")


def _hr_companies(request: HttpRequest) -> list[Company]:
    return [
        company
        for company in companies_visible(request.user).order_by("code")
        if has_perm(request.user, Perm.ENROLMENT_EDIT, company=company)
    ]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests waiting for HR (to decide, to pay), then the latest others."""
    companies = _hr_companies(request)
    if not companies:
        raise PermissionDenied(gettext("Back-payment requests are handled by HR."))
    by_code = {company.code: company for company in companies}
    company = by_code.get(request.GET.get("company", ""), companies[0])
    pending = backpay_requests_pending(actor=request.user, company=company)
    recent = backpay_requests_all(actor=request.user, company=company).exclude(
        state__in=PENDING_STATES
    )[:_RECENT]
    return render(
        request,
        "backpay/inbox.html",
        {"company": company, "companies": companies, "pending": pending, "recent": recent},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the figures the employee confirmed, its history, and HR's actions."""
    found = get_object_or_404(BackPayRequest.objects.select_related("company", "employee"), pk=pk)
    visible = backpay_requests_all(actor=request.user, company=found.company)
    target = visible.filter(pk=pk).select_related("company", "employee").first()
    if target is None:
        raise Http404
    if request.method == "POST":
        _act(request, target)
        return redirect(reverse("backpay:detail", args=[target.pk]))
    return render(
        request,
        "backpay/detail.html",
        {
            "item": target,
            "figures": target.figures,
            "events": target.events.select_related("actor"),
            "states": BackPayState,
        },
    )


def _act(request: HttpRequest, target: BackPayRequest) -> None:
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action in ("accept", "reject"):
            backpay_request_decide(
                actor=request.user, request=target, is_accepted=action == "accept", note=note
            )
            messages.success(request, gettext("The decision was recorded."))
        elif action == "complete":
            backpay_request_complete(actor=request.user, request=target, note=note)
            messages.success(request, gettext("The back-payment was recorded as paid."))
        else:
            messages.error(request, gettext("Unknown action."))
    except BackPayRequestError as problem:
        messages.error(request, problem.render(gettext))
