from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal

import pytest

from renshi.core.iit import (
    ANNUAL_TABLE,
    DEDUCTIONS_GIVEN_TWICE,
    MONTHLY_TABLE,
    NEGATIVE_AMOUNT,
    BasicDeductionRule,
    BonusMethod,
    BonusPolicyExpiredError,
    DeductionsGivenTwiceError,
    IitCumulative,
    IitInputError,
    IitMonthResult,
    MonthlyIitInput,
    MonthNotAfterPreviousError,
    MonthOutOfRangeError,
    NegativeAmountError,
    NotAnAmountError,
    RateTable,
    TooManyMonthsError,
    Under60kMidYearStartError,
    Under60kWithFirstJobError,
    UnexpectedMonthError,
    YearOutOfRangeError,
    annual_tax,
    bonus_compare,
    bonus_separate_tax,
    withhold_month,
    withhold_year,
)
from renshi.core.iit_deductions import (
    AdditionalDeductionClaim,
    ElderlyShareForOnlyChildError,
    ElderlyShareOverCapError,
    InvalidShareError,
    NegativeCountError,
    RentTier,
    RentWithLoanInterestError,
    additional_deduction_monthly,
)
from renshi.core.months import Month


def d(value: str | int) -> Decimal:
    return Decimal(value)


def withholdings(months: Sequence[IitMonthResult]) -> list[Decimal]:
    return [month.withholding for month in months]


# --- Rate tables and annual tax ------------------------------------------------------------


@pytest.mark.parametrize("table", [ANNUAL_TABLE, MONTHLY_TABLE])
def test_each_rate_table_names_its_source_and_ends_without_an_upper_bound(table: RateTable):
    assert "号" in table.source
    assert table.brackets[-1].upper is None
    assert all(bracket.upper is not None for bracket in table.brackets[:-1])


@pytest.mark.parametrize("table", [ANNUAL_TABLE, MONTHLY_TABLE])
def test_quick_deductions_make_the_tax_continuous_at_every_bracket_edge(table: RateTable):
    # The quick deduction is defined so that both neighbouring rows give the same tax at a bound.
    for lower, upper in zip(table.brackets, table.brackets[1:], strict=False):
        assert lower.upper is not None
        edge = lower.upper
        assert edge * lower.rate - lower.quick_deduction == edge * upper.rate - (
            upper.quick_deduction
        )


@pytest.mark.parametrize(
    ("taxable", "tax"),
    [
        # Public vectors from open-source calculators (reference facts §1, [R]), re-computed:
        ("144000", "11880.00"),  # 144,000 × 10% − 2,520
        ("412345", "71166.25"),  # 412,345 × 25% − 31,920 = 103,086.25 − 31,920
        ("2000000", "718080.00"),  # 2,000,000 × 45% − 181,920
        # Bracket edges of 预扣率表一 (公告2018年第61号), bounds inclusive:
        ("36000", "1080.00"),  # 36,000 × 3%
        ("36001", "1080.10"),  # 36,001 × 10% − 2,520
        ("300000", "43080.00"),  # 300,000 × 20% − 16,920
        ("960000", "250080.00"),  # 960,000 × 35% − 85,920
        ("960001", "250080.45"),  # 960,001 × 45% − 181,920
        ("0.01", "0.00"),  # 0.0003 rounds to nothing
        ("0", "0.00"),
        ("-5000", "0.00"),  # deductions larger than income owe nothing
    ],
)
def test_annual_tax_applies_the_comprehensive_income_table(taxable: str, tax: str):
    assert annual_tax(d(taxable)) == d(tax)


def test_annual_tax_refuses_a_float():
    with pytest.raises(NotAnAmountError) as error:
        annual_tax(1000.0)  # type: ignore[arg-type]
    assert error.value.field == "taxable_income"


# --- Cumulative withholding ----------------------------------------------------------------


