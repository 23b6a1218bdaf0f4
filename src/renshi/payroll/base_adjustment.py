"""Annual base adjustment (年度缴费基数调整).

Each contribution year, an employee's base becomes last year's average monthly wage, clamped
to the city's floor and ceiling for the new period. Preparing an adjustment computes every
enrolment's new base and flags any whose current base is below the actual wage (under-declared,
which the bureau can demand back); applying it closes each enrolment at the month before the
new period and opens a copy with the new base, so the months already paid keep their base.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from renshi.access.checks import Perm, recorded_user, require
from renshi.core.contributions import calculate_contributions
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month
from renshi.core.policy import InsuranceKind
from renshi.payroll.models import (
    BaseAdjustment,
    BaseAdjustmentLine,
    Payslip,
    RunState,
    SalaryAssignment,
)
from renshi.payroll.services import PayrollError
from renshi.people.models import (
    Company,
    Enrolment,
    EnrolmentAction,
    EnrolmentChange,
    EnrolmentState,
)
from renshi.people.selectors import enrolments_covering
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor


class AdjustmentAppliedError(PayrollError):
    template = gettext_noop("{field}: the adjustment from {month} was already applied")


def _wages_of_year(company: Company, year: int) -> dict[int, list[Decimal]]:
    """Each employee's monthly wage (gross pay before leave deductions) in approved runs."""
    wages: dict[int, list[Decimal]] = defaultdict(list)
    rows = Payslip.objects.filter(
        run__company=company,
        month__gte=f"{year:04d}-01",
        month__lte=f"{year:04d}-12",
        calculation_id=F("run__calculation_id"),
        run__state__in=[RunState.APPROVED, RunState.PAID],
    ).values_list("employee_id", "gross", "time_deductions")
    for employee_id, gross, time_deductions in rows:
        wages[employee_id].append(gross + time_deductions)
    return wages


def _current_salary(employee_ids: list[int], month: str) -> dict[int, Decimal]:
    """For employees without last year's wages (new hires): the salary in force now."""
    salary: dict[int, Decimal] = {}
    for row in SalaryAssignment.objects.filter(
        employee_id__in=employee_ids, effective_month__lte=month
    ).order_by("employee_id", "effective_month"):
        salary[row.employee_id] = sum(
            (Decimal(str(value)) for value in row.amounts.values()), start=ZERO
        )
    return salary


def base_adjustment_prepare(
    *, actor: Actor, company: Company, reference_year: int, effective_month: Month
) -> BaseAdjustment:
    """Compute (or recompute) the company's adjustment for the period from ``effective_month``."""
    require(actor, Perm.ENROLMENT_EDIT, company=company)
    month = str(effective_month)
    library = policy_library()
    with transaction.atomic():
        adjustment, _ = BaseAdjustment.objects.get_or_create(
            company=company,
            effective_month=month,
            defaults={"reference_year": reference_year},
        )
        if adjustment.is_applied:
            raise AdjustmentAppliedError(field="effective_month", month=month)
        adjustment.reference_year = reference_year
        adjustment.save(update_fields=["reference_year"])
        adjustment.lines.all().delete()
        enrolments = list(
            enrolments_covering(month)
            .filter(employee__company=company)
            .exclude(state=EnrolmentState.ENDED)
            .select_related("employee")
            .order_by("employee__number")
        )
        wages = _wages_of_year(company, reference_year)
        salary = _current_salary([e.employee_id for e in enrolments], month)
        lines = []
        for enrolment in enrolments:
            paid = wages.get(enrolment.employee_id, [])
            average = (
                round_cent(sum(paid, start=ZERO) / len(paid))
                if paid
                else round_cent(salary.get(enrolment.employee_id, enrolment.base))
            )
            snapshot = library.lookup(enrolment.city, effective_month, field="effective_month")
            result = calculate_contributions(
                snapshot, wage=average, work_injury_class=enrolment.work_injury_class or None
            )
            pension = next(item for item in result.items if item.kind is InsuranceKind.PENSION)
            # Under-declared: the base is below what the wage (within the ceiling) requires.
            required = min(average, pension.ceiling)
            lines.append(
                BaseAdjustmentLine(
                    adjustment=adjustment,
                    enrolment=enrolment,
                    months_paid=len(paid),
                    average_wage=average,
                    current_base=enrolment.base,
                    new_base=pension.base,
                    clamped=pension.clamped or "",
                    is_below_actual=enrolment.base < required,
                )
            )
        BaseAdjustmentLine.objects.bulk_create(lines, batch_size=1000)
    return adjustment


def base_adjustment_apply(*, actor: Actor, adjustment: BaseAdjustment) -> int:
    """Put the new bases in force from the adjustment's month; returns how many changed."""
    require(actor, Perm.ENROLMENT_EDIT, company=adjustment.company)
    month = Month.parse(adjustment.effective_month)
    last_old = str(month.add(-1))
    by = recorded_user(actor)
    changed = 0
    with transaction.atomic():
        adjustment = BaseAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if adjustment.is_applied:
            raise AdjustmentAppliedError(field="effective_month", month=adjustment.effective_month)
        for line in adjustment.lines.select_related("enrolment"):
            old = line.enrolment
            if old.base == line.new_base:
                continue
            changed += 1
            fields = {"base": str(line.new_base)}
            if old.start_month >= adjustment.effective_month:
                # Not contributed yet at the old base: change it in place.
                previous = str(old.base)
                old.base = line.new_base
                old.save(update_fields=["base", "updated_at"])
                EnrolmentChange.objects.create(
                    enrolment=old,
                    action=EnrolmentAction.BASE_ADJUSTMENT,
                    from_state=old.state,
                    to_state=old.state,
                    changes={"base": [previous, fields["base"]]},
                    actor=by,
                )
                continue
            new = Enrolment.objects.create(
                employee_id=old.employee_id,
                city=old.city,
                work_injury_class=old.work_injury_class,
                base=line.new_base,
                housing_fund_rate=old.housing_fund_rate,
                start_month=adjustment.effective_month,
                end_month=old.end_month,
                state=old.state,
            )
            before = old.state
            old.end_month = last_old
            old.state = EnrolmentState.ENDED
            old.save(update_fields=["end_month", "state", "updated_at"])
            EnrolmentChange.objects.create(
                enrolment=old,
                action=EnrolmentAction.BASE_ADJUSTMENT_CLOSE,
                from_state=before,
                to_state=EnrolmentState.ENDED,
                changes={"end_month": ["", last_old]},
                actor=by,
            )
            EnrolmentChange.objects.create(
                enrolment=new,
                action=EnrolmentAction.BASE_ADJUSTMENT_OPEN,
                from_state="",
                to_state=new.state,
                changes={"base": [str(line.current_base), fields["base"]]},
                actor=by,
            )
        adjustment.is_applied = True
        adjustment.applied_at = timezone.now()
        adjustment.save(update_fields=["is_applied", "applied_at"])
    return changed
