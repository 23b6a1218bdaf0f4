from dataclasses import asdict
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from renshi.core.iit import (
    BasicDeductionRule,
    IitCumulative,
    IitYearResult,
    MonthlyIitInput,
    annual_tax,
    bonus_compare,
    bonus_separate_tax,
    withhold_month,
    withhold_year,
)
from renshi.core.months import Month

ZERO = Decimal("0")


def amounts(max_value: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=2)


RULES = st.sampled_from(["standard", "first_job", "under_60k"])


@st.composite
def years(draw: st.DrawFn) -> dict[str, object]:
    """Arguments for ``withhold_year``: any wages, deductions and a rule that fits the start."""
    rule = draw(RULES)
    start_month = 1 if rule == "under_60k" else draw(st.integers(1, 12))
    count = draw(st.integers(1, 13 - start_month))
    return {
        "year": 2024,
        "incomes": draw(st.lists(amounts(200_000), min_size=count, max_size=count)),
        "start_month": start_month,
        "special_deductions": draw(amounts(10_000)),
        "additional_deductions": draw(amounts(10_000)),
        "is_first_job_this_year": rule == "first_job",
        "is_under_60k": rule == "under_60k",
    }


def december_tax(result: IitYearResult) -> Decimal:
    return result.months[-1].cumulative_tax


@given(years())
def test_withholding_is_never_negative_and_always_in_cents(arguments: dict[str, object]):
    result = withhold_year(**arguments)  # type: ignore[arg-type]
    for line in result.months:
        assert line.withholding >= ZERO
        assert line.withholding == line.withholding.quantize(Decimal("0.01"))


@given(years())
def test_the_year_withholds_the_highest_cumulative_tax_reached(arguments: dict[str, object]):
    # Without relief and with no in-year refund, tax withheld so far is the running maximum of
    # the cumulative tax, so the year's total is never below the tax on December's figures.
    result = withhold_year(**arguments)  # type: ignore[arg-type]
    assert result.total == max(line.cumulative_tax for line in result.months)
    assert result.total >= annual_tax(result.months[-1].cumulative_taxable_income)


@st.composite
def nondecreasing_years(draw: st.DrawFn) -> dict[str, object]:
    """Wages that always cover the month's deductions, so cumulative taxable never falls."""
    rule = draw(RULES)
    special = draw(amounts(10_000))
    additional = draw(amounts(10_000))
    # The month's basic deduction adds 5,000, except under the flat 60,000 rule.
    floor = special + additional + (0 if rule == "under_60k" else 5000)
    extras = draw(st.lists(amounts(200_000), min_size=12, max_size=12))
    return {
        "year": 2024,
        "incomes": [floor + extra for extra in extras],
        "special_deductions": special,
        "additional_deductions": additional,
        "is_first_job_this_year": rule == "first_job",
        "is_under_60k": rule == "under_60k",
    }


@given(nondecreasing_years())
def test_a_year_of_nondecreasing_taxable_income_withholds_exactly_the_annual_tax(
    arguments: dict[str, object],
):
    # Each month withholds the rounded cumulative tax minus the rounded tax withheld so far, so
    # the sum telescopes to December's cumulative tax, to the cent.
    result = withhold_year(**arguments)  # type: ignore[arg-type]
    taxable = [line.cumulative_taxable_income for line in result.months]
    assert taxable == sorted(taxable)
    assert result.total == annual_tax(taxable[-1])
    assert sum(line.withholding for line in result.months) == result.total


@given(years(), st.data())
def test_more_income_in_any_month_never_lowers_the_tax(
    arguments: dict[str, object], data: st.DataObject
):
    incomes = list(arguments["incomes"])  # type: ignore[call-overload]
    index = data.draw(st.integers(0, len(incomes) - 1))
    raised = list(incomes)
    raised[index] += data.draw(amounts(100_000))
    before = withhold_year(**arguments)  # type: ignore[arg-type]
    after = withhold_year(**{**arguments, "incomes": raised})  # type: ignore[arg-type]
    for old, new in zip(before.months, after.months, strict=True):
        assert new.cumulative_tax >= old.cumulative_tax
        assert new.cumulative.tax_withheld >= old.cumulative.tax_withheld
    assert december_tax(after) >= december_tax(before)
    assert after.total >= before.total


@given(years(), st.data())
def test_resuming_from_a_saved_state_gives_the_same_months(
    arguments: dict[str, object], data: st.DataObject
):
    # A monthly payroll run only has last month's saved state; it must agree with the year.
    result = withhold_year(**arguments)  # type: ignore[arg-type]
    split = data.draw(st.integers(0, len(result.months) - 1))
    if arguments["is_under_60k"]:
        rule = BasicDeductionRule.UNDER_60K
    elif arguments["is_first_job_this_year"]:
        rule = BasicDeductionRule.FIRST_JOB_THIS_YEAR
    else:
        rule = BasicDeductionRule.STANDARD
    previous = IitCumulative(**asdict(result.months[split].cumulative))
    for line in result.months[split + 1 :]:
        month = MonthlyIitInput(
            month=line.month,
            income=line.income,
            special_deductions=arguments["special_deductions"],  # type: ignore[arg-type]
            additional_deductions=arguments["additional_deductions"],  # type: ignore[arg-type]
        )
        resumed = withhold_month(previous=previous, month=month, rule=rule)
        assert resumed == line
        previous = resumed.cumulative


@given(amounts(3_000_000), amounts(3_000_000))
def test_annual_tax_never_falls_as_income_rises(low: Decimal, extra: Decimal):
    assert annual_tax(low + extra) >= annual_tax(low) >= ZERO


@given(amounts(3_000_000))
def test_annual_tax_stays_below_45_percent(taxable: Decimal):
    assert annual_tax(taxable) <= (taxable * Decimal("0.45")).quantize(Decimal("0.01"))


@given(amounts(3_000_000))
def test_bonus_tax_is_never_negative_nor_above_45_percent(bonus: Decimal):
    tax = bonus_separate_tax(bonus).tax
    assert ZERO <= tax <= (bonus * Decimal("0.45")).quantize(Decimal("0.01"))


@given(amounts(3_000_000), st.decimals(min_value=-200_000, max_value=3_000_000, places=2))
def test_bonus_comparison_difference_is_merged_minus_separate(bonus: Decimal, wages: Decimal):
    comparison = bonus_compare(bonus=bonus, annual_taxable_without_bonus=wages)
    assert comparison.separate_total == bonus_separate_tax(bonus).tax + annual_tax(wages)
    assert comparison.merged_total == annual_tax(wages + bonus)
    assert comparison.difference == comparison.merged_total - comparison.separate_total


@given(amounts(10_000), st.integers(1, 12))
def test_a_single_month_withholds_the_annual_tax_on_its_taxable_income(income: Decimal, month: int):
    result = withhold_month(
        previous=None,
        month=MonthlyIitInput(month=Month(2024, month), income=income),
        rule=BasicDeductionRule.STANDARD,
    )
    assert result.withholding == annual_tax(income - 5000)
