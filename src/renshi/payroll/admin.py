"""The back office for payroll: structures, runs (calculate, approve, pay, reopen), payslips and
the arrears ledger. Every action goes through the services, with the signed-in user as actor.

A superuser sees every company. Anyone else sees runs of the companies where they may view
payroll, the payslips ``payslips_visible`` gives them, the arrears of the employees they may
see arrears of, and the settings, structures and assignments of their own companies; new and
changed rows may only name companies and employees they may edit, checked again on save.
The company filters offer only the companies of the rows listed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import Perm, companies_visible, employees_visible, has_perm, require
from renshi.core.errors import CoreError
from renshi.core.months import Month
from renshi.payroll import base_adjustment, services
from renshi.payroll.models import (
    ArrearsEntry,
    BaseAdjustment,
    BaseAdjustmentLine,
    FinalSettlement,
    PayrollAdjustment,
    PayrollRun,
    PayrollRunEvent,
    PayrollSettings,
    Payslip,
    PayslipLine,
    SalaryAssignment,
    SalaryComponent,
    SalaryStructure,
)
from renshi.payroll.presenters import line_label
from renshi.payroll.selectors import line_explanation, payslips_visible
from renshi.people.models import Company, Employee


def _companies_where(request: HttpRequest, perm: Perm) -> QuerySet[Company]:
    """The user's companies where they may ``perm`` (company-wide, not only for some staff)."""
    user = request.user
    allowed = [c.pk for c in companies_visible(user) if has_perm(user, perm, company=c)]
    return Company.objects.filter(pk__in=allowed)


def _employees_where(request: HttpRequest, perm: Perm) -> Q:
    """A filter to the employees the user may ``perm`` on, across their companies."""
    user = request.user
    condition = Q(pk__in=[])
    for company in companies_visible(user):
        condition |= Q(pk__in=employees_visible(user, company, perm).values("pk"))
    return condition


def _along(obj: Any, path: str) -> Any:
    for name in path.split("__"):
        obj = getattr(obj, name)
    return obj


class CompanyScopedAdmin(admin.ModelAdmin):
    """Rows of the user's companies; what a form may name, and save, needs ``edit_perm``."""

    company_path = "company"
    view_perm: Perm | None = None  # None: companies_visible (a role there, or employed there)
    edit_perm: Perm = Perm.SETTINGS_EDIT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        companies = (
            companies_visible(request.user)
            if self.view_perm is None
            else _companies_where(request, self.view_perm)
        )
        return rows.filter(**{f"{self.company_path}__in": companies})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            target = db_field.related_model
            if target is Company:
                kwargs["queryset"] = _companies_where(request, self.edit_perm)
            elif target is Employee:
                kwargs["queryset"] = Employee.objects.filter(
                    _employees_where(request, self.edit_perm)
                )
            elif target is SalaryStructure:
                kwargs["queryset"] = SalaryStructure.objects.filter(
                    company__in=_companies_where(request, self.edit_perm)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        employee = obj.employee if hasattr(obj, "employee_id") else None
        require(
            request.user, self.edit_perm, company=_along(obj, self.company_path), employee=employee
        )
        super().save_model(request, obj, form, change)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayrollSettings)
class PayrollSettingsAdmin(CompanyScopedAdmin):
    list_display = [
        "company",
        "leave_basis",
        "recovery_max_ratio",
        "recovery_keeps_minimum_wage",
        "minimum_net_pay",
    ]


class SalaryComponentInline(admin.TabularInline):
    model = SalaryComponent
    extra = 0


@admin.register(SalaryStructure)
class SalaryStructureAdmin(CompanyScopedAdmin):
    list_display = ["code", "name", "company", "is_active"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter), "is_active"]
    inlines = [SalaryComponentInline]


