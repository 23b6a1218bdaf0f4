"""One employee's monthly payslip: earnings, time deductions, gross, contributions, tax, arrears.

A pure function over frozen inputs. A payroll run fetches each employee's pay components, time
figures, contribution result and IIT state, calls :func:`calculate_payslip`, and saves what it
returns; ``iit_result.cumulative`` and ``arrears_balance_after`` feed next month.

When a month's pay cannot cover the employee's share of social insurance and housing fund (a
month of unpaid leave, say), the contribution is still paid in full in the employee's name: the
company advances the uncovered part and the employee owes it back. Later months recover it
within the limits of 工资支付暂行规定 第十六条; a final settlement may offset it in full.

Every figure has a line, and every line explains itself with a translatable :class:`Message`
naming the rule, the period, the base and the arithmetic. Money is ``Decimal`` in cents and
every rounding is a named rule of :mod:`renshi.core.money`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from renshi.core.contributions import ContributionResult
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.iit import (
    BasicDeductionRule,
    IitCumulative,
    IitMonthResult,
    MonthlyIitInput,
    withhold_month,
)
from renshi.core.money import ZERO, NegativeAmountError, RoundingRule, apply_rounding, round_cent
from renshi.core.months import Month
from renshi.core.payroll_time import LeaveBasis, calculate_time_deductions
from renshi.core.policy import HOUSING_FUND_LABEL, INSURANCE_LABELS

# --- Legal bases, named in every explanation's ``rule`` parameter ----------------------------

RULE_SOCIAL_INSURANCE = "《社会保险法》第六十条"  # the employer withholds the employee's share
RULE_HOUSING_FUND = "《住房公积金管理条例》第十九条"  # likewise for the housing fund
RULE_IIT = "国家税务总局公告2018年第61号 累计预扣法"
RULE_RECOVERY = "《工资支付暂行规定》第十六条"
RULE_FINAL_SETTLEMENT = "final_settlement_full_offset"  # the company's pay rules

_ONE = Decimal("1")
_ZERO_CENTS = round_cent(ZERO)
# --- Errors ------------------------------------------------------------------------------

NOT_A_NUMBER = gettext_noop("{field}: '{value}' is not a finite decimal number")
RATIO_OUT_OF_RANGE = gettext_noop("{field}: {value} is not a share between 0 and 1")
DAYS_EXCEED_SCHEDULED = gettext_noop(
    "{field}: {value} days of unpaid leave, sick leave and days not employed exceed the "
    "{scheduled} scheduled working days"
)
DUPLICATE_COMPONENT = gettext_noop("{field}: the component code '{value}' appears more than once")


class PayslipInputError(CoreError):
    """An input the payslip cannot be calculated from."""


class NotANumberError(PayslipInputError):
    template = NOT_A_NUMBER


class RatioOutOfRangeError(PayslipInputError):
    template = RATIO_OUT_OF_RANGE


class DaysExceedScheduledError(PayslipInputError):
    template = DAYS_EXCEED_SCHEDULED


class DuplicateComponentError(PayslipInputError):
    template = DUPLICATE_COMPONENT


def _check_non_negative(value: object, field: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise NotANumberError(field=field, value=value)
    if value < ZERO:
        raise NegativeAmountError(field=field, value=value)


def _check_ratio(value: object, field: str) -> None:
    _check_non_negative(value, field)
    assert isinstance(value, Decimal)
    if value > _ONE:
        raise RatioOutOfRangeError(field=field, value=value)


# --- Explanations: the message constants tests assert on ----------------------------------

EARNING_PRORATED = gettext_noop(
    "{name}: {amount} for the month, reduced for unpaid leave, sick leave and days not employed"
)
EARNING_NOT_PRORATED = gettext_noop("{name}: {amount}, paid whatever the days worked")
DEDUCTION = gettext_noop("{name}: {amount} deducted before tax")
DEDUCTION_CAPPED = gettext_noop(
    "{name}: {requested} to deduct, limited to {amount}, the pay left: gross pay is never below 0"
)
GROSS = gettext_noop(
    "Gross pay: earnings {earnings} − time deductions {time_deductions} − deductions "
    "{deductions} = {amount}"
)
BASE_AS_DECLARED = gettext_noop("as declared")
BASE_RAISED_TO_FLOOR = gettext_noop("declared {wage_base}, raised to the floor {floor}")
BASE_LOWERED_TO_CEILING = gettext_noop("declared {wage_base}, lowered to the ceiling {ceiling}")
SOCIAL_INSURANCE = gettext_noop(
    "{item}: {base} × {rate} = {amount}; employer {base} × {employer_rate} = {employer_amount}; "
    "{city} {period}, base {base_note}, rounding {rounding} ({rule})"
)
SOCIAL_INSURANCE_FIXED = gettext_noop(
    "{item}: {base} × {rate} + {fixed} = {amount}; employer {base} × {employer_rate} + "
    "{employer_fixed} = {employer_amount}; {city} {period}, base {base_note}, "
    "rounding {rounding} ({rule})"
)
HOUSING_FUND = gettext_noop(
    "{item}: {base} × {rate} = {amount}, and the same from the employer; {city} {period}, "
    "base {base_note}, rounding {rounding} ({rule})"
)
IIT = gettext_noop(
    "Income tax, cumulative {period}: taxable {taxable} × {rate} − {quick_deduction} = "
    "{cumulative_tax}, less relief {relief} and {withheld_before} withheld earlier = {amount}, "
    "never below 0; this month's special deductions are the whole employee share {share} "
    "({rule})"
)
ADVANCE = gettext_noop(
    "The pay left after tax, {available}, cannot cover the employee's contributions {share}: "
    "the company advances {amount} ({items}) and the employee owes {balance_after} ({rule})"
)
RECOVERY = gettext_noop(
    "Recovery of earlier arrears: the least of the balance {balance}, {ratio} × gross {gross} "
    "= {ratio_cap}, and net pay {net_before} less the floor {floor} = {floor_cap}: {amount}; "
    "the employee still owes {balance_after} ({rule})"
)
RECOVERY_NO_FLOOR = gettext_noop(
    "Recovery of earlier arrears: the least of the balance {balance}, {ratio} × gross {gross} "
    "= {ratio_cap}, and net pay {net_before}: {amount}; the employee still owes "
    "{balance_after} ({rule})"
)
RECOVERY_FINAL = gettext_noop(
    "Final settlement offset: the balance {balance} is offset against the whole final net pay "
    "{net_before}, without the {ratio} limit: {amount}; the employee still owes "
    "{balance_after} ({rule})"
)
RECOVERY_NONE_AFTER_ADVANCE = gettext_noop(
    "Nothing recovered of the balance {balance}: this month's pay did not cover the "
    "contributions, so the company advanced {advanced}"
)
NET = gettext_noop(
    "Net pay: gross {gross} − tax {iit} − contributions {share} + advanced {advanced} − "
    "recovered {recovered} = {amount}"
)

# --- Inputs ------------------------------------------------------------------------------


class ComponentKind(enum.StrEnum):
    BASE = "base"  # 基本工资
    ALLOWANCE = "allowance"  # 津贴/补贴, taxable
    BONUS = "bonus"  # 奖金 paid with this month's wages, taxed with them
    DEDUCTION = "deduction"  # 扣款 before tax: reduces gross pay


@dataclass(frozen=True, slots=True)
class Component:
    """One pay component; ``is_prorated`` components shrink with unpaid days."""

    code: str
    name: str
    kind: ComponentKind
    amount: Decimal
    is_prorated: bool

    def __post_init__(self) -> None:
        _check_non_negative(self.amount, f"component.{self.code}")


@dataclass(frozen=True, slots=True)
class PayRules:
    """A company's pay rules; one instance is shared by every payslip of a run."""

    leave_basis: LeaveBasis = LeaveBasis.STATUTORY_21_75
    minimum_net_pay: Decimal = ZERO  # the employee's share is covered only down to this net pay
    recovery_max_ratio: Decimal = Decimal("0.20")  # share of the month's gross recovered at most
    recovery_keeps_minimum_wage: bool = True  # net pay after recovery never below minimum wage
    sick_pay_floor_ratio: Decimal = Decimal("0.80")  # of minimum wage, pro rata of the sick days
    reduced_pay_floor_ratio: Decimal = _ONE  # of minimum wage, pro rata of the reduced-pay days
    final_settlement_full_offset: bool = True  # on exit, arrears offset against all final pay

    def __post_init__(self) -> None:
        _check_non_negative(self.minimum_net_pay, "rules.minimum_net_pay")
        _check_ratio(self.recovery_max_ratio, "rules.recovery_max_ratio")
        _check_ratio(self.sick_pay_floor_ratio, "rules.sick_pay_floor_ratio")
        _check_ratio(self.reduced_pay_floor_ratio, "rules.reduced_pay_floor_ratio")