def test_official_example_withholds_555_then_625_then_1850():
    # STA explanation of 公告2018年第61号: salary 30,000, 三险一金 4,500, 专项附加扣除 2,000.
    # Monthly taxable 30,000 − 5,000 − 4,500 − 2,000 = 18,500; cumulative tax on 18,500 × n:
    #  Jan  18,500 × 3%                =    555 → 555
    #  Feb  37,000 × 10% − 2,520       =  1,180 → 625
    #  Mar  55,500 × 10% − 2,520       =  3,030 → 1,850
    #  Apr  74,000 × 10% − 2,520       =  4,880 → 1,850
    #  May  92,500 × 10% − 2,520       =  6,730 → 1,850
    #  Jun 111,000 × 10% − 2,520       =  8,580 → 1,850
    #  Jul 129,500 × 10% − 2,520       = 10,430 → 1,850
    #  Aug 148,000 × 20% − 16,920      = 12,680 → 2,250
    #  Sep 166,500 × 20% − 16,920      = 16,380 → 3,700
    #  Oct 185,000 × 20% − 16,920      = 20,080 → 3,700
    #  Nov 203,500 × 20% − 16,920      = 23,780 → 3,700
    #  Dec 222,000 × 20% − 16,920      = 27,480 → 3,700; the year: 27,480
    result = withhold_year(
        year=2024,
        incomes=[d(30000)] * 12,
        special_deductions=d(4500),
        additional_deductions=d(2000),
    )
    expected = [555, 625, 1850, 1850, 1850, 1850, 1850, 2250, 3700, 3700, 3700, 3700]
    assert withholdings(result.months) == [d(amount) for amount in expected]
    assert result.total == d("27480.00")
    assert result.total == annual_tax(d(222000))
    assert [line.month for line in result.months] == [Month(2024, n) for n in range(1, 13)]
    march = result.months[2]
    assert march.cumulative_taxable_income == d(55500)
    assert (march.rate, march.quick_deduction) == (d("0.10"), d(2520))
    assert march.cumulative_tax == d(3030)
    august = result.months[7]
    assert (august.rate, august.quick_deduction) == (d("0.20"), d(16920))


def test_a_december_payroll_run_from_novembers_saved_state_matches_the_whole_year():
    whole_year = withhold_year(
        year=2024,
        incomes=[d(30000)] * 12,
        special_deductions=d(4500),
        additional_deductions=d(2000),
    )
    november = whole_year.months[10].cumulative
    saved = IitCumulative(**asdict(november))  # as a payroll run would reload it from a row
    december = withhold_month(
        previous=saved,
        month=MonthlyIitInput(
            month=Month(2024, 12),
            income=d(30000),
            special_deductions=d(4500),
            additional_deductions=d(2000),
        ),
        rule=BasicDeductionRule.STANDARD,
    )
    assert december == whole_year.months[11]
    assert december.cumulative.tax_withheld == d(27480)
    assert december.cumulative.months_employed == 12


def test_hire_in_july_counts_the_basic_deduction_from_july():
    # Salary 20,000, 三险一金 2,000, hired in July: taxable 20,000 − 5,000 − 2,000 = 13,000 a month.
    #  Jul 13,000 × 3%            =   390 → 390
    #  Aug 26,000 × 3%            =   780 → 390
    #  Sep 39,000 × 10% − 2,520   = 1,380 → 600
    #  Oct 52,000 × 10% − 2,520   = 2,680 → 1,300
    #  Nov 65,000 × 10% − 2,520   = 3,980 → 1,300
    #  Dec 78,000 × 10% − 2,520   = 5,280 → 1,300; the year: 5,280
    result = withhold_year(
        year=2024, incomes=[d(20000)] * 6, start_month=7, special_deductions=d(2000)
    )
    assert withholdings(result.months) == [d(n) for n in (390, 390, 600, 1300, 1300, 1300)]
    assert result.total == d(5280)
    assert result.months[0].month == Month(2024, 7)
    assert result.months[-1].cumulative.basic_deduction == d(30000)


