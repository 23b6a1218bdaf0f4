"""The employee's own records in the portal: payslips (page and PDF), insurance history, what
they owe and their notices.

Every page resolves the visitor's own employee (``renshi.portal.access.portal_page``) and reads
only that employee's records: a payslip or notice of anybody else answers 404, the same as an
id that does not exist, so ids cannot be probed. Former employees read everything here and may
acknowledge a notice (it only records that they read it), so no page uses ``portal_change``.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from renshi import clock
from renshi.core.arrears_allocation import FIFO_RULE, allocate_fifo
from renshi.core.money import ZERO, round_cent
from renshi.notices.models import Acknowledgement, Notice, NoticeSettings
from renshi.notices.services import NotYourNoticeError, notice_acknowledge
from renshi.payroll.models import ArrearsKind, PayrollSettings
from renshi.payroll.selectors import arrears_ledger
from renshi.payroll.services import arrears_balance
from renshi.people.models import Employee
from renshi.portal.access import is_former, portal_page
from renshi.portal.insurance import insurance_history, item_label, movements, ordered_items
from renshi.portal.payslip_pdf import payslip_filename, render_payslip_pdf
from renshi.portal.records_payslip import city_name, payslip_view
from renshi.portal.records_selectors import own_notice, own_notices, own_payslip, own_payslips

# PayrollSettings.recovery_max_ratio's default, for a company that never saved its settings: the
# safeguard of 工资支付暂行规定 第十六条 (20% of the month's wage); whether that article binds the
# recovery of an advanced share is unconfirmed [U], so it is the company's setting, on by default.
DEFAULT_RECOVERY_RATIO = Decimal("0.2000")


def _has_no_more_pay(employee: Employee) -> bool:
    """Left, or past the last working day (a leaver whose 减员 is not confirmed yet is still
    "leaving" but will not be paid again): nothing left to deduct from."""
    if is_former(employee):
        return True
    today = timezone.localdate(clock.now())
    return employee.leave_date is not None and employee.leave_date <= today


def _context(employee: Employee, section: str, **values: Any) -> dict[str, Any]:
    return {"portal_employee": employee, "portal_section": section, **values}


# --- Payslips -------------------------------------------------------------------------------


@portal_page
def payslips(request: HttpRequest, employee: Employee) -> HttpResponse:
    rows = list(own_payslips(actor=request.user, employee=employee))
    years = [(year, list(items)) for year, items in groupby(rows, key=lambda p: p.month[:4])]
    return render(
        request, "portal/records/payslips.html", _context(employee, "payslips", years=years)
    )


def _own_payslip_or_404(request: HttpRequest, employee: Employee, payslip_id: int) -> Any:
    payslip = own_payslip(actor=request.user, employee=employee, payslip_id=payslip_id)
    if payslip is None:
        raise Http404(gettext("No such payslip among yours."))
    return payslip_view(payslip, language=get_language())


@portal_page
def payslip(request: HttpRequest, employee: Employee, payslip_id: int) -> HttpResponse:
    view = _own_payslip_or_404(request, employee, payslip_id)
    return render(request, "portal/records/payslip.html", _context(employee, "payslips", view=view))


@portal_page
def payslip_pdf(request: HttpRequest, employee: Employee, payslip_id: int) -> HttpResponse:
    view = _own_payslip_or_404(request, employee, payslip_id)
    pdf = render_payslip_pdf(view, company_name=employee.company.name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{payslip_filename(view)}"'
    # A payslip must not stay in a shared cache or on a lost phone.
    response["Cache-Control"] = "private, no-store"
    return response


# --- Insurance ------------------------------------------------------------------------------


@portal_page
def insurance(request: HttpRequest, employee: Employee) -> HttpResponse:
    history = insurance_history(actor=request.user, employee=employee)
    language = get_language()
    cities = [(code, city_name(code, language)) for code in history.cities]
    return render(
        request,
        "portal/records/insurance.html",
        _context(
            employee,
            "insurance",
            history=history,
            cities=cities,
            rule=gettext(history.rule),
        ),
    )


# --- What is owed, and notices --------------------------------------------------------------


def _items_text(items: dict[str, Any]) -> str:
    return ", ".join(f"{item_label(code)} {value}" for code, value in ordered_items(items))


@portal_page
def owed(request: HttpRequest, employee: Employee) -> HttpResponse:
    ledger = arrears_ledger(actor=request.user, employee=employee)
    allocation = allocate_fifo(movements(ledger))
    balance = round_cent(arrears_balance(employee))
    oldest_open = next((debt.month for debt in allocation.debts if not debt.is_settled), None)
    labels = dict(ArrearsKind.choices)
    entries = [
        {
            "entry": row.entry,
            "kind_label": labels.get(row.entry.kind, row.entry.kind),
            "items": _items_text(row.entry.items),
            "balance": row.balance,
        }
        for row in reversed(ledger)
    ]
    payroll = PayrollSettings.objects.filter(company_id=employee.company_id).first()
    ratio = payroll.recovery_max_ratio if payroll else DEFAULT_RECOVERY_RATIO
    keeps_minimum_wage = payroll.recovery_keeps_minimum_wage if payroll else True
    return render(
        request,
        "portal/records/owed.html",
        _context(
            employee,
            "owed",
            balance=balance,
            owes=balance > ZERO,
            oldest_open=oldest_open,
            entries=entries,
            how=NoticeSettings.objects.filter(company_id=employee.company_id).first(),
            recovery_percent=f"{(ratio * 100).normalize():f}",
            keeps_minimum_wage=keeps_minimum_wage,
            has_no_more_pay=_has_no_more_pay(employee),
            notices=list(own_notices(employee=employee)),
            rule=gettext(FIFO_RULE),
        ),
    )


def _own_notice_or_404(employee: Employee, notice_id: int) -> Notice:
    notice = own_notice(employee=employee, notice_id=notice_id)
    if notice is None:
        raise Http404(gettext("No such notice among yours."))
    return notice


@portal_page
def notice(request: HttpRequest, employee: Employee, notice_id: int) -> HttpResponse:
    found = _own_notice_or_404(employee, notice_id)
    acknowledgement = Acknowledgement.objects.filter(notice=found).first()
    return render(
        request,
        "portal/records/notice.html",
        _context(employee, "owed", notice=found, acknowledgement=acknowledgement),
    )


@require_POST
@portal_page
def notice_acknowledge_view(
    request: HttpRequest, employee: Employee, notice_id: int
) -> HttpResponse:
    found = _own_notice_or_404(employee, notice_id)
    already = Acknowledgement.objects.filter(notice=found).exists()
    try:
        notice_acknowledge(
            actor=request.user,
            notice=found,
            now=clock.now(),
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except NotYourNoticeError:
        raise Http404(gettext("No such notice among yours.")) from None
    if already:
        messages.info(request, gettext("Your confirmation was already recorded."))
    else:
        messages.success(request, gettext("Thank you: your confirmation is recorded."))
    return redirect("portal:notice", notice_id=found.pk)
