from decimal import Decimal
from typing import Any

import pytest

from renshi.core.months import Month, month_range
from renshi.core.pension import (
    DIVISOR_RULE,
    MONTHS_DIVISOR_BY_AGE,
    ContributionIndexOutOfRangeError,
    ContributionYearsOutOfRangeError,
    DivisorRule,
    MinimumYearsWarning,
    MissingGapBaseError,
    NegativeBalanceError,
    NegativeGapMonthsError,
    NonPositiveGapBaseError,
    NonPositiveWageError,
    NotFiniteError,
    PensionInputError,
    RetirementAgeOutOfTableError,
    RetirementCategory,
    minimum_contribution_years,
    months_divisor,
    pension_estimate,
    statutory_retirement,
)

MALE = RetirementCategory.MALE
CADRE = RetirementCategory.FEMALE_CADRE
WORKER = RetirementCategory.FEMALE_WORKER


def estimate_inputs(**overrides: Any) -> dict[str, Any]:
    """The worked check's inputs: born 1960-05, male, wage 10,000, index 1, 30 years, 200,000."""
    inputs: dict[str, Any] = {
        "birth": Month.parse("1960-05"),
        "category": MALE,
        "average_wage": Decimal("10000"),
        "contribution_index": Decimal("1.0"),
        "contribution_years": Decimal("30"),
        "account_balance": Decimal("200000"),
    }
    inputs.update(overrides)
    return inputs


# Source: 全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13), art. 1 and annex 1;
# rows re-derived from "one month per four (or two) months of birth" and cross-checked with
# public calculators that match the 12333 mini-program (1966-01 male → 2026-05; 1975-06 female
# worker → 2025-09; 1977-01 → 2028-02; 1984-11 → 2039-11).
@pytest.mark.parametrize(
    ("category", "birth", "delay", "age_years", "age_extra_months", "retires"),
    [
        (MALE, "1960-05", 0, 60, 0, "2020-05"),
        (MALE, "1964-12", 0, 60, 0, "2024-12"),
        (MALE, "1965-01", 1, 60, 1, "2025-02"),
        (MALE, "1965-04", 1, 60, 1, "2025-05"),
        (MALE, "1965-05", 2, 60, 2, "2025-07"),
        (MALE, "1966-01", 4, 60, 4, "2026-05"),
        (MALE, "1976-08", 35, 62, 11, "2039-07"),
        (MALE, "1976-09", 36, 63, 0, "2039-09"),
        (MALE, "1990-01", 36, 63, 0, "2053-01"),
        (CADRE, "1969-12", 0, 55, 0, "2024-12"),
        (CADRE, "1970-01", 1, 55, 1, "2025-02"),
        (CADRE, "1970-04", 1, 55, 1, "2025-05"),
        (CADRE, "1970-05", 2, 55, 2, "2025-07"),
        (CADRE, "1981-08", 35, 57, 11, "2039-07"),
        (CADRE, "1981-09", 36, 58, 0, "2039-09"),
        (WORKER, "1974-12", 0, 50, 0, "2024-12"),
        (WORKER, "1975-01", 1, 50, 1, "2025-02"),
        (WORKER, "1975-02", 1, 50, 1, "2025-03"),
        (WORKER, "1975-03", 2, 50, 2, "2025-05"),
        (WORKER, "1975-06", 3, 50, 3, "2025-09"),
        (WORKER, "1977-01", 13, 51, 1, "2028-02"),
        (WORKER, "1984-10", 59, 54, 11, "2039-09"),
        (WORKER, "1984-11", 60, 55, 0, "2039-11"),
        (WORKER, "1990-01", 60, 55, 0, "2045-01"),
    ],
)
def test_statutory_retirement_delays_by_birth_month_up_to_the_cap(
    category: RetirementCategory,
    birth: str,
    delay: int,
    age_years: int,
    age_extra_months: int,
    retires: str,
) -> None:
    retirement = statutory_retirement(birth=Month.parse(birth), category=category)

    assert retirement.delay_months == delay
    assert (retirement.age_years, retirement.age_extra_months) == (age_years, age_extra_months)
    assert retirement.month == Month.parse(retires)


@pytest.mark.parametrize(
    ("category", "original", "cap"),
    [(MALE, 60, 36), (CADRE, 55, 36), (WORKER, 50, 60)],
)
def test_every_birth_month_retires_at_birth_plus_age_with_a_delay_that_never_shrinks(
    category: RetirementCategory, original: int, cap: int
) -> None:
    previous_delay = 0
    for birth in month_range(Month(1955, 1), Month(2000, 12)):
        retirement = statutory_retirement(birth=birth, category=category)

        assert retirement.month == birth.add(retirement.age_in_months)
        assert retirement.age_in_months == original * 12 + retirement.delay_months
        assert retirement.original_age_years == original
        assert previous_delay <= retirement.delay_months <= cap
        previous_delay = retirement.delay_months
    assert previous_delay == cap