@admin.register(SalaryAssignment)
class SalaryAssignmentAdmin(CompanyScopedAdmin):
    list_display = ["employee", "structure", "effective_month", "iit_rule"]
    list_filter = [
        ("structure__company", admin.RelatedOnlyFieldListFilter),
        ("structure", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["employee__number", "employee__name"]
    raw_id_fields = ["employee"]
    company_path = "employee__company"
    edit_perm = Perm.PEOPLE_EDIT  # as salary_assign


@admin.register(PayrollAdjustment)
class PayrollAdjustmentAdmin(CompanyScopedAdmin):
    list_display = ["employee", "month", "name", "kind", "amount"]
    list_filter = ["month", "kind"]
    search_fields = ["employee__number", "employee__name"]
    raw_id_fields = ["employee"]
    company_path = "employee__company"
    edit_perm = Perm.PEOPLE_EDIT  # as payroll_adjustment_add


class PayrollRunEventInline(ReadOnlyMixin, admin.TabularInline):
    model = PayrollRunEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields


def _run_action(
    modeladmin: admin.ModelAdmin, request: HttpRequest, runs: QuerySet[PayrollRun], name: str
) -> None:
    for run in runs.select_related("company"):
        try:
            if name == "calculate":
                services.payroll_run_calculate(actor=request.user, run=run)
            elif name == "reopen":
                services.payroll_run_reopen(
                    actor=request.user, run=run, reason=gettext("reopened in the admin")
                )
            else:
                getattr(services, f"payroll_run_{name}")(actor=request.user, run=run)
        except services.RunFailedError as error:
            modeladmin.message_user(request, error.render(gettext), messages.ERROR)
            for failure in error.failures[:50]:
                modeladmin.message_user(
                    request,
                    f"{failure['employee']} {failure['name']}: "
                    f"{failure['message'].render(gettext)}",
                    messages.ERROR,
                )
            continue
        except CoreError as error:
            modeladmin.message_user(request, f"{run}: {error.render(gettext)}", messages.ERROR)
            continue
        except PermissionDenied as error:
            modeladmin.message_user(request, f"{run}: {error}", messages.ERROR)
            continue
        run.refresh_from_db()
        modeladmin.message_user(
            request,
            gettext("%(run)s: %(state)s, %(count)s payslips")
            % {"run": run, "state": run.get_state_display(), "count": run.employee_count},
            messages.SUCCESS,
        )


class PayrollRunAddForm(forms.ModelForm):
    class Meta:
        model = PayrollRun
        fields = ["company", "month"]

    def clean_month(self) -> str:
        try:
            return str(Month.parse(self.cleaned_data["month"]))
        except CoreError as error:
            raise forms.ValidationError(error.render(gettext)) from None


@admin.register(PayrollRun)
class PayrollRunAdmin(CompanyScopedAdmin):
    list_display = [
        "company",
        "month",
        "state",
        "employee_count",
        "total_gross",
        "total_net",
        "total_advanced",
        "total_recovered",
    ]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter), "state"]
    fields = ["company", "month"]
    form = PayrollRunAddForm
    inlines = [PayrollRunEventInline]
    actions = ["calculate", "approve", "mark_paid", "reopen"]
    view_perm = Perm.PAYROLL_VIEW
    edit_perm = Perm.PAYROLL_CALCULATE  # as payroll_run_create

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company", "month"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: PayrollRun, form: Any, change: bool) -> None:
        if change:  # nothing to edit: a run moves on through the actions
            return
        run = services.payroll_run_create(
            actor=request.user, company=obj.company, month=Month.parse(obj.month)
        )
        obj.pk = run.pk
        obj.__dict__.update({f.attname: getattr(run, f.attname) for f in run._meta.fields})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # "change" hides the actions from read-only roles; the services decide who may do which.
    @admin.action(description=_("Calculate the selected runs"), permissions=["change"])
    def calculate(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "calculate")

    @admin.action(description=_("Approve the selected runs"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "approve")

    @admin.action(description=_("Mark the selected runs paid"), permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "mark_paid")

    @admin.action(description=_("Reopen the selected runs"), permissions=["change"])
    def reopen(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "reopen")


class PayslipLineInline(ReadOnlyMixin, admin.TabularInline):
    model = PayslipLine
    extra = 0
    fields = ["seq", "item", "amount", "employer_amount", "base", "rate", "period", "how"]
    readonly_fields = fields

    @admin.display(description=_("item"))
    def item(self, line: PayslipLine) -> str:
        return line_label(line.code, line.params, gettext)

    @admin.display(description=_("how"))
    def how(self, line: PayslipLine) -> str:
        return line_explanation(line).render(gettext)


@admin.register(Payslip)
class PayslipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "employee",
        "month",
        "gross",
        "employee_share",
        "iit",
        "advanced",
        "recovered",
        "net",
        "is_final",
    ]
    list_filter = [("run__company", admin.RelatedOnlyFieldListFilter), "month", "is_final"]
    search_fields = ["employee__number", "employee__name"]
    inlines = [PayslipLineInline]
    exclude = ["iit_cumulative"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payslip]:
        # Only the runs' current results; superseded calculations stay out of sight.
        payslips = (
            super()
            .get_queryset(request)
            .filter(calculation_id=F("run__calculation_id"))
            .select_related("employee")
        )
        if request.user.is_superuser:
            return payslips
        condition = Q(pk__in=[])
        for company in companies_visible(request.user):
            visible = payslips_visible(actor=request.user, company=company)
            condition |= Q(pk__in=visible.values("pk"))
        return payslips.filter(condition)


class ArrearsScopedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only rows of the employees whose arrears the user may see."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        visible = Employee.objects.filter(_employees_where(request, Perm.ARREARS_VIEW))
        return rows.filter(employee__in=visible)


@admin.register(ArrearsEntry)
class ArrearsEntryAdmin(ArrearsScopedAdmin):
    list_display = ["employee", "month", "kind", "amount", "reference", "created_at"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter), "kind", "month"]
    search_fields = ["employee__number", "employee__name", "reference"]


@admin.register(FinalSettlement)
class FinalSettlementAdmin(ArrearsScopedAdmin):
    list_display = [
        "employee",
        "month",
        "final_net_before_offset",
        "offset",
        "payable_to_employee",
        "owed_by_employee",
    ]


class BaseAdjustmentLineInline(ReadOnlyMixin, admin.TabularInline):
    model = BaseAdjustmentLine
    extra = 0
    fields = [
        "enrolment",
        "months_paid",
        "average_wage",
        "current_base",
        "new_base",
        "clamped",
        "is_below_actual",
    ]
    readonly_fields = fields


@admin.register(BaseAdjustment)
class BaseAdjustmentAdmin(CompanyScopedAdmin):
    list_display = ["company", "reference_year", "effective_month", "is_applied"]
    readonly_fields = ["is_applied", "applied_at"]
    inlines = [BaseAdjustmentLineInline]
    actions = ["apply"]
    edit_perm = Perm.ENROLMENT_EDIT  # as base_adjustment_prepare and _apply

    def save_model(
        self, request: HttpRequest, obj: BaseAdjustment, form: Any, change: bool
    ) -> None:
        prepared = base_adjustment.base_adjustment_prepare(
            actor=request.user,
            company=obj.company,
            reference_year=obj.reference_year,
            effective_month=Month.parse(obj.effective_month),
        )
        obj.pk = prepared.pk

    @admin.action(description=_("Apply the selected adjustments"), permissions=["change"])
    def apply(self, request: HttpRequest, queryset: QuerySet[BaseAdjustment]) -> None:
        for adjustment in queryset:
            try:
                count = base_adjustment.base_adjustment_apply(
                    actor=request.user, adjustment=adjustment
                )
            except CoreError as error:
                self.message_user(request, error.render(gettext), messages.ERROR)
                continue
            except PermissionDenied as error:
                self.message_user(request, f"{adjustment}: {error}", messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("%(adjustment)s: %(count)s bases changed")
                % {"adjustment": adjustment, "count": count},
                messages.SUCCESS,
            )
