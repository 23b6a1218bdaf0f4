"""The back office for payroll: structures, runs (calculate, approve, pay, reopen), payslips and
the arrears ledger. Every action goes through the services, with the signed-in user as actor."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.core.errors import CoreError
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
from renshi.payroll.selectors import line_explanation


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayrollSettings)
class PayrollSettingsAdmin(admin.ModelAdmin):
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
class SalaryStructureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "company", "is_active"]
    list_filter = ["company", "is_active"]
    inlines = [SalaryComponentInline]


@admin.register(SalaryAssignment)
class SalaryAssignmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "structure", "effective_month", "iit_rule"]
    list_filter = ["structure__company", "structure"]
    search_fields = ["employee__number", "employee__name"]
    raw_id_fields = ["employee"]


@admin.register(PayrollAdjustment)
class PayrollAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "month", "name", "kind", "amount"]
    list_filter = ["month", "kind"]
    search_fields = ["employee__number", "employee__name"]
    raw_id_fields = ["employee"]


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


@admin.register(PayrollRun)
class PayrollRunAdmin(admin.ModelAdmin):
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
    list_filter = ["company", "state"]
    fields = ["company", "month"]
    inlines = [PayrollRunEventInline]
    actions = ["calculate", "approve", "mark_paid", "reopen"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company", "month"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Calculate the selected runs"))
    def calculate(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "calculate")

    @admin.action(description=_("Approve the selected runs"))
    def approve(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "approve")

    @admin.action(description=_("Mark the selected runs paid"))
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[PayrollRun]) -> None:
        _run_action(self, request, queryset, "mark_paid")

    @admin.action(description=_("Reopen the selected runs"))
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
    list_filter = ["run__company", "month", "is_final"]
    search_fields = ["employee__number", "employee__name"]
    inlines = [PayslipLineInline]
    exclude = ["iit_cumulative"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payslip]:
        from django.db.models import F

        # Only the runs' current results; superseded calculations stay out of sight.
        return (
            super()
            .get_queryset(request)
            .filter(calculation_id=F("run__calculation_id"))
            .select_related("employee")
        )


@admin.register(ArrearsEntry)
class ArrearsEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["employee", "month", "kind", "amount", "reference", "created_at"]
    list_filter = ["company", "kind", "month"]
    search_fields = ["employee__number", "employee__name", "reference"]


@admin.register(FinalSettlement)
class FinalSettlementAdmin(ReadOnlyMixin, admin.ModelAdmin):
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
class BaseAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["company", "reference_year", "effective_month", "is_applied"]
    readonly_fields = ["is_applied", "applied_at"]
    inlines = [BaseAdjustmentLineInline]
    actions = ["apply"]

    def save_model(
        self, request: HttpRequest, obj: BaseAdjustment, form: Any, change: bool
    ) -> None:
        from renshi.core.months import Month

        prepared = base_adjustment.base_adjustment_prepare(
            actor=request.user,
            company=obj.company,
            reference_year=obj.reference_year,
            effective_month=Month.parse(obj.effective_month),
        )
        obj.pk = prepared.pk

    @admin.action(description=_("Apply the selected adjustments"))
    def apply(self, request: HttpRequest, queryset: QuerySet[BaseAdjustment]) -> None:
        for adjustment in queryset:
            try:
                count = base_adjustment.base_adjustment_apply(
                    actor=request.user, adjustment=adjustment
                )
            except CoreError as error:
                self.message_user(request, error.render(gettext), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("%(adjustment)s: %(count)s bases changed")
                % {"adjustment": adjustment, "count": count},
                messages.SUCCESS,
            )
