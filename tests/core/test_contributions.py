"""Social insurance and housing fund for one wage: clamping, rounding, fixed amounts, errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core import policy_loader as pl
from renshi.core.contributions import (
    HousingFundRateError,
    WorkInjuryClassError,
    calculate_contributions,
)
from renshi.core.money import NegativeAmountError, RoundingRule, apply_rounding
from renshi.core.months import Month
from renshi.core.policy import InsuranceKind, UnknownFigure

FIXTURE = Path(__file__).parent / "fixtures" / "testville.toml"
LIBRARY = pl.build_library([[pl.load_policy_file(FIXTURE)]])
JAN_2025 = LIBRARY.lookup("testville", Month(2025, 1))


def _line(result, kind: InsuranceKind):  # type: ignore[no-untyped-def]
    return next(line for line in result.items if line.kind is kind)


def test_a_wage_inside_the_band_is_its_own_base() -> None:
    # testville 2024-07..2025-06: 16% / 8% pension on 10,000 → 1,600.00 / 800.00.
    result = calculate_contributions(JAN_2025, wage=Decimal("10000"))

    pension = _line(result, InsuranceKind.PENSION)
    assert (pension.base, pension.clamped) == (Decimal("10000"), None)
    assert (pension.employer, pension.employee) == (Decimal("1600.00"), Decimal("800.00"))


def test_a_wage_above_the_ceiling_contributes_on_the_ceiling() -> None:
    result = calculate_contributions(JAN_2025, wage=Decimal("50000"))

    pension = _line(result, InsuranceKind.PENSION)
    assert (pension.base, pension.clamped) == (Decimal("30000"), "ceiling")
    assert pension.employee == Decimal("2400.00")


def test_a_zero_wage_month_still_contributes_on_the_floor() -> None:
    # The seed story: on unpaid leave the base does not fall with the wage.
    result = calculate_contributions(JAN_2025, wage=Decimal("0"))

    pension = _line(result, InsuranceKind.PENSION)
    assert (pension.base, pension.clamped) == (Decimal("5000"), "floor")
    assert pension.employee == Decimal("400.00")


def test_the_fixed_medical_amount_is_added_to_the_employee_share() -> None:
    # 2% of 10,000 = 200.00, plus the 3 yuan fixed amount (Beijing's 大额医疗互助 pattern).
    result = calculate_contributions(JAN_2025, wage=Decimal("10000"))

    medical = _line(result, InsuranceKind.MEDICAL)
    assert medical.employee == Decimal("203.00")
    assert medical.employee_fixed == Decimal("3")


def test_totals_add_up_the_items_and_the_housing_fund_is_kept_apart() -> None:
    # Employee: 800 + 203 + 50 + 0 = 1,053.00; housing fund 7% of 10,000 = 700.
    result = calculate_contributions(JAN_2025, wage=Decimal("10000"))

    assert result.employee_total == Decimal("1053.00")
    assert result.employer_total == Decimal("1600.00") + Decimal("980.00") + Decimal(
        "50.00"
    ) + Decimal("20.00")
    assert result.housing_fund.employee == Decimal("700.00")
    assert result.employee_total_with_housing_fund == Decimal("1753.00")


def test_the_housing_fund_share_is_rounded_to_the_whole_yuan_when_the_city_says_so() -> None:
    # 7% of 10,007 = 700.49 → 700 under half_up_yuan; 7% of 10,008 = 700.56 → 701.
    low = calculate_contributions(JAN_2025, wage=Decimal("10007"))
    high = calculate_contributions(JAN_2025, wage=Decimal("10008"))

    assert low.housing_fund.employee == Decimal("700.00")
    assert high.housing_fund.employee == Decimal("701.00")


def test_a_housing_fund_rate_outside_the_city_range_is_refused() -> None:
    with pytest.raises(HousingFundRateError) as caught:
        calculate_contributions(JAN_2025, wage=Decimal("10000"), housing_fund_rate=Decimal("0.12"))

    assert caught.value.field == "housing_fund_rate"
    assert (caught.value.params["low"], caught.value.params["high"]) == (
        Decimal("0.05"),
        Decimal("0.07"),
    )


def test_a_chosen_housing_fund_rate_inside_the_range_is_used() -> None:
    result = calculate_contributions(
        JAN_2025, wage=Decimal("10000"), housing_fund_rate=Decimal("0.05")
    )

    assert result.housing_fund.employee == Decimal("500.00")
    assert result.housing_fund.is_default_rate is False


def test_the_work_injury_rate_follows_the_industry_class() -> None:
    default = calculate_contributions(JAN_2025, wage=Decimal("10000"))
    class_two = calculate_contributions(JAN_2025, wage=Decimal("10000"), work_injury_class="2")

    assert _line(default, InsuranceKind.WORK_INJURY).employer == Decimal("20.00")
    assert _line(class_two, InsuranceKind.WORK_INJURY).employer == Decimal("40.00")
    assert _line(class_two, InsuranceKind.WORK_INJURY).employee == Decimal("0.00")


def test_an_unknown_industry_class_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(WorkInjuryClassError) as caught:
        calculate_contributions(JAN_2025, wage=Decimal("10000"), work_injury_class="7")

    assert caught.value.params["known"] == "1, 2"


def test_a_negative_wage_is_refused_naming_the_field() -> None:
    with pytest.raises(NegativeAmountError) as caught:
        calculate_contributions(JAN_2025, wage=Decimal("-1"))

    assert caught.value.field == "wage"


def test_a_declared_base_replaces_the_wage_as_the_base() -> None:
    result = calculate_contributions(JAN_2025, wage=Decimal("3000"), base=Decimal("8000"))

    assert _line(result, InsuranceKind.PENSION).base == Decimal("8000")
    assert result.wage == Decimal("3000")


def test_an_unknown_figure_stops_the_calculation_naming_city_month_and_field() -> None:
    provisional = LIBRARY.lookup("testville", Month(2025, 8))

    with pytest.raises(UnknownFigure) as caught:
        calculate_contributions(provisional, wage=Decimal("10000"))

    assert caught.value.field == "social_insurance.medical.employer_rate"
    assert caught.value.params["city"] == "testville"
    assert caught.value.params["month"] == "2025-08"


def test_every_line_names_its_period_and_sources() -> None:
    result = calculate_contributions(JAN_2025, wage=Decimal("10000"))

    assert {line.period for line in result.items} == {"2024-07..2025-06"}
    assert all(line.sources and line.sources[0].id == "test" for line in result.items)
    assert result.housing_fund.period == "2024-07..2026-06"


@pytest.mark.parametrize(
    ("rule", "amount", "expected"),
    [
        (RoundingRule.HALF_UP_CENT, "700.495", "700.50"),
        (RoundingRule.HALF_UP_CENT, "700.494", "700.49"),
        (RoundingRule.HALF_UP_JIAO, "700.45", "700.50"),
        (RoundingRule.HALF_UP_YUAN, "700.50", "701.00"),
        (RoundingRule.HALF_UP_YUAN, "700.49", "700.00"),
        (RoundingRule.UP_CENT, "700.001", "700.01"),
        (RoundingRule.UP_JIAO, "700.01", "700.10"),
        (RoundingRule.UP_YUAN, "700.01", "701.00"),
        (RoundingRule.DOWN_CENT, "700.499", "700.49"),
    ],
)
def test_each_rounding_rule_rounds_as_named(rule: RoundingRule, amount: str, expected: str) -> None:
    assert apply_rounding(Decimal(amount), rule) == Decimal(expected)


wages = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@given(wage=wages)
def test_the_base_always_lies_within_floor_and_ceiling(wage: Decimal) -> None:
    result = calculate_contributions(JAN_2025, wage=wage)

    for line in result.items:
        assert line.floor <= line.base <= line.ceiling
    assert result.housing_fund.floor <= result.housing_fund.base <= result.housing_fund.ceiling


@given(low=wages, high=wages)
def test_a_higher_wage_never_lowers_a_contribution(low: Decimal, high: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    before = calculate_contributions(JAN_2025, wage=low)
    after = calculate_contributions(JAN_2025, wage=high)

    assert after.employee_total >= before.employee_total
    assert after.employer_total >= before.employer_total
    assert after.housing_fund.employee >= before.housing_fund.employee