DEFAULT_RULES = PayRules()


@dataclass(frozen=True, slots=True)
class TimeInputs:
    """The month's working days and the days not paid in full."""

    scheduled_days: Decimal  # working days scheduled in the month, e.g. 22
    unpaid_leave_days: Decimal = ZERO  # 事假 and other unpaid leave, and unexcused absence
    sick_leave_days: Decimal = ZERO
    sick_pay_ratio: Decimal = _ONE  # share of the daily wage paid on a sick day, e.g. 0.6
    not_employed_days: Decimal = ZERO  # scheduled days before hire or after leaving
    # A long leave the company pays at a share of the wage instead of leaving it unpaid.
    reduced_pay_days: Decimal = ZERO
    reduced_pay_ratio: Decimal = _ONE

    def __post_init__(self) -> None:
        _check_non_negative(self.scheduled_days, "time.scheduled_days")
        _check_non_negative(self.unpaid_leave_days, "time.unpaid_leave_days")
        _check_non_negative(self.sick_leave_days, "time.sick_leave_days")
        _check_ratio(self.sick_pay_ratio, "time.sick_pay_ratio")
        _check_non_negative(self.not_employed_days, "time.not_employed_days")
        _check_non_negative(self.reduced_pay_days, "time.reduced_pay_days")
        _check_ratio(self.reduced_pay_ratio, "time.reduced_pay_ratio")
        days = (
            self.unpaid_leave_days
            + self.sick_leave_days
            + self.not_employed_days
            + self.reduced_pay_days
        )
        if days > self.scheduled_days:
            raise DaysExceedScheduledError(
                field="time.scheduled_days", value=days, scheduled=self.scheduled_days
            )


