"""The days of a month not paid in full: days not employed, unpaid leave, sick leave and a long
leave on reduced pay, deducted from the prorated pay with the arithmetic in each line.

Part of the payslip (:mod:`renshi.core.payroll`), kept apart because it is a rule set of its own:
what a day's wage is (21.75 paid days, or the month's scheduled days), the floors the minimum
wage sets, and the cap that no deduction takes more than the prorated pay.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renshi.core.errors import Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, round_cent

if TYPE_CHECKING:
    from renshi.core.payroll import PayRules, TimeInputs

TimeLine = tuple[str, Decimal, Message]  # a line's code, amount and explanation

# --- Legal bases, named in each explanation's ``rule`` parameter ----------------------------

RULE_PAID_DAYS_21_75 = "劳社部发〔2008〕3号 月计薪天数21.75天"
RULE_SCHEDULED_DAYS = "leave_basis=scheduled_days"  # the company's pay rules, not a statute
RULE_UNPAID_LEAVE = "《工资支付暂行规定》（劳部发〔1994〕489号）"
RULE_SICK_PAY_FLOOR = (
    "《关于贯彻执行〈中华人民共和国劳动法〉若干问题的意见》（劳部发〔1995〕309号）第59条"
)
# Pay during a long leave is the company's rule (reduced_pay_ratio); it never goes below the
# minimum wage for the days (最低工资规定, 劳动和社会保障部令第21号), pro rata.
RULE_REDUCED_PAY_FLOOR = "《最低工资规定》（劳动和社会保障部令第21号）"

_PAID_DAYS_A_MONTH = Decimal("21.75")  # 月计薪天数: (365 − 104 weekend days) ÷ 12
_ZERO_CENTS = round_cent(ZERO)


class LeaveBasis(enum.StrEnum):
    """What a day's wage is, for deducting unpaid days."""

    STATUTORY_21_75 = "statutory_21_75"  # prorated monthly pay ÷ 21.75 (劳社部发〔2008〕3号)
    SCHEDULED_DAYS = "scheduled_days"  # prorated monthly pay ÷ the month's scheduled days


# --- Explanations: the message constants tests assert on ----------------------------------

BASIS_21_75 = gettext_noop("daily wage over 21.75 paid days a month")
BASIS_SCHEDULED = gettext_noop("daily wage over the month's {days} scheduled working days")
TIME_NOT_EMPLOYED = gettext_noop(
    "Days not employed: {prorated} ÷ {basis_days} × {days} days = {amount} ({basis}; {rule})"
)
TIME_UNPAID_LEAVE = gettext_noop(
    "Unpaid leave and absence: {prorated} ÷ {basis_days} × {days} days = {amount} ({basis}; {rule})"
)
TIME_SICK = gettext_noop(
    "Sick leave: {prorated} ÷ {basis_days} × {days} days × (1 − {ratio}) = {amount}; "
    "sick pay kept {kept}, not below the floor {floor} ({basis}; {rule})"
)
TIME_SICK_NO_FLOOR = gettext_noop(
    "Sick leave: {prorated} ÷ {basis_days} × {days} days × (1 − {ratio}) = {amount}; "
    "sick pay kept {kept}; no minimum wage was given, so the floor of {rule} was not checked "
    "({basis})"
)
TIME_SICK_FLOOR = gettext_noop(
    "Sick leave: {prorated} ÷ {basis_days} × {days} days = {full}; sick pay at {ratio} would be "
    "{at_ratio}, below the floor {floor_ratio} × minimum wage {minimum_wage} ÷ {basis_days} × "
    "{days} days = {floor}, so {kept} is kept and {amount} deducted ({basis}; {rule})"
)
TIME_REDUCED = gettext_noop(
    "Long leave on reduced pay: {prorated} ÷ {basis_days} × {days} days × (1 − {ratio}) = "
    "{amount}; pay kept {kept}, not below the floor {floor} ({basis}; {rule})"
)
TIME_REDUCED_NO_FLOOR = gettext_noop(
    "Long leave on reduced pay: {prorated} ÷ {basis_days} × {days} days × (1 − {ratio}) = "
    "{amount}; pay kept {kept}; no minimum wage was given, so the floor of {rule} was not "
    "checked ({basis})"
)
TIME_REDUCED_FLOOR = gettext_noop(
    "Long leave on reduced pay: {prorated} ÷ {basis_days} × {days} days = {full}; pay at "
    "{ratio} would be {at_ratio}, below the floor {floor_ratio} × minimum wage {minimum_wage} "
    "÷ {basis_days} × {days} days = {floor}, so {kept} is kept and {amount} deducted "
    "({basis}; {rule})"
)
TIME_CAPPED = gettext_noop(
    "{detail}; limited to {amount}: time deductions never exceed the prorated pay {prorated}"
)

_BASIS_21_75_MESSAGE = Message(BASIS_21_75)


