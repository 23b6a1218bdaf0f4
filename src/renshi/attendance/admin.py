"""The back office's time and leave pages. Leave and attendance are written by the services
(the same checks as everywhere else); the days per month are shown, never edited."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import Perm, companies_visible, employees_visible, require
from renshi.attendance.models import (
    AttendanceMonth,
    LeaveMonth,
    LeaveRecord,
    LeaveSettings,
    LeaveType,
)
from renshi.attendance.services import (
    AttendanceError,
    attendance_month_set,
    attendance_month_validate,
    leave_record_approve,
    leave_record_cancel,
    leave_record_create,
    leave_record_reject,
    leave_record_validate,
)
from renshi.core.errors import CoreError
from renshi.payroll.admin import CompanyScopedAdmin
from renshi.payroll.leave_cost import leave_prepayment_record


@admin.register(LeaveSettings)
class LeaveSettingsAdmin(CompanyScopedAdmin):
    list_display = ["company", "long_leave_rule", "long_leave_months", "reduced_pay_ratio"]


class PrepaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("amount received"), max_digits=12, decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("reference (bank slip)"), max_length=100, required=False)


def _visible(request: HttpRequest, perm: Perm, field: str = "employee") -> Q | None:
    """A filter to the employees ``request.user`` may ``perm`` on; None for a superuser."""
    user = request.user
    if user.is_superuser:
        return None
    condition = Q(pk__in=[])
    for company in companies_visible(user):
        condition |= Q(**{f"{field}__in": employees_visible(user, company, perm)})
    return condition


def _problem(error: Exception) -> str:
    if isinstance(error, CoreError):
        return error.render(gettext)
    return str(error) if str(error) else gettext("You may not do this.")


class LeaveTypeForm(forms.ModelForm):
    class Meta:
        model = LeaveType
        fields = ["company", "code", "name", "pay_rule", "pay_ratio", "is_active"]

    def clean_pay_ratio(self) -> Decimal:
        ratio: Decimal = self.cleaned_data["pay_ratio"]
        if not Decimal(0) <= ratio <= Decimal(1):
            raise forms.ValidationError(gettext("Enter a share between 0 and 1."))
        return ratio


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    form = LeaveTypeForm
    list_display = ["name", "code", "company", "pay_rule", "pay_ratio", "is_active"]
    list_filter = ["company", "pay_rule", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stop using a type instead (is_active): records refer to it

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveType]:
        types = super().get_queryset(request)
        if request.user.is_superuser:
            return types
        return types.filter(company__in=companies_visible(request.user))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "company" and not request.user.is_superuser:
            kwargs["queryset"] = companies_visible(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LeaveRecordAddForm(forms.ModelForm):
    actor: Any = None  # set by the admin to the signed-in user

    class Meta:
        model = LeaveRecord
        fields = ["employee", "leave_type", "start_date", "end_date", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ("employee", "leave_type", "start_date", "end_date")
        if any(cleaned.get(name) is None for name in needed):
            return cleaned  # the field errors say what is missing
        try:
            leave_record_validate(actor=self.actor, **{name: cleaned[name] for name in needed})
        except (AttendanceError, PermissionDenied) as error:
            raise forms.ValidationError(_problem(error)) from None
        return cleaned

    def _post_clean(self) -> None:
        pass  # the service builds and checks the record; the model's own checks would repeat


@admin.register(LeaveRecord)
class LeaveRecordAdmin(admin.ModelAdmin):
    list_display = ["employee", "leave_type", "start_date", "end_date", "days", "status"]
    list_filter = ["status", "leave_type__pay_rule", "employee__company"]
    search_fields = ["employee__number", "employee__name", "reason"]
    date_hierarchy = "start_date"
    list_select_related = ["employee", "leave_type"]
    raw_id_fields = ["employee"]
    actions = ["approve", "reject", "cancel"]
    readonly_fields = [
        "employee",
        "leave_type",
        "start_date",
        "end_date",
        "days",
        "status",
        "reason",
        "decided_by",
        "decided_at",
        "created_at",
        "long_leave_rule",
        "cost_statement",
        "cost_confirmed_at",
        "cost_confirmed_by",
        "prepay_amount",
        "prepaid_amount",
        "prepayment",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveRecord]:
        records = super().get_queryset(request)
        condition = _visible(request, Perm.LEAVE_VIEW)
        if condition is None:
            return records
        # Finance sees the leaves waiting for a prepayment, to record it.
        prepaying = _visible(request, Perm.ARREARS_RECORD)
        assert prepaying is not None
        return records.filter(condition | (prepaying & Q(prepay_amount__gt=0)))

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:leave_id>/prepayment/",
                self.admin_site.admin_view(self.prepayment_view),
                name="attendance_leaverecord_prepayment",
            )
        ]
        return extra + super().get_urls()

    @admin.display(description=_("prepayment"))
    def prepayment(self, obj: LeaveRecord) -> str:
        if not obj.prepay_amount or obj.prepaid_amount >= obj.prepay_amount:
            return ""
        url = reverse("admin:attendance_leaverecord_prepayment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Record a prepayment"))

    def prepayment_view(self, request: HttpRequest, leave_id: int) -> HttpResponse:
        """Finance records money the employee prepaid for a long leave's share."""
        leave = get_object_or_404(self.get_queryset(request), pk=leave_id)
        form = PrepaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                leave_prepayment_record(actor=request.user, leave=leave, **form.cleaned_data)
            except (CoreError, PermissionDenied) as error:
                form.add_error(None, _problem(error))
            else:
                messages.success(request, gettext("Prepayment recorded."))
                change = reverse("admin:attendance_leaverecord_change", args=[leave.pk])
                return HttpResponseRedirect(change)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": leave,
            "title": gettext("Record a prepayment"),
            "form": form,
        }
        return TemplateResponse(request, "admin/attendance/prepayment.html", context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = LeaveRecordAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def save_model(self, request: HttpRequest, obj: LeaveRecord, form: Any, change: bool) -> None:
        if change:  # a decision goes through the actions
            return
        data = form.cleaned_data
        record = leave_record_create(
            actor=request.user,
            employee=data["employee"],
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data.get("reason", ""),
        )
        obj.pk = record.pk
        obj.__dict__.update({f.attname: getattr(record, f.attname) for f in record._meta.fields})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # leave records stay on record; cancel instead

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[LeaveRecord],
        decide: Callable[..., LeaveRecord],
        done: Callable[[int], str],
    ) -> None:
        count = 0
        for leave in queryset:
            try:
                decide(actor=request.user, leave=leave)
            except (AttendanceError, PermissionDenied) as error:
                messages.error(request, f"{leave}: {_problem(error)}")
            else:
                count += 1
        if count:
            messages.success(request, done(count))

    @admin.action(description=_("Approve the selected leave"))
    def approve(self, request: HttpRequest, queryset: QuerySet[LeaveRecord]) -> None:
        self._decide(
            request,
            queryset,
            leave_record_approve,
            lambda n: ngettext("%(n)d leave approved.", "%(n)d leaves approved.", n) % {"n": n},
        )

    @admin.action(description=_("Reject the selected leave"))
    def reject(self, request: HttpRequest, queryset: QuerySet[LeaveRecord]) -> None:
        self._decide(
            request,
            queryset,
            leave_record_reject,
            lambda n: ngettext("%(n)d leave rejected.", "%(n)d leaves rejected.", n) % {"n": n},
        )

    @admin.action(description=_("Cancel the selected leave"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[LeaveRecord]) -> None:
        self._decide(
            request,
            queryset,
            leave_record_cancel,
            lambda n: ngettext("%(n)d leave cancelled.", "%(n)d leaves cancelled.", n) % {"n": n},
        )


@admin.register(LeaveMonth)
class LeaveMonthAdmin(admin.ModelAdmin):
    list_display = ["employee", "month", "pay_rule", "pay_ratio", "days", "leave"]
    list_filter = ["month", "pay_rule"]
    search_fields = ["employee__number", "employee__name", "month"]
    list_select_related = ["employee", "leave"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveMonth]:
        rows = super().get_queryset(request)
        condition = _visible(request, Perm.LEAVE_VIEW)
        return rows if condition is None else rows.filter(condition)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written when a leave is approved

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttendanceMonthForm(forms.ModelForm):
    actor: Any = None  # set by the admin to the signed-in user

    class Meta:
        model = AttendanceMonth
        fields = [
            "employee",
            "month",
            "scheduled_days",
            "days_worked",
            "absence_days",
            "overtime_hours",
            "source",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        employee = cleaned.get("employee") or (self.instance.employee if self.instance.pk else None)
        month = cleaned.get("month") or (self.instance.month if self.instance.pk else None)
        figures = ("scheduled_days", "days_worked", "absence_days", "overtime_hours")
        if employee is None or month is None or any(cleaned.get(n) is None for n in figures):
            return cleaned  # the field errors say what is missing
        try:
            require(self.actor, Perm.ATTENDANCE_EDIT, company=employee.company, employee=employee)
            attendance_month_validate(
                month=month,
                source=cleaned.get("source") or "manual",
                **{name: cleaned[name] for name in figures},
            )
        except (AttendanceError, PermissionDenied) as error:
            raise forms.ValidationError(_problem(error)) from None
        return cleaned


@admin.register(AttendanceMonth)
class AttendanceMonthAdmin(admin.ModelAdmin):
    form = AttendanceMonthForm
    list_display = [
        "employee",
        "month",
        "scheduled_days",
        "days_worked",
        "absence_days",
        "overtime_hours",
        "source",
        "updated_at",
    ]
    list_filter = ["month", "source", "employee__company"]
    search_fields = ["employee__number", "employee__name", "month"]
    list_select_related = ["employee"]
    raw_id_fields = ["employee"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttendanceMonth]:
        rows = super().get_queryset(request)
        condition = _visible(request, Perm.ATTENDANCE_EDIT)
        return rows if condition is None else rows.filter(condition)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["employee", "month"] if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def save_model(
        self, request: HttpRequest, obj: AttendanceMonth, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        row = attendance_month_set(
            actor=request.user,
            employee=obj.employee,
            month=obj.month,
            scheduled_days=data["scheduled_days"],
            days_worked=data["days_worked"],
            absence_days=data["absence_days"],
            overtime_hours=data["overtime_hours"],
            source=data.get("source") or "manual",
        )
        obj.pk = row.pk
        obj.__dict__.update({f.attname: getattr(row, f.attname) for f in row._meta.fields})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # payroll input: correct the figures instead