@dataclass(frozen=True, slots=True)
class PayslipInput:
    """Everything one payslip is calculated from, as fetched for a payroll run."""

    month: Month
    components: tuple[Component, ...]
    time: TimeInputs
    contributions: ContributionResult | None  # None when not enrolled this month
    iit_previous: IitCumulative | None  # None in the first month withheld here this year
    iit_rule: BasicDeductionRule = BasicDeductionRule.STANDARD
    additional_deductions: Decimal = ZERO  # the month's 专项附加扣除
    arrears_balance: Decimal = ZERO  # what the employee owes the company before this month
    minimum_wage: Decimal | None = None  # the city's monthly minimum wage this month
    rules: PayRules = DEFAULT_RULES
    is_final: bool = False  # the final settlement on leaving

    def __post_init__(self) -> None:
        _check_non_negative(self.additional_deductions, "additional_deductions")
        _check_non_negative(self.arrears_balance, "arrears_balance")
        if self.minimum_wage is not None:
            _check_non_negative(self.minimum_wage, "minimum_wage")
        if len({component.code for component in self.components}) != len(self.components):
            seen: set[str] = set()
            for component in self.components:
                if component.code in seen:
                    raise DuplicateComponentError(
                        field=f"component.{component.code}", value=component.code
                    )
                seen.add(component.code)


# --- Output ------------------------------------------------------------------------------


class LineKind(enum.StrEnum):
    """What a line does to pay; the order is the order a payslip reads."""

    EARNING = "earning"
    TIME_DEDUCTION = "time_deduction"
    DEDUCTION = "deduction"
    GROSS = "gross"
    CONTRIBUTION = "contribution"
    HOUSING_FUND = "housing_fund"
    TAX = "tax"
    ADVANCE = "advance"
    RECOVERY = "recovery"
    NET = "net"


@dataclass(frozen=True, slots=True, kw_only=True)
class PayslipLine:
    """One line of the payslip.

    ``amount`` is the effect on the employee, always written positive: ``kind`` says whether it
    adds or takes away. ``employer_amount`` is the employer's share on contribution lines and
    never affects pay.
    """

    code: str  # stable machine code: "earning.base", "time.unpaid_leave", "si.pension", "hf"...
    kind: LineKind
    amount: Decimal
    employer_amount: Decimal = _ZERO_CENTS
    base: Decimal | None = None
    rate: Decimal | None = None
    period: str = ""
    explanation: Message