def test_first_job_of_the_year_counts_the_basic_deduction_from_january():
    # 公告2020年第13号. Same employee, first wage income of the year in July: the basic
    # deduction is 5,000 × month number (Jul 35,000 … Dec 60,000).
    #  Jul  20,000 − 35,000 −  2,000 = −17,000 → 0
    #  Aug  40,000 − 40,000 −  4,000 =  −4,000 → 0
    #  Sep  60,000 − 45,000 −  6,000 =   9,000 ×  3%           =   270 → 270
    #  Oct  80,000 − 50,000 −  8,000 =  22,000 ×  3%           =   660 → 390
    #  Nov 100,000 − 55,000 − 10,000 =  35,000 ×  3%           = 1,050 → 390
    #  Dec 120,000 − 60,000 − 12,000 =  48,000 × 10% − 2,520   = 2,280 → 1,230; the year: 2,280
    result = withhold_year(
        year=2024,
        incomes=[d(20000)] * 6,
        start_month=7,
        special_deductions=d(2000),
        is_first_job_this_year=True,
    )
    assert withholdings(result.months) == [d(n) for n in (0, 0, 270, 390, 390, 1230)]
    assert result.total == d(2280)
    assert result.months[0].cumulative_taxable_income == d(-17000)
    assert result.months[0].cumulative.basic_deduction == d(35000)
    assert result.months[-1].cumulative.basic_deduction == d(60000)


def test_under_60k_withholds_nothing_until_income_passes_60000_plus_deductions():
    # 公告2020年第19号: basic deduction 60,000 from January. Wage 8,000, 三险一金 1,000:
    # cumulative taxable = 7,000 × n − 60,000.
    #  Jan–Aug: at most 56,000 − 60,000 = −4,000 → 0 (income 64,000 < 60,000 + 8,000)
    #  Sep  63,000 − 60,000 =  3,000 × 3% =  90 → 90 (income 72,000 > 60,000 + 9,000)
    #  Oct  10,000 × 3% = 300 → 210
    #  Nov  17,000 × 3% = 510 → 210
    #  Dec  24,000 × 3% = 720 → 210; the year: 720, the same total as without the rule
    #       (12 × (8,000 − 5,000 − 1,000) = 24,000 × 3%), only later.
    result = withhold_year(
        year=2024, incomes=[d(8000)] * 12, special_deductions=d(1000), is_under_60k=True
    )
    assert withholdings(result.months) == [d(0)] * 8 + [d(90), d(210), d(210), d(210)]
    assert result.total == d(720)
    assert all(line.cumulative.basic_deduction == d(60000) for line in result.months)
    standard = withhold_year(year=2024, incomes=[d(8000)] * 12, special_deductions=d(1000))
    assert withholdings(standard.months) == [d(60)] * 12
    assert standard.total == result.total


def test_a_high_month_followed_by_empty_months_is_not_refunded_during_the_year():
    # January 100,000: 95,000 × 10% − 2,520 = 6,980 withheld. Later months earn nothing, so the
    # cumulative tax falls (Feb 90,000 → 6,480 … Dec 40,000 → 1,480) but nothing is refunded:
    # the annual settlement returns the 5,500 difference.
    result = withhold_year(year=2024, incomes=[d(100000)] + [d(0)] * 11)
    assert result.months[0].withholding == d(6980)
    assert withholdings(result.months[1:]) == [d(0)] * 11
    assert result.months[1].cumulative_tax == d(6480)
    assert result.months[-1].cumulative_tax == d(1480)
    assert result.months[-1].cumulative.tax_withheld == d(6980)
    assert result.total == d(6980)


def test_withholding_resumes_only_for_the_excess_over_what_was_already_withheld():
    # January 100,000 (6,980 withheld), nothing until December's 60,000:
    # December 160,000 − 60,000 = 100,000 × 10% − 2,520 = 7,480 → 7,480 − 6,980 = 500.
    result = withhold_year(year=2024, incomes=[d(100000)] + [d(0)] * 10 + [d(60000)])
    assert result.months[-1].withholding == d(500)
    assert result.total == d(7480)