def calculate_time_deductions(
    time: TimeInputs, rules: PayRules, *, prorated: Decimal, minimum_wage: Decimal | None
) -> tuple[Decimal, list[TimeLine]]:
    """The total of the time deductions and their lines, in the order not employed, unpaid
    leave, sick leave, reduced pay.

    Each is prorated pay × days ÷ basis days, rounded once at the end so that no rounded daily
    wage is multiplied by the days.
    """
    lines: list[TimeLine] = []
    if not (
        time.not_employed_days
        or time.unpaid_leave_days
        or time.sick_leave_days
        or time.reduced_pay_days
    ):
        return _ZERO_CENTS, lines
    # A month without a single working day at full pay is paid on its scheduled days; 21.75 is
    # an average for partial months and would leave a remainder (10000 × 21 ÷ 21.75 deducts
    # only 9655.17), or take more than the month's pay on reduced pay for all of it.
    is_whole_month = (
        time.not_employed_days + time.unpaid_leave_days + time.reduced_pay_days
        >= time.scheduled_days
    )
    if rules.leave_basis is LeaveBasis.STATUTORY_21_75 and not is_whole_month:
        basis_days = _PAID_DAYS_A_MONTH
        basis = _BASIS_21_75_MESSAGE
        basis_rule = RULE_PAID_DAYS_21_75
    else:
        # TimeInputs refuses more leave days than scheduled days, so this is not 0 here.
        basis_days = time.scheduled_days
        basis = Message(BASIS_SCHEDULED, {"days": basis_days})
        basis_rule = RULE_SCHEDULED_DAYS
    daily_wage = round_cent(prorated / basis_days)
    common: dict[str, Any] = {"prorated": prorated, "basis_days": basis_days}
    common["daily_wage"] = daily_wage
    common["basis"] = basis
    # Time deductions never take more than the prorated pay: 21.75 is an average, and 23
    # scheduled days of unpaid leave would otherwise deduct more than the month's pay.
    remaining = prorated
    if days := time.not_employed_days:
        params = {**common, "days": days, "rule": basis_rule}
        computed = prorated * days / basis_days
        remaining = _time_line(
            lines, "time.not_employed", computed, remaining, TIME_NOT_EMPLOYED, params
        )
    if days := time.unpaid_leave_days:
        # 事假 and absence are not among the leave an employer must pay (工资支付暂行规定).
        params = {**common, "days": days, "rule": RULE_UNPAID_LEAVE}
        computed = prorated * days / basis_days
        remaining = _time_line(
            lines, "time.unpaid_leave", computed, remaining, TIME_UNPAID_LEAVE, params
        )
    if days := time.sick_leave_days:
        # Sick pay may be below the wage, but not below 80% of the minimum wage (第59条).
        part = _PartPay(
            "time.sick_leave",
            time.sick_pay_ratio,
            rules.sick_pay_floor_ratio,
            RULE_SICK_PAY_FLOOR,
            (TIME_SICK, TIME_SICK_FLOOR, TIME_SICK_NO_FLOOR),
        )
        remaining = _part_pay_line(minimum_wage, part, days, common, remaining, lines)
    if days := time.reduced_pay_days:
        part = _PartPay(
            "time.reduced_pay",
            time.reduced_pay_ratio,
            rules.reduced_pay_floor_ratio,
            RULE_REDUCED_PAY_FLOOR,
            (TIME_REDUCED, TIME_REDUCED_FLOOR, TIME_REDUCED_NO_FLOOR),
        )
        remaining = _part_pay_line(minimum_wage, part, days, common, remaining, lines)
    return prorated - remaining, lines


@dataclass(frozen=True, slots=True)
class _PartPay:
    """Days paid at a share of the daily wage, with a floor of a share of the minimum wage."""

    code: str
    ratio: Decimal
    floor_ratio: Decimal
    rule: str
    templates: tuple[str, str, str]  # at the ratio, raised to the floor, floor not checked


def _part_pay_line(
    minimum_wage: Decimal | None,
    part: _PartPay,
    days: Decimal,
    common: dict[str, Any],
    remaining: Decimal,
    lines: list[TimeLine],
) -> Decimal:
    """Deduct what is not paid of ``days`` at ``part.ratio``; the pay kept is never below the
    floor, pro rata of the days, and the floor never raises it above the full wage for them."""
    at_ratio_template, floor_template, no_floor_template = part.templates
    basis_days = common["basis_days"]
    full = common["prorated"] * days / basis_days
    kept = at_ratio = full * part.ratio
    params = {**common, "days": days, "ratio": part.ratio, "rule": part.rule}
    template = no_floor_template
    if minimum_wage is not None:
        floor = minimum_wage * part.floor_ratio * days / basis_days
        template = at_ratio_template
        if at_ratio < floor:
            kept = min(floor, full)
            template = floor_template
            params.update(full=round_cent(full), at_ratio=round_cent(at_ratio))
            params.update(floor_ratio=part.floor_ratio, minimum_wage=minimum_wage)
        params["floor"] = round_cent(floor)
    params["kept"] = round_cent(kept)
    return _time_line(lines, part.code, full - kept, remaining, template, params)


def _time_line(
    lines: list[TimeLine],
    code: str,
    computed: Decimal,
    remaining: Decimal,
    template: str,
    params: dict[str, Any],
) -> Decimal:
    """Append one time deduction, capped at the prorated pay ``remaining``; what remains."""
    amount = round_cent(computed)
    params["amount"] = amount
    explanation = Message(template, params)
    if amount > remaining:
        amount = remaining
        prorated = params["prorated"]
        capped = {"detail": explanation, "amount": amount, "prorated": prorated}
        explanation = Message(TIME_CAPPED, capped)
    lines.append((code, amount, explanation))
    return remaining - amount