@dataclass(frozen=True, slots=True)
class PayslipResult:
    """The payslip's figures and lines.

    ``gross − iit − share_covered − recovered == net`` always holds; ``advanced_items`` (item
    code, amount) add up to ``advanced``, the part of the employee's share the company paid.
    """

    month: Month
    earnings: Decimal
    time_deductions: Decimal
    deductions: Decimal
    gross: Decimal
    employee_share: Decimal
    employer_share: Decimal
    iit: Decimal
    iit_result: IitMonthResult
    share_covered: Decimal
    advanced: Decimal
    advanced_items: tuple[tuple[str, Decimal], ...]
    recovered: Decimal
    net: Decimal
    arrears_balance_before: Decimal
    arrears_balance_after: Decimal
    lines: tuple[PayslipLine, ...]

    def line(self, code: str) -> PayslipLine | None:
        """The line with ``code``, or ``None`` when the payslip has none."""
        return next((line for line in self.lines if line.code == code), None)


# --- Calculation -------------------------------------------------------------------------

_BASE_AS_DECLARED_MESSAGE = Message(BASE_AS_DECLARED)
_ITEM_LABELS = {kind: Message(label) for kind, label in INSURANCE_LABELS.items()}
_HOUSING_FUND_MESSAGE = Message(HOUSING_FUND_LABEL)
_HOUSING_FUND_CODE = "housing_fund"


def calculate_payslip(inp: PayslipInput) -> PayslipResult:
    """Calculate one employee's payslip for one month; see the module docstring."""
    rules = inp.rules
    month_text = str(inp.month)
    lines: list[PayslipLine] = []

    # 1-2. Earnings, then the days not paid: they shrink only the prorated components.
    earnings, prorated, deduction_components = _earnings(inp.components, lines, month_text)
    time_deductions, time_lines = calculate_time_deductions(
        inp.time, rules, prorated=prorated, minimum_wage=inp.minimum_wage
    )
    for code, amount, explanation in time_lines:
        lines.append(_line(code, LineKind.TIME_DEDUCTION, amount, month_text, explanation))
    # 3. Deduction components come off before tax; gross pay never goes below zero.
    deductions = _deductions(deduction_components, earnings - time_deductions, lines, month_text)
    gross = earnings - time_deductions - deductions
    params: dict[str, Any] = {"earnings": earnings, "time_deductions": time_deductions}
    params.update(deductions=deductions, amount=gross)
    lines.append(_line("gross", LineKind.GROSS, gross, month_text, Message(GROSS, params)))

    # 4. The employee's share of social insurance and housing fund (三险一金).
    share, employer_share, shares = _contributions(inp.contributions, lines)

    # 5. Income tax by cumulative withholding. The whole share is a special deduction even when
    # the company advances part of it below: it is still paid in the employee's name.
    iit_result = withhold_month(
        previous=inp.iit_previous,
        month=MonthlyIitInput(
            month=inp.month,
            income=gross,
            special_deductions=share,
            additional_deductions=inp.additional_deductions,
        ),
        rule=inp.iit_rule,
    )
    iit = iit_result.withholding
    lines.append(_iit_line(iit_result, share, month_text))

    # 6. Cover the share from the pay left after tax, down to the minimum net pay. The company
    # advances the rest, so the contribution is paid in full (社会保险法 第六十条); the advance
    # falls on the last items in order and becomes the employee's debt.
    balance = round_cent(inp.arrears_balance)
    available = gross - iit - round_cent(rules.minimum_net_pay)
    covered = min(share, max(available, _ZERO_CENTS))
    advanced = share - covered
    advanced_items: tuple[tuple[str, Decimal], ...] = ()
    if advanced:
        advanced_items = _advanced_items(shares, covered)
        items = ", ".join(f"{code} {amount}" for code, amount in advanced_items)
        params = {"available": max(available, _ZERO_CENTS), "share": share, "amount": advanced}
        params.update(items=items, balance_after=balance + advanced, rule=RULE_SOCIAL_INSURANCE)
        explanation = Message(ADVANCE, params)
        lines.append(_line("arrears.advance", LineKind.ADVANCE, advanced, month_text, explanation))

    # 7. Recover earlier arrears from what is left.
    net_before = gross - iit - covered
    recovered = _ZERO_CENTS
    if balance:
        recovered, explanation = _recovery(inp, balance, advanced, gross, net_before)
        kind = LineKind.RECOVERY
        lines.append(_line("arrears.recovery", kind, recovered, month_text, explanation))

    # 8. Net pay, and what the employee owes after this month.
    net = net_before - recovered
    assert net >= 0, "net pay is never negative"
    assert gross - iit - covered - recovered == net, "the payslip adds up"
    params = {"gross": gross, "iit": iit, "share": share, "advanced": advanced}
    params.update(recovered=recovered, amount=net)
    lines.append(_line("net", LineKind.NET, net, month_text, Message(NET, params)))
    return PayslipResult(
        month=inp.month,
        earnings=earnings,
        time_deductions=time_deductions,
        deductions=deductions,
        gross=gross,
        employee_share=share,
        employer_share=employer_share,
        iit=iit,
        iit_result=iit_result,
        share_covered=covered,
        advanced=advanced,
        advanced_items=advanced_items,
        recovered=recovered,
        net=net,
        arrears_balance_before=balance,
        arrears_balance_after=balance + advanced - recovered,
        lines=tuple(lines),
    )