def test_tax_relief_and_tax_free_income_reduce_the_withholding():
    # Taxable 30,000 − 5,000 − 2,000 (tax-free allowance) = 23,000 × 3% = 690; relief 100 → 590.
    month = MonthlyIitInput(
        month=Month(2024, 1), income=d(30000), tax_free_income=d(2000), tax_relief=d(100)
    )
    result = withhold_month(previous=None, month=month, rule=BasicDeductionRule.STANDARD)
    assert result.cumulative_tax == d(690)
    assert result.withholding == d(590)
    assert result.cumulative.tax_withheld == d(590)


def test_withholding_is_rounded_to_the_cent():
    # 10,333.33 − 5,000 = 5,333.33 × 3% = 159.9999 → 160.00
    result = withhold_year(year=2024, incomes=[d("10333.33")])
    assert result.months[0].withholding == d("160.00")
    assert str(result.months[0].withholding) == "160.00"


def test_withhold_year_takes_monthly_inputs_when_deductions_vary():
    months = [
        MonthlyIitInput(month=Month(2024, 1), income=d(30000), special_deductions=d(4500)),
        MonthlyIitInput(
            month=Month(2024, 2),
            income=d(30000),
            special_deductions=d(4500),
            additional_deductions=d(2000),
        ),
    ]
    # Jan 20,500 × 3% = 615; Feb 20,500 + 18,500 = 39,000 × 10% − 2,520 = 1,380 → 765
    result = withhold_year(year=2024, incomes=months)
    assert withholdings(result.months) == [d(615), d(765)]


def test_a_year_without_months_withholds_nothing():
    result = withhold_year(year=2024, incomes=[])
    assert result.total == d(0)
    assert result.final is None


# --- Errors --------------------------------------------------------------------------------


def test_negative_income_is_refused_naming_the_field():
    with pytest.raises(NegativeAmountError) as error:
        withhold_year(year=2024, incomes=[d(1000), d(-1)])
    assert isinstance(error.value, IitInputError)
    assert error.value.field == "incomes"
    assert error.value.template == NEGATIVE_AMOUNT
    assert error.value.params["value"] == d(-1)


@pytest.mark.parametrize(
    "field",
    [
        "income",
        "tax_free_income",
        "special_deductions",
        "additional_deductions",
        "other_deductions",
        "tax_relief",
    ],
)
def test_a_negative_monthly_amount_is_refused_naming_the_field(field: str):
    amounts = {"income": d(1000), field: d("-0.01")}
    with pytest.raises(NegativeAmountError) as error:
        MonthlyIitInput(month=Month(2024, 1), **amounts)
    assert error.value.field == field


@pytest.mark.parametrize("field", ["special_deductions", "additional_deductions"])
def test_negative_yearly_deductions_are_refused_naming_the_argument(field: str):
    with pytest.raises(NegativeAmountError) as error:
        withhold_year(year=2024, incomes=[d(1000)], **{field: d(-1)})  # type: ignore[arg-type]
    assert error.value.field == field


def test_a_float_income_is_refused():
    with pytest.raises(NotAnAmountError) as error:
        withhold_year(year=2024, incomes=[1000.0])  # type: ignore[arg-type]
    assert error.value.field == "incomes"


@pytest.mark.parametrize("start_month", [0, 13])
def test_a_start_month_outside_the_year_is_refused(start_month: int):
    with pytest.raises(MonthOutOfRangeError) as error:
        withhold_year(year=2024, incomes=[d(1000)], start_month=start_month)
    assert error.value.field == "start_month"


@pytest.mark.parametrize("year", [2018, 2101])
def test_a_year_outside_cumulative_withholding_is_refused(year: int):
    with pytest.raises(YearOutOfRangeError) as error:
        withhold_year(year=year, incomes=[d(1000)])
    assert error.value.field == "year"


def test_a_month_input_before_2019_is_refused():
    with pytest.raises(YearOutOfRangeError) as error:
        MonthlyIitInput(month=Month(2018, 12), income=d(1000))
    assert error.value.field == "month"


