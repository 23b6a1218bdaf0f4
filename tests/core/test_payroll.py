"""One monthly payslip: earnings, time deductions, contributions, tax, advances and recovery.

Figures use the bundled Beijing policy for 2025-08 (social insurance and housing fund period
2025-07..2026-06; pension 8%, medical 2% + 3 yuan, unemployment 0.5%, housing fund 12% rounded
to the yuan; social insurance floor 7,162) and Beijing's minimum wage of 2,420 then in force.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from renshi.core.contributions import ContributionResult, calculate_contributions
from renshi.core.iit import IitCumulative
from renshi.core.money import NegativeAmountError
from renshi.core.months import Month
from renshi.core.payroll import (
    ADVANCE,
    DEDUCTION_CAPPED,
    EARNING_NOT_PRORATED,
    RECOVERY,
    RECOVERY_FINAL,
    RECOVERY_NONE_AFTER_ADVANCE,
    RULE_FINAL_SETTLEMENT,
    RULE_RECOVERY,
    RULE_SOCIAL_INSURANCE,
    Component,
    ComponentKind,
    DaysExceedScheduledError,
    DuplicateComponentError,
    LineKind,
    PayRules,
    PayslipInput,
    PayslipLine,
    PayslipResult,
    RatioOutOfRangeError,
    TimeInputs,
    calculate_payslip,
)
from renshi.core.payroll_time import (
    RULE_PAID_DAYS_21_75,
    RULE_REDUCED_PAY_FLOOR,
    RULE_SICK_PAY_FLOOR,
    RULE_UNPAID_LEAVE,
    TIME_CAPPED,
    TIME_REDUCED,
    TIME_REDUCED_FLOOR,
    TIME_SICK,
    TIME_SICK_FLOOR,
    TIME_SICK_NO_FLOOR,
    LeaveBasis,
)
from renshi.core.policy_loader import load_library

LIBRARY = load_library()
AUGUST = Month(2025, 8)
SEPTEMBER = Month(2025, 9)
MINIMUM_WAGE = Decimal("2420")  # Beijing, 2023-09..2025-08
SCHEDULED_BASIS = PayRules(leave_basis=LeaveBasis.SCHEDULED_DAYS)


def d(value: str | int) -> Decimal:
    return Decimal(str(value))


def beijing(wage: str, *, base: str | None = None, month: Month = AUGUST) -> ContributionResult:
    snapshot = LIBRARY.lookup("beijing", month)
    return calculate_contributions(snapshot, wage=d(wage), base=None if base is None else d(base))


def base_pay(amount: str) -> Component:
    return Component("base", "基本工资", ComponentKind.BASE, d(amount), is_prorated=True)


def payslip(
    *components: Component,
    scheduled_days: str = "21",
    contributions: ContributionResult | None = None,
    **fields: Any,
) -> PayslipResult:
    """A payslip for August 2025, the first month withheld this year unless told otherwise."""
    time_fields = {
        name: fields.pop(name)
        for name in (
            "unpaid_leave_days",
            "sick_leave_days",
            "sick_pay_ratio",
            "not_employed_days",
            "reduced_pay_days",
            "reduced_pay_ratio",
        )
        if name in fields
    }
    inputs = {"month": AUGUST, "iit_previous": None, **fields}
    return calculate_payslip(
        PayslipInput(
            components=components or (base_pay("10000"),),
            time=TimeInputs(d(scheduled_days), **time_fields),
            contributions=contributions,
            **inputs,
        )
    )


def line(result: PayslipResult, code: str) -> PayslipLine:
    found = result.line(code)
    assert found is not None, f"no line {code}: {[line.code for line in result.lines]}"
    return found


def assert_adds_up(result: PayslipResult) -> None:
    assert result.gross - result.iit - result.share_covered - result.recovered == result.net
    assert sum((amount for _, amount in result.advanced_items), d(0)) == result.advanced
    assert result.arrears_balance_after == (
        result.arrears_balance_before + result.advanced - result.recovered
    )


# --- A plain month ---------------------------------------------------------------------------


def test_a_plain_month_pays_gross_less_the_employee_share_and_cumulative_tax() -> None:
    # 8,000 base + 2,000 allowance. Share 800 + 203 + 50 + 0 + 1,200 = 2,253.00.
    # Tax: (10,000 − 5,000 − 2,253) × 3% = 2,747 × 3% = 82.41. Net 10,000 − 82.41 − 2,253.
    result = payslip(
        base_pay("8000"),
        Component("meal", "餐补", ComponentKind.ALLOWANCE, d("2000"), is_prorated=True),
        contributions=beijing("10000"),
    )

    assert result.gross == d("10000.00")
    assert result.employee_share == d("2253.00")
    assert result.employer_share == d("3850.00")  # 1,600 + 980 + 50 + 20 + 1,200
    assert result.iit == d("82.41")
    assert result.net == d("7664.59")
    assert (result.advanced, result.recovered, result.arrears_balance_after) == (d(0), d(0), d(0))
    assert [line.code for line in result.lines] == [
        "earning.base",
        "earning.meal",
        "gross",
        "si.pension",
        "si.medical",
        "si.unemployment",
        "si.work_injury",
        "hf",
        "iit",
        "net",
    ]
    assert_adds_up(result)


def test_contribution_lines_carry_base_rate_period_and_the_employer_share() -> None:
    result = payslip(contributions=beijing("10000"))

    pension = line(result, "si.pension")
    assert pension.kind is LineKind.CONTRIBUTION
    assert (pension.amount, pension.employer_amount) == (d("800.00"), d("1600.00"))
    assert (pension.base, pension.rate, pension.period) == (
        d("10000"),
        d("0.08"),
        "2025-07..2026-06",
    )
    assert pension.explanation.params["rule"] == RULE_SOCIAL_INSURANCE
    assert pension.explanation.params["city"] == "beijing"
    housing_fund = line(result, "hf")
    assert housing_fund.kind is LineKind.HOUSING_FUND
    assert (housing_fund.amount, housing_fund.employer_amount) == (d("1200.00"), d("1200.00"))
    assert housing_fund.explanation.params["rounding"] == "half_up_yuan"
    assert "10000 × 0.12 = 1200.00" in housing_fund.explanation.render()


def test_the_employer_share_never_changes_net_pay() -> None:
    with_class_1 = payslip(contributions=beijing("10000"))
    snapshot = LIBRARY.lookup("beijing", AUGUST)
    class_8 = calculate_contributions(snapshot, wage=d("10000"), work_injury_class="8")

    with_class_8 = payslip(contributions=class_8)

    assert with_class_8.employer_share > with_class_1.employer_share
    assert with_class_8.net == with_class_1.net


def test_an_employee_not_enrolled_has_no_contribution_lines_and_no_share() -> None:
    result = payslip(contributions=None)

    assert result.employee_share == d("0.00")
    assert not [line for line in result.lines if line.code.startswith(("si.", "hf"))]
    assert result.iit == d("150.00")  # (10,000 − 5,000) × 3%
    assert result.net == d("9850.00")


# --- Time deductions ---------------------------------------------------------------------


def test_unpaid_leave_on_the_21_75_basis_deducts_to_the_cent_and_spares_the_bonus() -> None:
    # 10,000 ÷ 21.75 × 3 = 1,379.3103… → 1,379.31; the 1,000 bonus is not prorated.
    result = payslip(
        base_pay("10000"),
        Component("bonus", "绩效奖金", ComponentKind.BONUS, d("1000"), is_prorated=False),
        unpaid_leave_days=d(3),
    )

    leave = line(result, "time.unpaid_leave")
    assert leave.kind is LineKind.TIME_DEDUCTION
    assert leave.amount == d("1379.31")
    assert leave.explanation.params["rule"] == RULE_UNPAID_LEAVE
    assert leave.explanation.params["daily_wage"] == d("459.77")
    assert line(result, "earning.bonus").explanation.template == EARNING_NOT_PRORATED
    assert result.time_deductions == d("1379.31")
    assert result.gross == d("9620.69")


def test_unpaid_leave_on_the_scheduled_days_basis_uses_the_month_s_working_days() -> None:
    # 10,000 ÷ 22 × 3 = 1,363.6363… → 1,363.64.
    result = payslip(scheduled_days="22", unpaid_leave_days=d(3), rules=SCHEDULED_BASIS)

    assert line(result, "time.unpaid_leave").amount == d("1363.64")
    assert result.gross == d("8636.36")


def test_a_mid_month_hire_is_not_paid_for_the_days_before_hire() -> None:
    # Hired Monday 2025-08-18: 11 of August's 21 working days fall before.
    # 21.75 basis: 10,000 ÷ 21.75 × 11 = 5,057.47; scheduled basis: 10,000 ÷ 21 × 11 = 5,238.10.
    statutory = payslip(not_employed_days=d(11), contributions=beijing("10000"))
    scheduled = payslip(not_employed_days=d(11), rules=SCHEDULED_BASIS)

    not_employed = line(statutory, "time.not_employed")
    assert not_employed.amount == d("5057.47")
    assert not_employed.explanation.params["rule"] == RULE_PAID_DAYS_21_75
    assert statutory.gross == d("4942.53")
    assert statutory.iit == d("0.00")  # 4,942.53 − 5,000 − 2,253 < 0
    assert statutory.net == d("2689.53")
    assert scheduled.gross == d("4761.90")


def test_sick_pay_at_the_ratio_deducts_the_rest_of_the_daily_wage() -> None:
    # 10,000 ÷ 21.75 × 10 × (1 − 0.6) = 1,839.0804… → 1,839.08; the 2,758.62 kept is above the
    # floor 2,420 × 0.8 ÷ 21.75 × 10 = 890.11.
    result = payslip(sick_leave_days=d(10), sick_pay_ratio=d("0.6"), minimum_wage=MINIMUM_WAGE)

    sick = line(result, "time.sick_leave")
    assert sick.amount == d("1839.08")
    assert sick.explanation.template == TIME_SICK
    assert sick.explanation.params["kept"] == d("2758.62")


def test_sick_pay_is_raised_to_80_percent_of_the_minimum_wage() -> None:
    # Wage 2,600, 10 sick days at 60%: 2,600 ÷ 21.75 × 10 = 1,195.40, at 60% 717.24, but the
    # floor is 2,420 × 0.8 ÷ 21.75 × 10 = 890.11, so 1,195.4023 − 890.1149 = 305.29 comes off.
    result = payslip(
        base_pay("2600"), sick_leave_days=d(10), sick_pay_ratio=d("0.6"), minimum_wage=MINIMUM_WAGE
    )

    sick = line(result, "time.sick_leave")
    assert sick.amount == d("305.29")
    assert sick.explanation.template == TIME_SICK_FLOOR
    assert sick.explanation.params["rule"] == RULE_SICK_PAY_FLOOR
    assert sick.explanation.params["floor"] == d("890.11")
    assert result.gross == d("2294.71")


def test_without_a_minimum_wage_the_sick_pay_floor_is_not_applied_and_says_so() -> None:
    # 2,600 ÷ 21.75 × 10 × 0.4 = 478.1609… → 478.16.
    result = payslip(base_pay("2600"), sick_leave_days=d(10), sick_pay_ratio=d("0.6"))

    sick = line(result, "time.sick_leave")
    assert sick.amount == d("478.16")
    assert sick.explanation.template == TIME_SICK_NO_FLOOR


def test_a_whole_month_of_long_leave_on_reduced_pay_keeps_the_share_of_the_wage() -> None:
    # 21 of 21 scheduled days at 60%: no day at full pay, so the basis is the 21 scheduled
    # days, and 10,000 × 21 ÷ 21 × 0.4 = 4,000.00 comes off; 6,000 kept is above 2,420.
    result = payslip(reduced_pay_days=d(21), reduced_pay_ratio=d("0.6"), minimum_wage=MINIMUM_WAGE)

    reduced = line(result, "time.reduced_pay")
    assert reduced.amount == d("4000.00")
    assert reduced.explanation.template == TIME_REDUCED
    assert reduced.explanation.params["kept"] == d("6000.00")
    assert result.gross == d("6000.00")


def test_reduced_pay_is_never_below_the_minimum_wage() -> None:
    # Wage 3,000 at 60% would be 1,800 for the whole month, below Beijing's 2,420: the pay
    # kept is the minimum wage, so 3,000 − 2,420 = 580.00 comes off.
    result = payslip(
        base_pay("3000"),
        reduced_pay_days=d(21),
        reduced_pay_ratio=d("0.6"),
        minimum_wage=MINIMUM_WAGE,
    )

    reduced = line(result, "time.reduced_pay")
    assert reduced.amount == d("580.00")
    assert reduced.explanation.template == TIME_REDUCED_FLOOR
    assert reduced.explanation.params["rule"] == RULE_REDUCED_PAY_FLOOR
    assert reduced.explanation.params["floor"] == d("2420.00")
    assert result.gross == d("2420.00")


def test_part_of_a_month_on_reduced_pay_uses_the_21_75_basis_pro_rata() -> None:
    # 11 days at 50% of 10,000: 10,000 ÷ 21.75 × 11 × 0.5 = 2,528.7356… → 2,528.74 off; the
    # floor 2,420 ÷ 21.75 × 11 = 1,223.91 is below the 2,528.74 kept.
    result = payslip(reduced_pay_days=d(11), reduced_pay_ratio=d("0.5"), minimum_wage=MINIMUM_WAGE)

    reduced = line(result, "time.reduced_pay")
    assert reduced.amount == d("2528.74")
    assert reduced.explanation.params["floor"] == d("1223.91")
    assert result.gross == d("7471.26")


def test_reduced_pay_days_count_towards_the_scheduled_days() -> None:
    with pytest.raises(DaysExceedScheduledError):
        TimeInputs(d(21), unpaid_leave_days=d(10), reduced_pay_days=d(12))


def test_time_deductions_never_exceed_the_prorated_pay() -> None:
    # 22 of 23 scheduled days of unpaid leave on the 21.75 basis would be 10,114.94.
    result = payslip(scheduled_days="23", unpaid_leave_days=d(22))

    leave = line(result, "time.unpaid_leave")
    assert leave.amount == d("10000.00")
    assert leave.explanation.template == TIME_CAPPED
    assert leave.explanation.params["detail"].params["amount"] == d("10114.94")
    assert result.gross == d("0.00")


def test_a_month_without_a_paid_working_day_pays_no_prorated_pay() -> None:
    # 21 of 21 days unpaid: 10,000 × 21 ÷ 21.75 would leave 344.83 paid for no day worked, so
    # a whole month is divided by its own scheduled days.
    result = payslip(scheduled_days="21", unpaid_leave_days=d(21))

    leave = line(result, "time.unpaid_leave")
    assert leave.amount == d("10000.00")
    assert leave.explanation.params["basis_days"] == d(21)
    assert result.gross == d("0.00")


def test_deduction_components_reduce_gross_pay_before_tax_but_never_below_zero() -> None:
    fine = Component("damage", "赔偿扣款", ComponentKind.DEDUCTION, d("300"), is_prorated=False)
    normal = payslip(base_pay("10000"), fine)
    huge = replace(fine, amount=d("20000"))
    capped = payslip(base_pay("10000"), huge)

    assert normal.gross == d("9700.00")
    assert normal.iit == d("141.00")  # (9,700 − 5,000) × 3%
    assert line(normal, "deduction.damage").kind is LineKind.DEDUCTION
    assert capped.gross == d("0.00")
    assert line(capped, "deduction.damage").amount == d("10000.00")
    assert line(capped, "deduction.damage").explanation.template == DEDUCTION_CAPPED


# --- Advances when the share is not covered ----------------------------------------------


def test_a_whole_month_unpaid_advances_the_whole_share() -> None:
    # The seed story: no pay, but contributions on the declared base 10,000 are still due.
    result = payslip(
        scheduled_days="22", unpaid_leave_days=d(22), contributions=beijing("0", base="10000")
    )

    assert (result.gross, result.iit, result.net) == (d("0.00"), d("0.00"), d("0.00"))
    assert result.iit_result.withholding == d("0.00")
    assert result.share_covered == d("0.00")
    assert result.advanced == d("2253.00")
    assert result.advanced_items == (
        ("pension", d("800.00")),
        ("medical", d("203.00")),
        ("unemployment", d("50.00")),
        ("housing_fund", d("1200.00")),
    )
    assert result.arrears_balance_after == d("2253.00")
    advance = line(result, "arrears.advance")
    assert advance.kind is LineKind.ADVANCE
    assert advance.explanation.template == ADVANCE
    assert_adds_up(result)


def test_a_partly_covered_share_advances_only_the_last_items() -> None:
    # 10,000 ÷ 22 × 20 = 9,090.91 off leaves 909.09: pension 800 is covered, medical gets
    # 109.09 of 203, and the rest of medical, unemployment and housing fund are advanced.
    result = payslip(
        scheduled_days="22",
        unpaid_leave_days=d(20),
        contributions=beijing("0", base="10000"),
        rules=SCHEDULED_BASIS,
    )

    assert result.gross == d("909.09")
    assert result.share_covered == d("909.09")
    assert result.advanced == d("1343.91")
    assert result.advanced_items == (
        ("medical", d("93.91")),
        ("unemployment", d("50.00")),
        ("housing_fund", d("1200.00")),
    )
    assert result.net == d("0.00")
    assert_adds_up(result)


def test_the_share_is_covered_only_down_to_the_minimum_net_pay() -> None:
    # Of 909.09, 500.00 is kept for the employee: 409.09 covers part of the pension.
    rules = PayRules(leave_basis=LeaveBasis.SCHEDULED_DAYS, minimum_net_pay=d("500"))
    result = payslip(
        scheduled_days="22",
        unpaid_leave_days=d(20),
        contributions=beijing("0", base="10000"),
        rules=rules,
    )

    assert result.share_covered == d("409.09")
    assert result.advanced == d("1843.91")
    assert result.advanced_items[0] == ("pension", d("390.91"))
    assert result.net == d("500.00")
    assert_adds_up(result)


def test_the_whole_share_is_a_special_deduction_even_when_part_is_advanced() -> None:
    result = payslip(
        base_pay("3000"),
        contributions=beijing("3000", base="30000"),
        minimum_wage=MINIMUM_WAGE,
    )

    assert result.advanced > 0
    assert result.iit_result.cumulative.special_deductions == result.employee_share


# --- Recovery of arrears -----------------------------------------------------------------


def test_recovery_takes_at_most_20_percent_of_the_month_s_gross_pay() -> None:
    # 20% of 10,000 = 2,000.00, less than the balance and than net pay above the minimum wage.
    result = payslip(
        contributions=beijing("10000"), arrears_balance=d("5000"), minimum_wage=MINIMUM_WAGE
    )

    recovery = line(result, "arrears.recovery")
    assert recovery.kind is LineKind.RECOVERY
    assert result.recovered == d("2000.00")
    assert recovery.explanation.template == RECOVERY
    assert recovery.explanation.params["limited_by"] == "ratio"
    assert recovery.explanation.params["rule"] == RULE_RECOVERY
    assert result.net == d("5664.59")
    assert result.arrears_balance_after == d("3000.00")
    assert_adds_up(result)


def test_recovery_leaves_at_least_the_minimum_wage() -> None:
    # Wage 4,500: share 755.01 (on the floor 7,162) + 540 = 1,295.01, no tax, net 3,204.99.
    # 20% would be 900.00, but only 3,204.99 − 2,420 = 784.99 sits above the minimum wage.
    result = payslip(
        base_pay("4500"),
        contributions=beijing("4500"),
        arrears_balance=d("5000"),
        minimum_wage=MINIMUM_WAGE,
    )

    assert result.recovered == d("784.99")
    assert result.net == MINIMUM_WAGE
    assert line(result, "arrears.recovery").explanation.params["limited_by"] == "floor"
    assert result.arrears_balance_after == d("4215.01")


def test_recovery_stops_at_the_balance() -> None:
    result = payslip(
        contributions=beijing("10000"), arrears_balance=d("300"), minimum_wage=MINIMUM_WAGE
    )

    assert result.recovered == d("300.00")
    assert result.net == d("7364.59")
    assert result.arrears_balance_after == d("0.00")


def test_nothing_is_recovered_in_a_month_that_advances() -> None:
    result = payslip(
        scheduled_days="22",
        unpaid_leave_days=d(22),
        contributions=beijing("0", base="10000"),
        arrears_balance=d("1000"),
    )

    assert result.recovered == d("0.00")
    assert line(result, "arrears.recovery").explanation.template == RECOVERY_NONE_AFTER_ADVANCE
    assert result.arrears_balance_after == d("3253.00")  # 1,000 + 2,253 advanced
    assert_adds_up(result)


def test_final_settlement_offsets_the_arrears_against_the_whole_final_net_pay() -> None:
    # The headline story: 3,500.00 owed on leaving; the final pay 4,253 less the share 2,253
    # (no tax) leaves 2,000.00, all of it offset; 1,500.00 is still owed.
    result = payslip(
        base_pay("4253"),
        contributions=beijing("4253", base="10000"),
        arrears_balance=d("3500.00"),
        minimum_wage=MINIMUM_WAGE,
        is_final=True,
    )

    recovery = line(result, "arrears.recovery")
    assert result.recovered == d("2000.00")
    assert result.net == d("0.00")
    assert result.arrears_balance_after == d("1500.00")
    assert recovery.explanation.template == RECOVERY_FINAL
    assert recovery.explanation.params["rule"] == RULE_FINAL_SETTLEMENT
    assert recovery.explanation.render().startswith("Final settlement offset")
    assert_adds_up(result)


def test_a_final_settlement_without_full_offset_keeps_the_monthly_limits() -> None:
    result = payslip(
        base_pay("4253"),
        contributions=beijing("4253", base="10000"),
        arrears_balance=d("3500.00"),
        minimum_wage=MINIMUM_WAGE,
        is_final=True,
        rules=PayRules(final_settlement_full_offset=False),
    )

    assert result.recovered == d("0.00")  # 2,000 net is below the minimum wage already
    assert result.net == d("2000.00")


# --- Tax across months -------------------------------------------------------------------


def test_tax_is_withheld_cumulatively_across_months() -> None:
    # 30,000 a month, share 2,400 + 603 + 150 + 3,600 = 6,753. August: (30,000 − 5,000 −
    # 6,753) × 3% = 547.41. September: 36,494 × 10% − 2,520 = 1,129.40, less 547.41 = 581.99.
    august = payslip(base_pay("30000"), contributions=beijing("30000"))
    september = payslip(
        base_pay("30000"),
        contributions=beijing("30000", month=SEPTEMBER),
        month=SEPTEMBER,
        iit_previous=august.iit_result.cumulative,
    )

    assert august.iit == d("547.41")
    assert september.iit == d("581.99")
    cumulative = september.iit_result.cumulative
    assert isinstance(cumulative, IitCumulative)
    assert (cumulative.first_month, cumulative.last_month) == (8, 9)
    assert cumulative.income == d("60000.00")
    assert cumulative.tax_withheld == d("1129.40")
    assert line(september, "iit").period == "2025-08..2025-09"


# --- Order of lines ----------------------------------------------------------------------


def test_lines_read_in_payslip_order() -> None:
    order = list(LineKind)
    result = payslip(
        base_pay("10000"),
        Component("damage", "赔偿扣款", ComponentKind.DEDUCTION, d("100"), is_prorated=False),
        unpaid_leave_days=d(1),
        sick_leave_days=d(1),
        contributions=beijing("10000"),
        arrears_balance=d("100"),
    )

    kinds = [line.kind for line in result.lines]
    assert kinds == sorted(kinds, key=order.index)
    assert set(kinds) == set(LineKind) - {LineKind.ADVANCE}


# --- Bad input ---------------------------------------------------------------------------


def test_a_negative_component_is_refused_naming_the_component() -> None:
    with pytest.raises(NegativeAmountError) as error:
        Component("meal", "餐补", ComponentKind.ALLOWANCE, d("-1"), is_prorated=True)

    assert error.value.field == "component.meal"


def test_a_component_code_given_twice_is_refused() -> None:
    with pytest.raises(DuplicateComponentError) as error:
        payslip(base_pay("1"), base_pay("2"))

    assert error.value.field == "component.base"


def test_negative_days_are_refused_naming_the_field() -> None:
    with pytest.raises(NegativeAmountError) as error:
        TimeInputs(d(21), unpaid_leave_days=d(-1))

    assert error.value.field == "time.unpaid_leave_days"


def test_more_days_off_than_scheduled_days_are_refused() -> None:
    # Also the case of no scheduled days at all, where no daily wage could be worked out.
    with pytest.raises(DaysExceedScheduledError) as error:
        TimeInputs(d(0), unpaid_leave_days=d(1))

    assert error.value.field == "time.scheduled_days"


def test_a_sick_pay_ratio_above_one_is_refused() -> None:
    with pytest.raises(RatioOutOfRangeError) as error:
        TimeInputs(d(21), sick_leave_days=d(1), sick_pay_ratio=d("1.5"))

    assert error.value.field == "time.sick_pay_ratio"


def test_a_negative_arrears_balance_is_refused() -> None:
    with pytest.raises(NegativeAmountError) as error:
        payslip(arrears_balance=d("-5"))

    assert error.value.field == "arrears_balance"