def _line(
    code: str, kind: LineKind, amount: Decimal, period: str, explanation: Message
) -> PayslipLine:
    return PayslipLine(code=code, kind=kind, amount=amount, period=period, explanation=explanation)


def _earnings(
    components: tuple[Component, ...], lines: list[PayslipLine], month_text: str
) -> tuple[Decimal, Decimal, list[Component]]:
    """Earning lines; returns (earnings, the prorated part, the deduction components)."""
    earnings = _ZERO_CENTS
    prorated = _ZERO_CENTS
    deduction_components: list[Component] = []
    for component in components:
        if component.kind is ComponentKind.DEDUCTION:
            deduction_components.append(component)
            continue
        # Wages are paid in cents: rounding each component first keeps every figure in cents.
        amount = round_cent(component.amount)
        earnings += amount
        template = EARNING_NOT_PRORATED
        if component.is_prorated:
            prorated += amount
            template = EARNING_PRORATED
        params = {"name": component.name, "amount": amount, "kind": component.kind.value}
        code = f"earning.{component.code}"
        lines.append(_line(code, LineKind.EARNING, amount, month_text, Message(template, params)))
    return earnings, prorated, deduction_components


def _deductions(
    components: list[Component], left: Decimal, lines: list[PayslipLine], month_text: str
) -> Decimal:
    """Deduction component lines, each capped at the pay ``left``; their total.

    Gross pay is never negative: what cannot be deducted this month is shown on the line and
    left for the caller to carry, not turned into negative pay.
    """
    total = _ZERO_CENTS
    for component in components:
        requested = round_cent(component.amount)
        amount = min(requested, left)
        params = {"name": component.name, "requested": requested, "amount": amount}
        explanation = Message(DEDUCTION if amount == requested else DEDUCTION_CAPPED, params)
        left -= amount
        total += amount
        code = f"deduction.{component.code}"
        lines.append(_line(code, LineKind.DEDUCTION, amount, month_text, explanation))
    return total


def _base_note(
    wage_base: Decimal, clamped: str | None, floor: Decimal, ceiling: Decimal
) -> Message:
    if clamped == "floor":
        return Message(BASE_RAISED_TO_FLOOR, {"wage_base": wage_base, "floor": floor})
    if clamped == "ceiling":
        return Message(BASE_LOWERED_TO_CEILING, {"wage_base": wage_base, "ceiling": ceiling})
    return _BASE_AS_DECLARED_MESSAGE


def _contributions(
    contributions: ContributionResult | None, lines: list[PayslipLine]
) -> tuple[Decimal, Decimal, list[tuple[str, Decimal]]]:
    """Contribution and housing fund lines; returns (employee share, employer share, the
    employee's (code, amount) per item in the order the share is covered).

    The employer's share is shown on the same lines for the record; it never touches pay.
    """
    if contributions is None:
        return _ZERO_CENTS, _ZERO_CENTS, []
    share = _ZERO_CENTS
    employer_share = _ZERO_CENTS
    shares: list[tuple[str, Decimal]] = []
    city = contributions.city
    for item in contributions.items:
        params = {
            "item": _ITEM_LABELS[item.kind],
            "base": item.base,
            "rate": item.employee_rate,
            "fixed": item.employee_fixed,
            "amount": item.employee,
            "employer_rate": item.employer_rate,
            "employer_fixed": item.employer_fixed,
            "employer_amount": item.employer,
            "city": city,
            "period": item.period,
            "base_note": _base_note(item.wage_base, item.clamped, item.floor, item.ceiling),
            "rounding": item.rounding.value,
            "rule": RULE_SOCIAL_INSURANCE,
        }
        fixed = item.employee_fixed or item.employer_fixed
        lines.append(
            PayslipLine(
                code=f"si.{item.kind.value}",
                kind=LineKind.CONTRIBUTION,
                amount=item.employee,
                employer_amount=item.employer,
                base=item.base,
                rate=item.employee_rate,
                period=item.period,
                explanation=Message(SOCIAL_INSURANCE_FIXED if fixed else SOCIAL_INSURANCE, params),
            )
        )
        share += item.employee
        employer_share += item.employer
        shares.append((item.kind.value, item.employee))
    hf = contributions.housing_fund
    params = {
        "item": _HOUSING_FUND_MESSAGE,
        "base": hf.base,
        "rate": hf.rate,
        "amount": hf.employee,
        "employer_amount": hf.employer,
        "city": city,
        "period": hf.period,
        "base_note": _base_note(hf.wage_base, hf.clamped, hf.floor, hf.ceiling),
        "rounding": hf.rounding.value,
        "rule": RULE_HOUSING_FUND,
    }
    lines.append(
        PayslipLine(
            code="hf",
            kind=LineKind.HOUSING_FUND,
            amount=hf.employee,
            employer_amount=hf.employer,
            base=hf.base,
            rate=hf.rate,
            period=hf.period,
            explanation=Message(HOUSING_FUND, params),
        )
    )
    shares.append((_HOUSING_FUND_CODE, hf.employee))
    return share + hf.employee, employer_share + hf.employer, shares