def test_more_months_than_remain_in_the_year_are_refused():
    with pytest.raises(TooManyMonthsError) as error:
        withhold_year(year=2024, incomes=[d(1000)] * 7, start_month=7)
    assert error.value.field == "incomes"


def test_under_60k_with_a_mid_year_hire_is_refused():
    with pytest.raises(Under60kMidYearStartError) as error:
        withhold_year(year=2024, incomes=[d(8000)], start_month=7, is_under_60k=True)
    assert error.value.field == "is_under_60k"


def test_under_60k_with_a_first_job_this_year_is_refused():
    with pytest.raises(Under60kWithFirstJobError) as error:
        withhold_year(year=2024, incomes=[d(8000)], is_under_60k=True, is_first_job_this_year=True)
    assert error.value.field == "is_under_60k"


def test_under_60k_starting_a_payroll_in_july_without_earlier_state_is_refused():
    month = MonthlyIitInput(month=Month(2024, 7), income=d(8000))
    with pytest.raises(Under60kMidYearStartError) as error:
        withhold_month(previous=None, month=month, rule=BasicDeductionRule.UNDER_60K)
    assert error.value.field == "month"


@pytest.mark.parametrize("month", [Month(2024, 3), Month(2024, 2), Month(2025, 4)])
def test_a_month_that_does_not_follow_the_saved_state_is_refused(month: Month):
    march = withhold_year(year=2024, incomes=[d(10000)] * 3).final
    with pytest.raises(MonthNotAfterPreviousError) as error:
        withhold_month(
            previous=march,
            month=MonthlyIitInput(month=month, income=d(10000)),
            rule=BasicDeductionRule.STANDARD,
        )
    assert error.value.field == "month"


def test_a_monthly_input_for_the_wrong_month_is_refused():
    with pytest.raises(UnexpectedMonthError) as error:
        withhold_year(year=2024, incomes=[MonthlyIitInput(month=Month(2024, 2), income=d(1000))])
    assert error.value.field == "incomes"


def test_deductions_given_both_per_month_and_as_arguments_are_refused():
    with pytest.raises(DeductionsGivenTwiceError) as error:
        withhold_year(
            year=2024,
            incomes=[MonthlyIitInput(month=Month(2024, 1), income=d(1000))],
            special_deductions=d(500),
        )
    assert error.value.template == DEDUCTIONS_GIVEN_TWICE


def test_a_skipped_month_still_counts_for_the_basic_deduction():
    # Employed since January, no wage in February: March counts 3 × 5,000.
    january = withhold_year(year=2024, incomes=[d(10000)]).final
    march = withhold_month(
        previous=january,
        month=MonthlyIitInput(month=Month(2024, 3), income=d(10000)),
        rule=BasicDeductionRule.STANDARD,
    )
    assert march.cumulative.basic_deduction == d(15000)
    assert march.cumulative_taxable_income == d(5000)


# --- Annual one-time bonus -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bonus", "rate", "tax"),
    [
        # 财税〔2018〕164号: rate and quick deduction looked up with bonus ÷ 12.
        ("0", "0.03", "0.00"),
        ("36000", "0.03", "1080.00"),  # ÷ 12 = 3,000: 36,000 × 3%
        ("36001", "0.10", "3390.10"),  # 36,001 × 10% − 210 (the well-known cliff)
        ("36000.01", "0.10", "3390.00"),  # 3,600.001 − 210 = 3,390.001
        ("144000", "0.10", "14190.00"),  # ÷ 12 = 12,000: 14,400 − 210
        ("144001", "0.20", "27390.20"),  # 28,800.20 − 1,410
        ("300000", "0.20", "58590.00"),  # ÷ 12 = 25,000: 60,000 − 1,410
        ("300001", "0.25", "72340.25"),  # 75,000.25 − 2,660
        ("420000", "0.25", "102340.00"),  # ÷ 12 = 35,000: 105,000 − 2,660
        ("420001", "0.30", "121590.30"),  # 126,000.30 − 4,410
        ("660000", "0.30", "193590.00"),  # ÷ 12 = 55,000: 198,000 − 4,410
        ("660001", "0.35", "223840.35"),  # 231,000.35 − 7,160
        ("960000", "0.35", "328840.00"),  # ÷ 12 = 80,000: 336,000 − 7,160
        ("960001", "0.45", "416840.45"),  # 432,000.45 − 15,160
    ],
)
def test_bonus_separate_tax_uses_the_monthly_table_at_a_twelfth_of_the_bonus(
    bonus: str, rate: str, tax: str
):
    result = bonus_separate_tax(d(bonus))
    assert result.rate == d(rate)
    assert result.tax == d(tax)


