"""Properties every payslip keeps, for any valid input: it adds up, never pays less than zero,
advances and recovers consistently, and respects the monthly recovery limits."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from renshi.core.contributions import calculate_contributions
from renshi.core.iit import BasicDeductionRule, MonthlyIitInput, withhold_month
from renshi.core.money import RoundingRule, apply_rounding
from renshi.core.months import Month
from renshi.core.payroll import (
    Component,
    ComponentKind,
    LineKind,
    PayRules,
    PayslipInput,
    PayslipLine,
    TimeInputs,
    calculate_payslip,
)
from renshi.core.payroll_time import (
    LeaveBasis,
)
from renshi.core.policy_loader import load_library

LIBRARY = load_library()
MONTH = Month(2025, 8)
SNAPSHOT = LIBRARY.lookup("beijing", MONTH)
ZERO = Decimal("0")
CENT = Decimal("0.01")
LINE_ORDER = list(LineKind)
PLUS = {LineKind.EARNING, LineKind.ADVANCE}
MINUS = {
    LineKind.TIME_DEDUCTION,
    LineKind.DEDUCTION,
    LineKind.CONTRIBUTION,
    LineKind.HOUSING_FUND,
    LineKind.TAX,
    LineKind.RECOVERY,
}


def amounts(max_value: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=2)


def days(max_value: Decimal) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=1)


def ratios() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=1, places=2)


@st.composite
def components(draw: st.DrawFn) -> tuple[Component, ...]:
    kinds = draw(st.lists(st.sampled_from(list(ComponentKind)), min_size=1, max_size=5))
    return tuple(
        Component(
            code=f"c{index}",
            name=f"component {index}",
            kind=kind,
            amount=draw(amounts(60_000)),
            is_prorated=draw(st.booleans()),
        )
        for index, kind in enumerate(kinds)
    )


@st.composite
def time_inputs(draw: st.DrawFn) -> TimeInputs:
    scheduled = draw(days(Decimal(23)))
    not_employed = draw(days(scheduled))
    unpaid = draw(days(scheduled - not_employed))
    sick = draw(days(scheduled - not_employed - unpaid))
    return TimeInputs(
        scheduled_days=scheduled,
        unpaid_leave_days=unpaid,
        sick_leave_days=sick,
        sick_pay_ratio=draw(ratios()),
        not_employed_days=not_employed,
    )


@st.composite
def pay_rules(draw: st.DrawFn) -> PayRules:
    return PayRules(
        leave_basis=draw(st.sampled_from(list(LeaveBasis))),
        minimum_net_pay=draw(st.sampled_from([ZERO, Decimal("500")])),
        recovery_max_ratio=draw(st.sampled_from([Decimal("0.20"), Decimal("0.1")]) | ratios()),
        recovery_keeps_minimum_wage=draw(st.booleans()),
        sick_pay_floor_ratio=draw(ratios()),
        final_settlement_full_offset=draw(st.booleans()),
    )


@st.composite
def payslip_inputs(draw: st.DrawFn) -> PayslipInput:
    contributions = None
    if draw(st.booleans()):
        contributions = calculate_contributions(
            SNAPSHOT, wage=draw(amounts(60_000)), base=draw(st.none() | amounts(60_000))
        )
    previous = None
    if draw(st.booleans()):
        previous = withhold_month(
            previous=None,
            month=MonthlyIitInput(
                month=Month(2025, draw(st.integers(1, 7))),
                income=draw(amounts(300_000)),
                special_deductions=draw(amounts(20_000)),
            ),
            rule=BasicDeductionRule.STANDARD,
        ).cumulative
    rules = draw(pay_rules())
    return PayslipInput(
        month=MONTH,
        components=draw(components()),
        time=draw(time_inputs()),
        contributions=contributions,
        iit_previous=previous,
        additional_deductions=draw(amounts(5_000)),
        arrears_balance=draw(st.sampled_from([ZERO]) | amounts(20_000)),
        minimum_wage=draw(st.none() | st.sampled_from([Decimal("2420"), Decimal("2540")])),
        rules=rules,
        is_final=draw(st.booleans()),
    )


def is_normal_month(inp: PayslipInput) -> bool:
    return not (inp.is_final and inp.rules.final_settlement_full_offset)


@settings(max_examples=300, deadline=None)
@given(payslip_inputs())
def test_every_payslip_adds_up_and_never_pays_less_than_zero(inp: PayslipInput) -> None:
    result = calculate_payslip(inp)

    assert result.net >= 0
    assert result.gross >= 0
    assert result.gross - result.iit - result.share_covered - result.recovered == result.net
    assert result.share_covered + result.advanced == result.employee_share
    assert result.time_deductions + result.deductions <= result.earnings
    for figure in (result.gross, result.iit, result.net, result.advanced, result.recovered):
        assert figure == figure.quantize(CENT)


@settings(max_examples=300, deadline=None)
@given(payslip_inputs())
def test_the_lines_add_up_to_gross_and_net_in_payslip_order(inp: PayslipInput) -> None:
    result = calculate_payslip(inp)

    kinds = [line.kind for line in result.lines]
    assert kinds == sorted(kinds, key=LINE_ORDER.index)
    before_gross = [line for line in result.lines if LINE_ORDER.index(line.kind) < 3]
    assert _signed_sum(before_gross) == result.gross
    after_gross = [line for line in result.lines if 3 < LINE_ORDER.index(line.kind) < 9]
    assert result.gross + _signed_sum(after_gross) == result.net
    assert result.lines[-1].amount == result.net


def _signed_sum(lines: list[PayslipLine]) -> Decimal:
    total = ZERO
    for line in lines:
        if line.kind in PLUS:
            total += line.amount
        elif line.kind in MINUS:
            total -= line.amount
    return total


@settings(max_examples=300, deadline=None)
@given(payslip_inputs())
def test_advances_and_recoveries_keep_the_balance(inp: PayslipInput) -> None:
    result = calculate_payslip(inp)

    assert sum((amount for _, amount in result.advanced_items), ZERO) == result.advanced
    assert all(amount > 0 for _, amount in result.advanced_items)
    assert result.arrears_balance_after == (
        result.arrears_balance_before + result.advanced - result.recovered
    )
    assert 0 <= result.recovered <= result.arrears_balance_before
    if result.advanced:
        assert result.recovered == 0


@settings(max_examples=300, deadline=None)
@given(payslip_inputs())
def test_a_normal_month_recovers_within_the_ratio_and_above_the_minimum_wage(
    inp: PayslipInput,
) -> None:
    result = calculate_payslip(inp)

    if not is_normal_month(inp):
        return
    ratio = inp.rules.recovery_max_ratio
    assert result.recovered <= apply_rounding(ratio * result.gross, RoundingRule.DOWN_CENT)
    if ratio <= Decimal("0.20"):
        assert result.recovered <= Decimal("0.20") * result.gross
    if result.recovered > 0:
        assert result.net >= inp.rules.minimum_net_pay
        if inp.minimum_wage is not None and inp.rules.recovery_keeps_minimum_wage:
            assert result.net >= inp.minimum_wage


@settings(max_examples=200, deadline=None)
@given(payslip_inputs())
def test_a_final_settlement_with_full_offset_recovers_all_it_can(inp: PayslipInput) -> None:
    result = calculate_payslip(inp)

    if is_normal_month(inp) or result.advanced:
        return
    assert result.recovered == min(result.arrears_balance_before, result.net + result.recovered)