# Source: the decision's annex 2 (最低缴费年限): 15 through 2029, +6 months a year from 2030,
# 20 in 2039.
@pytest.mark.parametrize(
    ("year", "minimum"),
    [
        (2020, "15"),
        (2029, "15"),
        (2030, "15.5"),
        (2035, "18"),
        (2038, "19.5"),
        (2039, "20"),
        (2045, "20"),
    ],
)
def test_minimum_contribution_years_rise_half_a_year_a_year_from_2030_to_20(
    year: int, minimum: str
) -> None:
    assert minimum_contribution_years(year) == Decimal(minimum)


# Source: 国发〔2005〕38号 annex, 个人账户养老金计发月数表 (reference facts §4).
@pytest.mark.parametrize(
    ("age", "divisor"),
    [(40, 233), (45, 216), (50, 195), (55, 170), (58, 152), (60, 139), (63, 117), (65, 101)],
)
def test_months_divisor_follows_the_annex_table(age: int, divisor: int) -> None:
    assert months_divisor(age_in_months=age * 12) == divisor


def test_months_divisor_table_covers_ages_40_to_70_and_only_falls() -> None:
    ages = sorted(MONTHS_DIVISOR_BY_AGE)
    divisors = [MONTHS_DIVISOR_BY_AGE[age] for age in ages]

    assert ages == list(range(40, 71))
    assert divisors[-1] == 56
    assert all(later < earlier for earlier, later in zip(divisors, divisors[1:], strict=False))


@pytest.mark.parametrize(
    ("age_in_months", "divisor"),
    [(60 * 12 + 5, 139), (62 * 12 + 11, 125), (57 * 12 + 11, 158), (54 * 12 + 11, 175)],
)
def test_months_divisor_for_an_age_with_extra_months_uses_completed_years(
    age_in_months: int, divisor: int
) -> None:
    assert DIVISOR_RULE is DivisorRule.COMPLETED_YEARS
    assert months_divisor(age_in_months=age_in_months) == divisor


@pytest.mark.parametrize("age_in_months", [39 * 12 + 11, 71 * 12])
def test_months_divisor_refuses_ages_outside_the_table(age_in_months: int) -> None:
    with pytest.raises(RetirementAgeOutOfTableError) as caught:
        months_divisor(age_in_months=age_in_months)

    assert caught.value.field == "age_in_months"


# Worked check from the brief, by 国发〔2005〕38号 art. 6: (10000 + 10000 × 1) ÷ 2 × 30 × 1% =
# 3000.00; 200000 ÷ 139 = 1438.848… → 1438.85.
def test_worked_check_born_1960_05_male_gets_4438_85_a_month() -> None:
    estimate = pension_estimate(**estimate_inputs())

    assert estimate.retirement.month == Month.parse("2020-05")
    assert estimate.divisor == 139
    assert estimate.divisor_rule == "completed_years"
    assert estimate.basic_pension == Decimal("3000.00")
    assert estimate.personal_account_pension == Decimal("1438.85")
    assert estimate.total_pension == Decimal("4438.85")
    assert estimate.minimum_contribution_years == Decimal("15")
    assert estimate.is_minimum_years_met is True
    assert estimate.warnings == ()
    assert estimate.gap_cost is None


def test_estimate_for_a_reform_age_with_extra_months_names_the_divisor_rule() -> None:
    estimate = pension_estimate(**estimate_inputs(birth=Month.parse("1966-01")))

    assert (estimate.retirement.age_years, estimate.retirement.age_extra_months) == (60, 4)
    assert estimate.retirement.month == Month.parse("2026-05")
    assert estimate.divisor == 139
    assert estimate.divisor_rule is DivisorRule.COMPLETED_YEARS


def test_total_is_the_sum_of_the_published_parts_so_the_figures_add_up() -> None:
    # 0.125 basic (10000 × 2 ÷ 2 × 0.00125 × 1%) and 0.125 personal (17.375 ÷ 139) are
    # 0.13 each when rounded; the total shown is their sum, 0.26, not 0.25.
    estimate = pension_estimate(
        **estimate_inputs(contribution_years=Decimal("0.00125"), account_balance=Decimal("17.375"))
    )

    assert estimate.basic_pension == Decimal("0.13")
    assert estimate.personal_account_pension == Decimal("0.13")
    assert estimate.total_pension == Decimal("0.26")