def test_one_yuan_of_bonus_over_36000_costs_2310_10_more_tax():
    # The cliff: one more yuan of bonus costs 2,310.10 more tax.
    assert bonus_separate_tax(d(36001)).tax - bonus_separate_tax(d(36000)).tax == d("2310.10")


def test_separate_taxation_saves_when_wages_already_fill_the_low_brackets():
    # Taxable wages 100,000: separate 36,000 × 3% = 1,080 + (10,000 − 2,520 = 7,480) = 8,560;
    # merged 136,000 × 10% − 2,520 = 11,080; separate is 2,520 lower.
    comparison = bonus_compare(bonus=d(36000), annual_taxable_without_bonus=d(100000))
    assert comparison.separate_total == d(8560)
    assert comparison.merged_total == d(11080)
    assert comparison.difference == d(2520)
    assert comparison.lower is BonusMethod.SEPARATE


def test_merging_saves_when_deductions_are_unused():
    # Deductions exceed wages by 20,000: separate 1,080 + 0; merged 16,000 × 3% = 480.
    comparison = bonus_compare(bonus=d(36000), annual_taxable_without_bonus=d(-20000))
    assert comparison.separate_total == d(1080)
    assert comparison.merged_total == d(480)
    assert comparison.difference == d(-600)
    assert comparison.lower is BonusMethod.MERGED


def test_merging_avoids_the_cliff_for_a_bonus_just_over_36000():
    # Separate 3,390.10; merged 36,001 × 10% − 2,520 = 1,080.10.
    comparison = bonus_compare(bonus=d(36001), annual_taxable_without_bonus=d(0))
    assert comparison.merged_total == d("1080.10")
    assert comparison.difference == d("-2310.00")
    assert comparison.lower is BonusMethod.MERGED


def test_equal_taxes_name_neither_method_lower():
    comparison = bonus_compare(bonus=d(36000), annual_taxable_without_bonus=d(0))
    assert comparison.separate_total == comparison.merged_total == d(1080)
    assert comparison.lower is None


@pytest.mark.parametrize("year", [2019, 2024, 2027])
def test_separate_bonus_taxation_is_available_through_2027(year: int):
    assert bonus_separate_tax(d(36000), year=year).tax == d(1080)


def test_separate_bonus_taxation_after_2027_is_refused_as_expired():
    # 财政部 税务总局公告2023年第30号 extends it to 2027-12-31 only.
    with pytest.raises(BonusPolicyExpiredError) as error:
        bonus_compare(bonus=d(36000), annual_taxable_without_bonus=d(0), year=2028)
    assert error.value.field == "year"
    assert error.value.params["valid_through"] == 2027


def test_a_negative_bonus_is_refused():
    with pytest.raises(NegativeAmountError) as error:
        bonus_separate_tax(d(-1))
    assert error.value.field == "bonus"


