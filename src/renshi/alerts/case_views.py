"""The case page of one employee (``/cases/<number>/``), its two forms (HR records a postal
dispatch, finance a repayment), the downloads of the proof (letter PDF, scanned receipt) and the
evidence package (a ZIP of the employee's evidence log entries, checkable offline).

The forms only read the input; the services decide and write, and a refusal is shown next to
the field it names with nothing written. Who may see a case: ``renshi.alerts.case``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from renshi.access.checks import Perm, has_perm
from renshi.alerts.case import (
    case_balance,
    case_dispatch,
    case_employees,
    case_letter,
    case_timeline,
    case_url,
)
from renshi.core.errors import CoreError, Message
from renshi.evidence.package import evidence_package_build
from renshi.evidence.selectors import evidence_entries
from renshi.notices.models import DemandLetter, PostalDispatch
from renshi.notices.services import postal_dispatch_record
from renshi.payroll.models import ArrearsEntry
from renshi.payroll.services import arrears_repayment_record
from renshi.people.models import Employee

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _label(model: Any, field: str) -> Any:
    return model._meta.get_field(field).verbose_name


class CaseForm(forms.Form):
    """Bootstrap's look for every input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            css = "form-select form-select-sm" if is_select else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


class DispatchForm(CaseForm):
    letter = forms.ModelChoiceField(
        label=_label(PostalDispatch, "letter"), queryset=DemandLetter.objects.none()
    )
    # Not required here: the service refuses a dispatch without one, and says why.
    tracking_number = forms.CharField(
        label=_label(PostalDispatch, "tracking_number"), max_length=60, required=False
    )
    dispatched_on = forms.DateField(
        label=_label(PostalDispatch, "dispatched_on"), widget=DATE_INPUT
    )
    receipt = forms.FileField(label=_label(PostalDispatch, "receipt"), required=False)

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, prefix="dispatch", **kwargs)
        letters = DemandLetter.objects.filter(notice__employee=employee).defer("pdf")
        self.fields["letter"].queryset = letters.order_by("-created_at")


class RepaymentForm(CaseForm):
    # Text: the service reads it as every amount is read (a float is never money).
    amount = forms.CharField(label=_label(ArrearsEntry, "amount"), max_length=20, required=False)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE_INPUT)
    reference = forms.CharField(
        label=_label(ArrearsEntry, "reference"), max_length=100, required=False
    )
    note = forms.CharField(label=_label(ArrearsEntry, "note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="repayment", **kwargs)


def _employee(request: HttpRequest, number: str) -> Employee | HttpResponse:
    """The case's employee, or the page to choose among companies using the same number."""
    found = case_employees(
        actor=request.user, number=number, company_code=request.GET.get("company", "")
    )
    if not found:
        raise Http404
    if len(found) > 1:
        choices = [(e, _case_url(e)) for e in found]
        return render(request, "alerts/case.html", {"number": number, "choices": choices})
    return found[0]


def _case_url(employee: Employee) -> str:
    return case_url(employee.number, employee.company.code)


def _refuse(form: forms.Form, error: CoreError | PermissionDenied) -> None:
    """The service's refusal, on the field it names (by its label) or on the whole form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or gettext("You may not do this."))
        return
    name = error.field if error.field in form.fields else None
    label = form.fields[name].label if name else error.field
    form.add_error(name, Message(error.template, {**error.params, "field": label}).render(gettext))


def _page(
    request: HttpRequest,
    employee: Employee,
    *,
    dispatch: DispatchForm | None = None,
    repayment: RepaymentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    company = employee.company
    timeline = case_timeline(actor=user, employee=employee)
    dispatch = dispatch or DispatchForm(employee=employee)
    repayment = repayment or RepaymentForm()
    # A form is offered to those who may use it; a refused one stays to show why.
    can_dispatch = has_perm(user, Perm.PEOPLE_EDIT, company=company, employee=employee)
    can_repay = has_perm(user, Perm.ARREARS_RECORD, company=company, employee=employee)
    has_letters = dispatch.fields["letter"].queryset.exists()
    context = {
        "employee": employee,
        "timeline": timeline,
        "balance": case_balance(timeline),
        "case_url": _case_url(employee),
        "dispatch_form": dispatch if (can_dispatch and has_letters) or dispatch.is_bound else None,
        "repayment_form": repayment if can_repay or repayment.is_bound else None,
        "evidence_count": evidence_entries(employee=employee).count(),
    }
    return render(request, "alerts/case.html", context, status=status)


@login_required
@require_GET
def case(request: HttpRequest, number: str) -> HttpResponse:
    employee = _employee(request, number)
    if isinstance(employee, HttpResponse):
        return employee
    return _page(request, employee)


@login_required
@require_POST
def record_dispatch(request: HttpRequest, number: str) -> HttpResponse:
    employee = _employee(request, number)
    if isinstance(employee, HttpResponse):
        return employee
    form = DispatchForm(request.POST, request.FILES, employee=employee)
    if form.is_valid():
        data = form.cleaned_data
        try:
            postal_dispatch_record(
                actor=request.user,
                letter=data["letter"],
                tracking_number=data["tracking_number"],
                dispatched_on=data["dispatched_on"],
                receipt=data["receipt"],
            )
        except (CoreError, PermissionDenied) as error:
            _refuse(form, error)
        else:
            messages.success(request, gettext("The postal dispatch is recorded."))
            return HttpResponseRedirect(_case_url(employee))
    return _page(request, employee, dispatch=form, status=400)


@login_required
@require_POST
def record_repayment(request: HttpRequest, number: str) -> HttpResponse:
    employee = _employee(request, number)
    if isinstance(employee, HttpResponse):
        return employee
    form = RepaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            arrears_repayment_record(
                actor=request.user,
                employee=employee,
                amount=data["amount"],
                paid_on=data["paid_on"],
                reference=data["reference"],
                note=data["note"],
            )
        except (CoreError, PermissionDenied) as error:
            _refuse(form, error)
        else:
            messages.success(request, gettext("The repayment is recorded."))
            return HttpResponseRedirect(_case_url(employee))
    return _page(request, employee, repayment=form, status=400)


@login_required
@require_POST
def evidence_package(request: HttpRequest, number: str) -> HttpResponse:
    """The employee's evidence package as a download. A POST: exporting is recorded in the log
    and may sign a new checkpoint."""
    employee = _employee(request, number)
    if isinstance(employee, HttpResponse):
        return employee
    try:
        package = evidence_package_build(actor=request.user, employee=employee)
    except CoreError as error:
        messages.error(request, error.render(gettext))
        return HttpResponseRedirect(_case_url(employee))
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=package.filename
    )
    return response


@login_required
@require_GET
def letter_pdf(request: HttpRequest, number: str, letter_id: int) -> HttpResponse:
    try:
        letter = case_letter(actor=request.user, number=number, letter_id=letter_id)
    except DemandLetter.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{letter.number}.pdf"
    )
    return response


@login_required
@require_GET
def dispatch_receipt(request: HttpRequest, number: str, dispatch_id: int) -> FileResponse:
    try:
        dispatch = case_dispatch(actor=request.user, number=number, dispatch_id=dispatch_id)
    except PostalDispatch.DoesNotExist:
        raise Http404 from None
    if not dispatch.receipt:
        raise Http404
    return FileResponse(
        dispatch.receipt.open("rb"), as_attachment=True, filename=Path(dispatch.receipt.name).name
    )
