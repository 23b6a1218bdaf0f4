"""Salary structures, assignments and one-off adjustments: the data a run computes from.

Components are named data (code, kind, prorated or not), never formula strings: a run reads an
employee's amount per component and the core decides what each kind does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from renshi.access.checks import Perm, require
from renshi.core.i18n import gettext_noop
from renshi.core.money import format_money, parse_non_negative
from renshi.core.months import Month
from renshi.payroll.models import (
    ComponentKind,
    IitRule,
    PayrollAdjustment,
    SalaryAssignment,
    SalaryComponent,
    SalaryStructure,
)
from renshi.payroll.services import PayrollError
from renshi.people.models import Company, Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor


class UnknownComponentCodeError(PayrollError):
    template = gettext_noop("{field}: '{value}' is not a component of the structure {structure}")


class OtherCompanyError(PayrollError):
    template = gettext_noop("{field}: the structure belongs to another company")


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    code: str
    name: str
    kind: str
    is_prorated: bool = True
    default_amount: Decimal = Decimal("0")


def salary_structure_create(
    *, actor: Actor, company: Company, code: str, name: str, components: Sequence[ComponentSpec]
) -> SalaryStructure:
    require(actor, Perm.SETTINGS_EDIT, company=company)
    with transaction.atomic():
        structure = SalaryStructure.objects.create(company=company, code=code, name=name)
        SalaryComponent.objects.bulk_create(
            [
                SalaryComponent(
                    structure=structure,
                    code=spec.code,
                    name=spec.name,
                    kind=ComponentKind(spec.kind),
                    is_prorated=spec.is_prorated,
                    default_amount=spec.default_amount,
                    order=order,
                )
                for order, spec in enumerate(components, start=1)
            ]
        )
    return structure


def salary_assign(
    *,
    actor: Actor,
    employee: Employee,
    structure: SalaryStructure,
    effective_month: Month,
    amounts: Mapping[str, object],
    iit_rule: str = IitRule.STANDARD,
    additional_deductions: object = "0",
    note: str = "",
) -> SalaryAssignment:
    """The employee's pay from ``effective_month`` on (a raise is a later assignment)."""
    require(actor, Perm.PEOPLE_EDIT, company=employee.company, employee=employee)
    if structure.company_id != employee.company_id:
        raise OtherCompanyError(field="structure")
    codes = set(structure.components.values_list("code", flat=True))
    clean = {}
    for code, amount in amounts.items():
        if code not in codes:
            raise UnknownComponentCodeError(
                field=f"amounts.{code}", value=code, structure=structure.code
            )
        clean[code] = format_money(parse_non_negative(amount, field=f"amounts.{code}"))
    assignment, _ = SalaryAssignment.objects.update_or_create(
        employee=employee,
        effective_month=str(effective_month),
        defaults={
            "structure": structure,
            "amounts": clean,
            "iit_rule": IitRule(iit_rule),
            "additional_deductions": parse_non_negative(
                additional_deductions, field="additional_deductions"
            ),
            "note": note,
        },
    )
    return assignment


def payroll_adjustment_add(
    *,
    actor: Actor,
    employee: Employee,
    month: Month,
    code: str,
    name: str,
    kind: str,
    amount: object,
    note: str = "",
) -> PayrollAdjustment:
    """A one-off amount in one month's payroll: a bonus, leave pay on exit, a deduction."""
    require(actor, Perm.PEOPLE_EDIT, company=employee.company, employee=employee)
    return PayrollAdjustment.objects.create(
        employee=employee,
        month=str(month),
        code=code,
        name=name,
        kind=ComponentKind(kind),
        amount=parse_non_negative(amount, field="amount"),
        note=note,
    )