# --- Special additional deductions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "monthly"),
    [
        # 国发〔2023〕13号 standards.
        (AdditionalDeductionClaim(), "0.00"),
        (AdditionalDeductionClaim(children_in_education=2), "4000.00"),
        (
            AdditionalDeductionClaim(children_in_education=1, children_in_education_share=50),
            "1000.00",
        ),
        (AdditionalDeductionClaim(infants_under_3=1), "2000.00"),
        (AdditionalDeductionClaim(infants_under_3=1, infants_under_3_share=50), "1000.00"),
        (AdditionalDeductionClaim(is_only_child_supporting_elderly=True), "3000.00"),
        (AdditionalDeductionClaim(elderly_support_share=d(1500)), "1500.00"),
        (AdditionalDeductionClaim(elderly_support_share=d(1000)), "1000.00"),
        (AdditionalDeductionClaim(is_continuing_education_degree=True), "400.00"),
        (AdditionalDeductionClaim(is_housing_loan_interest=True), "1000.00"),
        (
            AdditionalDeductionClaim(is_housing_loan_interest=True, housing_loan_interest_share=50),
            "500.00",
        ),
        (AdditionalDeductionClaim(housing_rent_tier=RentTier.MAJOR_CITY), "1500.00"),
        (AdditionalDeductionClaim(housing_rent_tier=RentTier.LARGE_CITY), "1100.00"),
        (AdditionalDeductionClaim(housing_rent_tier=RentTier.OTHER_CITY), "800.00"),
        # One child at school (2,000), half an infant (1,000), only child (3,000), rent in a
        # provincial capital (1,500): 7,500.
        (
            AdditionalDeductionClaim(
                children_in_education=1,
                infants_under_3=1,
                infants_under_3_share=50,
                is_only_child_supporting_elderly=True,
                housing_rent_tier=RentTier.MAJOR_CITY,
            ),
            "7500.00",
        ),
    ],
)
def test_additional_deduction_monthly_uses_the_2023_standards(
    claim: AdditionalDeductionClaim, monthly: str
):
    assert additional_deduction_monthly(claim) == d(monthly)


def test_rent_and_loan_interest_together_are_refused():
    with pytest.raises(RentWithLoanInterestError) as error:
        AdditionalDeductionClaim(
            is_housing_loan_interest=True, housing_rent_tier=RentTier.LARGE_CITY
        )
    assert error.value.field == "housing_rent_tier"


def test_an_elderly_share_over_1500_for_a_non_only_child_is_refused():
    with pytest.raises(ElderlyShareOverCapError) as error:
        AdditionalDeductionClaim(elderly_support_share=d("1500.01"))
    assert error.value.field == "elderly_support_share"


def test_an_only_child_claiming_a_share_as_well_is_refused():
    with pytest.raises(ElderlyShareForOnlyChildError) as error:
        AdditionalDeductionClaim(
            is_only_child_supporting_elderly=True, elderly_support_share=d(1500)
        )
    assert error.value.field == "elderly_support_share"


def test_a_negative_elderly_share_is_refused():
    with pytest.raises(NegativeAmountError) as error:
        AdditionalDeductionClaim(elderly_support_share=d(-1))
    assert error.value.field == "elderly_support_share"


@pytest.mark.parametrize(
    "field", ["children_in_education_share", "infants_under_3_share", "housing_loan_interest_share"]
)
@pytest.mark.parametrize("share", [0, 30, 75, 101])
def test_a_share_other_than_100_or_50_is_refused(field: str, share: int):
    with pytest.raises(InvalidShareError) as error:
        AdditionalDeductionClaim(**{field: share})  # type: ignore[arg-type]
    assert error.value.field == field


@pytest.mark.parametrize("field", ["children_in_education", "infants_under_3"])
def test_a_negative_number_of_children_is_refused(field: str):
    with pytest.raises(NegativeCountError) as error:
        AdditionalDeductionClaim(**{field: -1})  # type: ignore[arg-type]
    assert error.value.field == field


def test_additional_deductions_feed_monthly_withholding():
    claim = AdditionalDeductionClaim(
        children_in_education=1, children_in_education_share=50, elderly_support_share=d(1000)
    )
    result = withhold_year(
        year=2024,
        incomes=[d(30000)] * 3,
        special_deductions=d(4500),
        additional_deductions=additional_deduction_monthly(claim),
    )
    # The official example's 2,000 is exactly this claim: same withholdings.
    assert withholdings(result.months) == [d(555), d(625), d(1850)]