def _iit_line(result: IitMonthResult, share: Decimal, month_text: str) -> PayslipLine:
    cumulative = result.cumulative
    period = f"{cumulative.year}-{cumulative.first_month:02d}..{month_text}"
    params = {
        "period": period,
        "taxable": result.cumulative_taxable_income,
        "rate": result.rate,
        "quick_deduction": result.quick_deduction,
        "cumulative_tax": result.cumulative_tax,
        "relief": cumulative.tax_relief,
        "withheld_before": cumulative.tax_withheld - result.withholding,
        "amount": result.withholding,
        "share": share,
        "rule": RULE_IIT,
    }
    return _line("iit", LineKind.TAX, result.withholding, period, Message(IIT, params))


def _advanced_items(
    shares: list[tuple[str, Decimal]], covered: Decimal
) -> tuple[tuple[str, Decimal], ...]:
    """Allocate ``covered`` to the items in order; the uncovered rest of each, when not zero."""
    items: list[tuple[str, Decimal]] = []
    for code, amount in shares:
        part = min(amount, covered)
        covered -= part
        if amount != part:
            items.append((code, amount - part))
    return tuple(items)


def _recovery(
    inp: PayslipInput, balance: Decimal, advanced: Decimal, gross: Decimal, net_before: Decimal
) -> tuple[Decimal, Message]:
    """How much of ``balance`` this month recovers, and why.

    Never in a month that itself advances. In a normal month at most 20% of the month's gross
    wage, leaving at least the minimum wage (工资支付暂行规定 第十六条) and the minimum net pay;
    a final settlement may offset the whole final net pay when the pay rules allow it.
    """
    rules = inp.rules
    if advanced:
        params: dict[str, Any] = {"balance": balance, "advanced": advanced}
        return _ZERO_CENTS, Message(RECOVERY_NONE_AFTER_ADVANCE, params)
    params = {"balance": balance, "net_before": net_before, "ratio": rules.recovery_max_ratio}
    if inp.is_final and rules.final_settlement_full_offset:
        recovered = max(min(balance, net_before), _ZERO_CENTS)
        limited_by = "balance" if recovered == balance else "net"
        params.update(amount=recovered, balance_after=balance - recovered, limited_by=limited_by)
        params["rule"] = RULE_FINAL_SETTLEMENT
        return recovered, Message(RECOVERY_FINAL, params)
    ratio_cap = apply_rounding(rules.recovery_max_ratio * gross, RoundingRule.DOWN_CENT)
    floor = round_cent(rules.minimum_net_pay)
    if rules.recovery_keeps_minimum_wage and inp.minimum_wage is not None:
        floor = max(floor, round_cent(inp.minimum_wage))
    floor_cap = net_before - floor
    recovered = max(min(balance, ratio_cap, floor_cap), _ZERO_CENTS)
    if recovered == balance:
        limited_by = "balance"
    elif recovered == ratio_cap:
        limited_by = "ratio"
    else:
        limited_by = "floor"
    params.update(gross=gross, ratio_cap=ratio_cap, floor=floor, floor_cap=floor_cap)
    params.update(amount=recovered, balance_after=balance - recovered, limited_by=limited_by)
    params["rule"] = RULE_RECOVERY
    return recovered, Message(RECOVERY if floor else RECOVERY_NO_FLOOR, params)