def test_years_below_the_minimum_warn_but_still_estimate() -> None:
    estimate = pension_estimate(
        **estimate_inputs(birth=Month.parse("1975-01"), contribution_years=Decimal("15"))
    )

    assert estimate.retirement.month == Month.parse("2037-08")
    assert estimate.minimum_contribution_years == Decimal("19")
    assert estimate.is_minimum_years_met is False
    assert estimate.warnings == (
        MinimumYearsWarning(years=Decimal("15"), minimum=Decimal("19"), retirement_year=2037),
    )
    assert estimate.warnings[0].message().template == MinimumYearsWarning.template
    assert estimate.warnings[0].message().params["minimum"] == Decimal("19.0")
    assert estimate.basic_pension == Decimal("1500.00")


def test_years_exactly_at_the_minimum_do_not_warn() -> None:
    estimate = pension_estimate(**estimate_inputs(contribution_years=Decimal("15")))

    assert estimate.is_minimum_years_met is True
    assert estimate.warnings == ()


# Seed example (reference facts §4): 3 months at base 10,000 → 10000 × 8% × 3 = 2,400 less in the
# personal account; at 60 that is 2400 ÷ 139 ≈ 17.27 a month. Basic pension: 0.25 fewer years
# → (10000 + 10000) ÷ 2 × 0.25 × 1% = 25.00 a month; together 42.27; × 139 = 5,875.00.
def test_three_month_gap_at_10000_costs_2400_in_the_account_and_17_27_a_month_at_60() -> None:
    estimate = pension_estimate(**estimate_inputs(gap_months=3, gap_base=Decimal("10000")))

    gap = estimate.gap_cost
    assert gap is not None
    assert gap.months == 3
    assert gap.personal_account_shortfall == Decimal("2400.00")
    assert gap.personal_account_pension_loss == Decimal("17.27")
    assert gap.basic_pension_loss == Decimal("25.00")
    assert gap.monthly_loss == Decimal("42.27")
    assert gap.loss_over_divisor_months == Decimal("5875.00")


def test_gap_base_is_ignored_when_there_is_no_gap() -> None:
    estimate = pension_estimate(**estimate_inputs(gap_months=0, gap_base=Decimal("10000")))

    assert estimate.gap_cost is None


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"average_wage": Decimal("0")}, NonPositiveWageError, "average_wage"),
        ({"average_wage": Decimal("-1")}, NonPositiveWageError, "average_wage"),
        ({"account_balance": Decimal("-0.01")}, NegativeBalanceError, "account_balance"),
        (
            {"contribution_index": Decimal("0")},
            ContributionIndexOutOfRangeError,
            "contribution_index",
        ),
        (
            {"contribution_index": Decimal("-0.6")},
            ContributionIndexOutOfRangeError,
            "contribution_index",
        ),
        (
            {"contribution_index": Decimal("3.01")},
            ContributionIndexOutOfRangeError,
            "contribution_index",
        ),
        (
            {"contribution_years": Decimal("-0.5")},
            ContributionYearsOutOfRangeError,
            "contribution_years",
        ),
        (
            {"contribution_years": Decimal("60.5")},
            ContributionYearsOutOfRangeError,
            "contribution_years",
        ),
        ({"gap_months": -1}, NegativeGapMonthsError, "gap_months"),
        ({"gap_months": 3}, MissingGapBaseError, "gap_base"),
        ({"gap_months": 3, "gap_base": Decimal("0")}, NonPositiveGapBaseError, "gap_base"),
        ({"average_wage": Decimal("NaN")}, NotFiniteError, "average_wage"),
        ({"account_balance": Decimal("Infinity")}, NotFiniteError, "account_balance"),
        ({"gap_months": 1, "gap_base": Decimal("sNaN")}, NotFiniteError, "gap_base"),
    ],
)
def test_invalid_inputs_raise_a_typed_error_naming_the_field(
    overrides: dict[str, Any], error: type[PensionInputError], field: str
) -> None:
    with pytest.raises(error) as caught:
        pension_estimate(**estimate_inputs(**overrides))

    assert caught.value.field == field
    assert str(caught.value) == error.template.format(field=field, value=caught.value.value)


@pytest.mark.parametrize(
    ("overrides"),
    [
        {"contribution_index": Decimal("3")},
        {"contribution_index": Decimal("0.01")},
        {"contribution_years": Decimal("0")},
        {"contribution_years": Decimal("60")},
        {"account_balance": Decimal("0")},
    ],
)
def test_inputs_on_the_edges_of_the_bands_are_accepted(overrides: dict[str, Any]) -> None:
    pension_estimate(**estimate_inputs(**overrides))


def test_every_error_template_is_distinct_and_names_the_field() -> None:
    errors = [
        NotFiniteError,
        NonPositiveWageError,
        NegativeBalanceError,
        ContributionIndexOutOfRangeError,
        ContributionYearsOutOfRangeError,
        NegativeGapMonthsError,
        MissingGapBaseError,
        NonPositiveGapBaseError,
        RetirementAgeOutOfTableError,
    ]

    templates = [error.template for error in errors]
    assert len(set(templates)) == len(templates)
    assert all(template.startswith("{field}: ") for template in templates)
