"""Compute: turn one employee's fetched rows into the core's inputs and calculate the payslip.

Nothing here touches the database. An employee whose data is wrong (no salary, no enrolment,
a city or month outside the policy library, a negative amount) yields a ``Failure`` naming the
employee and the field, and the run goes on with the others so every problem is reported at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from renshi.attendance.calendar import working_days
from renshi.core.contributions import ContributionResult, calculate_contributions
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.iit import BasicDeductionRule, IitCumulative
from renshi.core.money import ZERO, parse_money
from renshi.core.payroll import (
    Component,
    ComponentKind,
    PayRules,
    PayslipInput,
    PayslipResult,
    TimeInputs,
    calculate_payslip,
)
from renshi.core.payroll_time import (
    LeaveBasis,
)
from renshi.core.policy import InsuranceKind, PolicyLibrary, PolicySnapshot
from renshi.payroll.fetch import EmployeeRows, RunContext
from renshi.people.models import EmploymentType


class NoSalaryError(CoreError):
    template = gettext_noop("{field}: no salary assignment in force in {month}")


class NoEnrolmentError(CoreError):
    template = gettext_noop(
        "{field}: no social insurance enrolment covers {month} (required for {employment_type} "
        "employees)"
    )


class UnknownComponentError(CoreError):
    template = gettext_noop("{field}: '{value}' is not a component of the salary structure")


# Flexible workers and interns are usually not enrolled by the company; the others must be.
ENROLMENT_OPTIONAL = frozenset({EmploymentType.FLEXIBLE, EmploymentType.INTERN})

_BASE_FIELDS: tuple[tuple[InsuranceKind, str], ...] = (
    (InsuranceKind.PENSION, "pension_base"),
    (InsuranceKind.MEDICAL, "medical_base"),
    (InsuranceKind.UNEMPLOYMENT, "unemployment_base"),
    (InsuranceKind.WORK_INJURY, "work_injury_base"),
    (InsuranceKind.MATERNITY, "maternity_base"),
)


@dataclass(frozen=True, slots=True)
class Failure:
    employee_id: int
    field: str
    message: Message


@dataclass(frozen=True, slots=True)
class Computed:
    employee_id: int
    city: str
    is_final: bool
    result: PayslipResult


def pay_rules(context: RunContext) -> PayRules:
    settings = context.settings
    return PayRules(
        leave_basis=LeaveBasis(settings.leave_basis),
        minimum_net_pay=settings.minimum_net_pay,
        recovery_max_ratio=settings.recovery_max_ratio,
        recovery_keeps_minimum_wage=settings.recovery_keeps_minimum_wage,
        sick_pay_floor_ratio=settings.sick_pay_floor_ratio,
        final_settlement_full_offset=settings.final_settlement_full_offset,
    )


class Calculator:
    """Computes the payslips of one chunk; caches policy lookups by city."""

    def __init__(self, context: RunContext, library: PolicyLibrary) -> None:
        self.context = context
        self.library = library
        self.rules = pay_rules(context)
        self._snapshots: dict[str, PolicySnapshot] = {}
        self._minimum_wages: dict[str, Decimal | None] = {}

    def _snapshot(self, city: str) -> PolicySnapshot:
        snapshot = self._snapshots.get(city)
        if snapshot is None:
            self.library.city(city, field="enrolment.city")
            snapshot = self.library.lookup(city, self.context.month, field="month")
            self._snapshots[city] = snapshot
        return snapshot

    def _minimum_wage(self, city: str) -> Decimal | None:
        if city not in self._minimum_wages:
            snapshot = self._snapshot(city)
            period = snapshot.minimum_wage
            known = period is not None and period.monthly.is_known
            self._minimum_wages[city] = (
                snapshot.require(period.monthly, field="minimum_wage") if known else None
            )
        return self._minimum_wages[city]

    def _components(self, rows: EmployeeRows) -> tuple[Component, ...]:
        assignment = rows.assignment
        assert assignment is not None
        definitions = self.context.components.get(assignment["structure_id"], ())
        known = {definition.code for definition in definitions}
        for code in assignment["amounts"]:
            if code not in known:
                raise UnknownComponentError(field=f"salary.{code}", value=code)
        components = [
            Component(
                code=definition.code,
                name=definition.name,
                kind=ComponentKind(definition.kind),
                amount=parse_money(
                    assignment["amounts"].get(definition.code, "0"),
                    field=f"salary.{definition.code}",
                ),
                is_prorated=definition.is_prorated,
            )
            for definition in definitions
        ]
        components += [
            Component(
                code=f"adj.{index}.{row['code']}",
                name=row["name"],
                kind=ComponentKind(row["kind"]),
                amount=row["amount"],
                is_prorated=False,
            )
            for index, row in enumerate(rows.adjustments, start=1)
        ]
        return tuple(components)

    def _not_employed_days(self, rows: EmployeeRows) -> Decimal:
        context = self.context
        days = 0
        if rows.hire_date > context.first_day:
            days += working_days(context.first_day, rows.hire_date - datetime.timedelta(days=1))
        if rows.leave_date is not None and rows.leave_date < context.last_day:
            days += working_days(rows.leave_date + datetime.timedelta(days=1), context.last_day)
        return Decimal(days)

    def _contributions(self, rows: EmployeeRows) -> tuple[str, ContributionResult | None]:
        enrolment = rows.enrolment
        if enrolment is None:
            if rows.employment_type in ENROLMENT_OPTIONAL:
                return "", None
            raise NoEnrolmentError(
                field="enrolment",
                month=str(self.context.month),
                employment_type=rows.employment_type,
            )
        city = enrolment["city"]
        snapshot = self._snapshot(city)
        item_bases = {
            kind: enrolment[name] for kind, name in _BASE_FIELDS if enrolment[name] is not None
        }
        result = calculate_contributions(
            snapshot,
            wage=enrolment["base"],
            base=enrolment["base"],
            housing_fund_rate=enrolment["housing_fund_rate"],
            work_injury_class=enrolment["work_injury_class"] or None,
            item_bases=item_bases,
            housing_fund_base=enrolment["housing_fund_base"],
        )
        return city, result

    def payslip_input(self, rows: EmployeeRows) -> tuple[str, PayslipInput]:
        context = self.context
        if rows.assignment is None:
            raise NoSalaryError(field="salary", month=str(context.month))
        city, contributions = self._contributions(rows)
        time = rows.time
        minimum_wage = self._minimum_wage(city) if city else None
        rules = self.rules
        if minimum_wage is None and rules.recovery_keeps_minimum_wage:
            # Without a known minimum wage the safeguard cannot be checked: recover nothing.
            rules = replace(rules, recovery_max_ratio=ZERO)
        is_final = rows.leave_date is not None and rows.leave_date <= context.last_day
        return city, PayslipInput(
            month=context.month,
            components=self._components(rows),
            time=TimeInputs(
                scheduled_days=time.scheduled_days,
                unpaid_leave_days=time.unpaid_days,
                sick_leave_days=time.sick_days,
                sick_pay_ratio=time.sick_pay_ratio,
                not_employed_days=self._not_employed_days(rows),
                reduced_pay_days=time.reduced_pay_days,
                reduced_pay_ratio=time.reduced_pay_ratio,
            ),
            contributions=contributions,
            iit_previous=_iit_state(rows.iit_previous),
            iit_rule=BasicDeductionRule(rows.assignment["iit_rule"]),
            additional_deductions=rows.assignment["additional_deductions"],
            arrears_balance=max(rows.arrears_balance, ZERO),
            minimum_wage=minimum_wage,
            rules=rules,
            is_final=is_final,
        )

    def compute(self, rows: EmployeeRows) -> Computed | Failure:
        try:
            city, inp = self.payslip_input(rows)
            result = calculate_payslip(inp)
        except CoreError as error:
            return Failure(rows.id, error.field or "", error.message)
        return Computed(rows.id, city, inp.is_final, result)


def _iit_state(data: dict[str, Any] | None) -> IitCumulative | None:
    if data is None:
        return None
    return IitCumulative(
        year=int(data["year"]),
        first_month=int(data["first_month"]),
        last_month=int(data["last_month"]),
        income=Decimal(data["income"]),
        tax_free_income=Decimal(data["tax_free_income"]),
        basic_deduction=Decimal(data["basic_deduction"]),
        special_deductions=Decimal(data["special_deductions"]),
        additional_deductions=Decimal(data["additional_deductions"]),
        other_deductions=Decimal(data["other_deductions"]),
        tax_relief=Decimal(data["tax_relief"]),
        tax_withheld=Decimal(data["tax_withheld"]),
    )


def iit_state_json(state: IitCumulative) -> dict[str, Any]:
    return {
        "year": state.year,
        "first_month": state.first_month,
        "last_month": state.last_month,
        "income": str(state.income),
        "tax_free_income": str(state.tax_free_income),
        "basic_deduction": str(state.basic_deduction),
        "special_deductions": str(state.special_deductions),
        "additional_deductions": str(state.additional_deductions),
        "other_deductions": str(state.other_deductions),
        "tax_relief": str(state.tax_relief),
        "tax_withheld": str(state.tax_withheld),
    }
