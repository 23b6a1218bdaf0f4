"""The core's additions for the portal's simulator: the career projection, the average wage a
ceiling implies, and the months short of the minimum. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renshi.core.pension import (
    ContributionIndexOutOfRangeError,
    ContributionYearsOutOfRangeError,
    NegativeBalanceError,
    NonPositiveWageError,
    NotFiniteError,
    ProjectedYearsOutOfRangeError,
    average_wage_from_ceiling,
    career_projection,
    minimum_years_shortfall_months,
)


def inputs(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "average_wage": Decimal("10000"),
        "years_so_far": Decimal("10"),
        "index_so_far": Decimal("1"),
        "account_so_far": Decimal("100000"),
        "future_years": Decimal("20"),
        "future_index": Decimal("1.3"),
    }
    values.update(overrides)
    return values


def test_the_future_years_add_8_percent_of_the_base_a_month_to_the_account():
    career = career_projection(**inputs())  # type: ignore[arg-type]

    # 10000 × 1.3 × 8% × 12 × 20 = 249,600.
    assert career.future_contributions == Decimal("249600.00")
    assert career.account_balance == Decimal("349600.00")
    assert career.contribution_years == Decimal("30")
    # (1 × 10 + 1.3 × 20) ÷ 30 = 1.2
    assert career.contribution_index == Decimal("1.2")


def test_with_no_years_at_all_the_index_is_the_future_one():
    career = career_projection(
        **inputs(years_so_far=Decimal("0"), future_years=Decimal("0"))  # type: ignore[arg-type]
    )

    assert career.contribution_index == Decimal("1.3")
    assert career.account_balance == Decimal("100000")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("average_wage", Decimal("0"), NonPositiveWageError),
        ("index_so_far", Decimal("0"), ContributionIndexOutOfRangeError),
        ("future_index", Decimal("3.01"), ContributionIndexOutOfRangeError),
        ("years_so_far", Decimal("-1"), ContributionYearsOutOfRangeError),
        ("future_years", Decimal("61"), ContributionYearsOutOfRangeError),
        ("account_so_far", Decimal("-0.01"), NegativeBalanceError),
        ("future_years", Decimal("NaN"), NotFiniteError),
    ],
)
def test_a_bad_input_names_its_parameter(field, value, error):
    with pytest.raises(error) as raised:
        career_projection(**inputs(**{field: value}))  # type: ignore[arg-type]

    assert raised.value.field == field


def test_a_career_over_60_years_is_refused_on_the_years_ahead():
    with pytest.raises(ProjectedYearsOutOfRangeError) as raised:
        career_projection(
            **inputs(years_so_far=Decimal("40"), future_years=Decimal("21"))  # type: ignore[arg-type]
        )

    assert raised.value.field == "future_years"
    assert raised.value.params["value"] == Decimal("61")


def test_a_ceiling_is_three_times_the_average_wage():
    # Beijing 2025: ceiling 35811 → 11937.
    assert average_wage_from_ceiling(Decimal("35811")) == Decimal("11937.00")
    assert average_wage_from_ceiling(Decimal("27501")) == Decimal("9167.00")
    with pytest.raises(NonPositiveWageError):
        average_wage_from_ceiling(Decimal("0"))


@pytest.mark.parametrize(
    ("months", "minimum", "missing"),
    [
        (180, Decimal("15"), 0),
        (200, Decimal("15"), 0),
        (179, Decimal("15"), 1),
        (120, Decimal("15"), 60),
        (180, Decimal("15.5"), 6),
        (0, Decimal("20"), 240),
    ],
)
def test_the_months_short_of_the_minimum(months, minimum, missing):
    assert (
        minimum_years_shortfall_months(contributed_months=months, minimum_years=minimum) == missing
    )
