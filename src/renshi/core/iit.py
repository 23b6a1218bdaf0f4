"""Individual income tax (个人所得税) on wages: cumulative withholding and the annual bonus.

Everything here is a pure function over frozen dataclasses and ``Decimal``. A monthly payroll
run keeps one :class:`IitCumulative` per employee and year, hands the previous month's state to
:func:`withhold_month`, and saves the state it gets back; :func:`withhold_year` runs the same
step over a whole year for reports and tests.

Special additional deductions (专项附加扣除) are computed in :mod:`renshi.core.iit_deductions`
and arrive here as one monthly amount.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# --- Errors -------------------------------------------------------------------------------

NOT_AN_AMOUNT = gettext_noop("{field}: '{value}' is not a decimal amount")
NEGATIVE_AMOUNT = gettext_noop("{field}: {value} must not be negative")
MONTH_OUT_OF_RANGE = gettext_noop("{field}: month {value} is not between 1 and 12")
YEAR_OUT_OF_RANGE = gettext_noop(
    "{field}: year {value} is outside 2019-2100; cumulative withholding began in 2019"
)
TOO_MANY_MONTHS = gettext_noop(
    "{field}: {value} months do not fit in a year that starts in month {start_month}"
)
MONTH_NOT_EXPECTED = gettext_noop("{field}: got {value}, expected {expected}")
MONTH_NOT_AFTER_PREVIOUS = gettext_noop(
    "{field}: {value} does not come after the last month withheld, {year}-{last_month:02d}"
)
UNDER_60K_NEEDS_WHOLE_PREVIOUS_YEAR = gettext_noop(
    "{field}: the 60,000 basic deduction needs a whole previous year with this employer, "
    "so employment cannot start in month {value}"
)
UNDER_60K_WITH_FIRST_JOB = gettext_noop(
    "{field}: the 60,000 basic deduction needs a whole previous year with this employer, "
    "so it cannot be this year's first job"
)
DEDUCTIONS_GIVEN_TWICE = gettext_noop(
    "{field}: give deductions either in each month's input or as an argument, not both"
)
BONUS_POLICY_EXPIRED = gettext_noop(
    "{field}: separate taxation of the annual bonus ended on {valid_through}-12-31; "
    "in {value} the bonus is merged into the year's wages"
)


class IitError(CoreError):
    """Base of every IIT error. ``template`` is the untranslated message constant and
    ``params`` (``field``, ``value`` and any detail) fill it in."""


class IitInputError(IitError):
    """An input the tax rules cannot be applied to: malformed, out of range or contradictory."""


class NotAnAmountError(IitInputError):
    template = NOT_AN_AMOUNT


class NegativeAmountError(IitInputError):
    template = NEGATIVE_AMOUNT


class MonthOutOfRangeError(IitInputError):
    template = MONTH_OUT_OF_RANGE


class YearOutOfRangeError(IitInputError):
    template = YEAR_OUT_OF_RANGE


class TooManyMonthsError(IitInputError):
    template = TOO_MANY_MONTHS


class UnexpectedMonthError(IitInputError):
    template = MONTH_NOT_EXPECTED


class MonthNotAfterPreviousError(IitInputError):
    template = MONTH_NOT_AFTER_PREVIOUS


class Under60kMidYearStartError(IitInputError):
    template = UNDER_60K_NEEDS_WHOLE_PREVIOUS_YEAR


class Under60kWithFirstJobError(IitInputError):
    template = UNDER_60K_WITH_FIRST_JOB


class DeductionsGivenTwiceError(IitInputError):
    template = DEDUCTIONS_GIVEN_TWICE


class BonusPolicyExpiredError(IitError):
    """Separate taxation of the annual one-time bonus is not available in the requested year."""

    template = BONUS_POLICY_EXPIRED


FIRST_YEAR = 2019  # 累计预扣法 applies to wages paid from 2019-01-01 (公告2018年第61号)
LAST_YEAR = 2100


def _check_amount(value: object, *, field: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise NotAnAmountError(field=field, value=value)
    if value < ZERO:
        raise NegativeAmountError(field=field, value=value)


_AMOUNT_FIELDS: dict[type, tuple[str, ...]] = {}


def _check_amount_fields(instance: DataclassInstance) -> None:
    """Check every field annotated ``Decimal`` (annotations are strings here)."""
    names = _AMOUNT_FIELDS.get(type(instance))
    if names is None:  # found once per class: this runs for every payslip of a payroll run
        names = tuple(field.name for field in fields(instance) if field.type == "Decimal")
        _AMOUNT_FIELDS[type(instance)] = names
    for name in names:
        _check_amount(getattr(instance, name), field=name)


def _check_year(year: int, *, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRangeError(field=field, value=year)


def _check_month_number(month: int, *, field: str) -> None:
    if not 1 <= month <= 12:
        raise MonthOutOfRangeError(field=field, value=month)


# --- Rate tables --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaxBracket:
    """One row of a progressive table; ``upper`` is inclusive, ``None`` means no bound."""

    upper: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


@dataclass(frozen=True, slots=True)
class RateTable:
    """A progressive rate table with its legal source."""

    name: str
    source: str
    brackets: tuple[TaxBracket, ...]

    def bracket_for(self, amount: Decimal, *, scale: int = 1) -> TaxBracket:
        """The bracket holding ``amount``; with ``scale`` the bounds are multiplied first.

        ``scale=12`` looks up ``amount ÷ 12`` without dividing, so a bonus of exactly
        36,000.00 stays in the first bracket and 36,000.01 does not.
        """
        for bracket in self.brackets:
            if bracket.upper is None or amount <= bracket.upper * scale:
                return bracket
        raise AssertionError("the last bracket of a rate table has no upper bound")


def _bracket(upper: str | None, rate: str, quick_deduction: str) -> TaxBracket:
    return TaxBracket(
        upper=None if upper is None else Decimal(upper),
        rate=Decimal(rate),
        quick_deduction=Decimal(quick_deduction),
    )


ANNUAL_TABLE = RateTable(
    name="个人所得税预扣率表一（居民个人工资、薪金所得预扣预缴适用）",
    # The comprehensive-income table of the IIT law (2018 amendment), applied to cumulative
    # taxable income for withholding by 国家税务总局公告2018年第61号, 附件 预扣率表一.
    source="国家税务总局公告2018年第61号 附件 个人所得税预扣率表一",
    brackets=(
        _bracket("36000", "0.03", "0"),
        _bracket("144000", "0.10", "2520"),
        _bracket("300000", "0.20", "16920"),
        _bracket("420000", "0.25", "31920"),
        _bracket("660000", "0.30", "52920"),
        _bracket("960000", "0.35", "85920"),
        _bracket(None, "0.45", "181920"),
    ),
)

MONTHLY_TABLE = RateTable(
    name="按月换算后的综合所得税率表（全年一次性奖金单独计税适用）",
    # 财税〔2018〕164号 art. 1(一): the bonus ÷ 12 picks the row; extended to 2027-12-31 by
    # 财政部 税务总局公告2023年第30号.
    source="财税〔2018〕164号 附件 按月换算后的综合所得税率表; 财政部 税务总局公告2023年第30号",
    brackets=(
        _bracket("3000", "0.03", "0"),
        _bracket("12000", "0.10", "210"),
        _bracket("25000", "0.20", "1410"),
        _bracket("35000", "0.25", "2660"),
        _bracket("55000", "0.30", "4410"),
        _bracket("80000", "0.35", "7160"),
        _bracket(None, "0.45", "15160"),
    ),
)

BONUS_SEPARATE_TAXATION_VALID_THROUGH = 2027  # 财政部 税务总局公告2023年第30号: to 2027-12-31


def annual_tax(taxable_income: Decimal) -> Decimal:
    """Tax on a year's (or a cumulative) comprehensive taxable income, to the cent.

    A taxable income of zero or less (deductions larger than income) owes nothing.
    """
    if not isinstance(taxable_income, Decimal) or not taxable_income.is_finite():
        raise NotAnAmountError(field="taxable_income", value=taxable_income)
    if taxable_income <= ZERO:
        return round_cent(ZERO)
    bracket = ANNUAL_TABLE.bracket_for(taxable_income)
    return round_cent(taxable_income * bracket.rate - bracket.quick_deduction)


# --- Cumulative withholding (累计预扣法) ----------------------------------------------------

MONTHLY_BASIC_DEDUCTION = Decimal("5000")  # 个人所得税法 art. 6: 60,000 a year, 5,000 a month
UNDER_60K_BASIC_DEDUCTION = Decimal("60000")  # 国家税务总局公告2020年第19号


class BasicDeductionRule(enum.StrEnum):
    """How the cumulative basic deduction (累计减除费用) grows through the year."""

    # 5,000 × months employed by this employer this year, counting the month of hire
    # (公告2018年第61号 art. 6).
    STANDARD = "standard"
    # First wage income of the year: 5,000 × every month from January to the current one
    # (国家税务总局公告2020年第13号).
    FIRST_JOB_THIS_YEAR = "first_job_this_year"
    # Withheld by this employer every month of the previous year with wages ≤ 60,000: the full
    # 60,000 from January on (国家税务总局公告2020年第19号).
    UNDER_60K = "under_60k"


@dataclass(frozen=True, slots=True)
class MonthlyIitInput:
    """One month's wage and deductions, as fetched for a payroll run.

    ``special_deductions`` is the employee's share of social insurance and housing fund
    (三险一金); ``additional_deductions`` the month's special additional deductions
    (专项附加扣除, see :mod:`renshi.core.iit_deductions`); ``tax_relief`` the month's 减免税额.
    """

    month: Month
    income: Decimal
    tax_free_income: Decimal = ZERO
    special_deductions: Decimal = ZERO
    additional_deductions: Decimal = ZERO
    other_deductions: Decimal = ZERO
    tax_relief: Decimal = ZERO

    def __post_init__(self) -> None:
        _check_year(self.month.year, field="month")
        _check_amount_fields(self)


@dataclass(frozen=True, slots=True)
class IitCumulative:
    """An employee's year-to-date state at one employer, after ``last_month`` was withheld.

    ``first_month`` is the first month withheld here this year (the month of hire, or January).
    Employment is taken as continuous from ``first_month``: a month without wages still counts
    for the basic deduction. ``basic_deduction`` is stored as computed, for the record; the next
    month recomputes it from the rule.
    """

    year: int
    first_month: int
    last_month: int
    income: Decimal
    tax_free_income: Decimal
    basic_deduction: Decimal
    special_deductions: Decimal
    additional_deductions: Decimal
    other_deductions: Decimal
    tax_relief: Decimal
    tax_withheld: Decimal

    def __post_init__(self) -> None:
        _check_year(self.year)
        _check_month_number(self.first_month, field="first_month")
        _check_month_number(self.last_month, field="last_month")
        if self.last_month < self.first_month:
            raise MonthNotAfterPreviousError(
                field="last_month",
                value=self.last_month,
                year=self.year,
                last_month=self.first_month,
            )
        _check_amount_fields(self)

    @classmethod
    def start(cls, *, year: int, first_month: int) -> IitCumulative:
        """The state before the first month withheld here this year."""
        return cls(year, first_month, first_month, *[ZERO] * 8)

    @property
    def months_employed(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def taxable_income(self) -> Decimal:
        """Cumulative taxable income; negative while deductions exceed income."""
        return (
            self.income
            - self.tax_free_income
            - self.basic_deduction
            - self.special_deductions
            - self.additional_deductions
            - self.other_deductions
        )


@dataclass(frozen=True, slots=True)
class IitMonthResult:
    """One month's withholding, the figures behind it, and the state to save for next month.

    ``cumulative_tax`` is cumulative taxable income × rate − quick deduction (zero when the
    taxable income is not positive), before relief and before what was already withheld.
    """

    month: Month
    income: Decimal
    cumulative_taxable_income: Decimal
    rate: Decimal
    quick_deduction: Decimal
    cumulative_tax: Decimal
    withholding: Decimal
    cumulative: IitCumulative


def basic_deduction(*, rule: BasicDeductionRule, first_month: int, month: int) -> Decimal:
    """Cumulative basic deduction (累计减除费用) in ``month`` for an employee first withheld in
    ``first_month`` this year."""
    _check_month_number(first_month, field="first_month")
    _check_month_number(month, field="month")
    if rule is BasicDeductionRule.UNDER_60K:
        return UNDER_60K_BASIC_DEDUCTION
    if rule is BasicDeductionRule.FIRST_JOB_THIS_YEAR:
        return MONTHLY_BASIC_DEDUCTION * month
    return MONTHLY_BASIC_DEDUCTION * (month - first_month + 1)


def withhold_month(
    *, previous: IitCumulative | None, month: MonthlyIitInput, rule: BasicDeductionRule
) -> IitMonthResult:
    """Withhold one month by the cumulative method (公告2018年第61号 art. 6).

    withholding = cumulative taxable × rate − quick deduction − cumulative relief − withheld so
    far; a negative result withholds 0, since nothing is refunded during the year (the annual
    settlement does that). ``previous`` is ``None`` in the first month withheld here this year.
    """
    current = month.month
    if previous is None:
        first_month = current.month
        if rule is BasicDeductionRule.UNDER_60K and first_month > 1:
            raise Under60kMidYearStartError(field="month", value=first_month)
        previous = IitCumulative.start(year=current.year, first_month=first_month)
    elif current.year != previous.year or current.month <= previous.last_month:
        raise MonthNotAfterPreviousError(
            field="month",
            value=current,
            year=previous.year,
            last_month=previous.last_month,
        )

    cumulative = IitCumulative(
        year=current.year,
        first_month=previous.first_month,
        last_month=current.month,
        income=previous.income + month.income,
        tax_free_income=previous.tax_free_income + month.tax_free_income,
        basic_deduction=basic_deduction(
            rule=rule, first_month=previous.first_month, month=current.month
        ),
        special_deductions=previous.special_deductions + month.special_deductions,
        additional_deductions=previous.additional_deductions + month.additional_deductions,
        other_deductions=previous.other_deductions + month.other_deductions,
        tax_relief=previous.tax_relief + month.tax_relief,
        tax_withheld=previous.tax_withheld,
    )
    taxable = cumulative.taxable_income
    bracket = ANNUAL_TABLE.bracket_for(max(taxable, ZERO))
    cumulative_tax = annual_tax(taxable)
    due = round_cent(cumulative_tax - cumulative.tax_relief - previous.tax_withheld)
    withholding = max(due, round_cent(ZERO))
    return IitMonthResult(
        month=current,
        income=month.income,
        cumulative_taxable_income=taxable,
        rate=bracket.rate,
        quick_deduction=bracket.quick_deduction,
        cumulative_tax=cumulative_tax,
        withholding=withholding,
        cumulative=replace(cumulative, tax_withheld=previous.tax_withheld + withholding),
    )


@dataclass(frozen=True, slots=True)
class IitYearResult:
    """Every month withheld in a year at one employer, and the total withheld."""

    year: int
    months: tuple[IitMonthResult, ...]
    total: Decimal

    @property
    def final(self) -> IitCumulative | None:
        """The state after the last month, or ``None`` for a year without months."""
        return self.months[-1].cumulative if self.months else None


def _year_rule(
    *, start_month: int, is_first_job_this_year: bool, is_under_60k: bool
) -> BasicDeductionRule:
    if is_under_60k and is_first_job_this_year:
        raise Under60kWithFirstJobError(field="is_under_60k", value=True)
    if is_under_60k and start_month > 1:
        raise Under60kMidYearStartError(field="is_under_60k", value=start_month)
    if is_under_60k:
        return BasicDeductionRule.UNDER_60K
    if is_first_job_this_year:
        return BasicDeductionRule.FIRST_JOB_THIS_YEAR
    return BasicDeductionRule.STANDARD


def withhold_year(
    *,
    year: int,
    incomes: Sequence[Decimal] | Sequence[MonthlyIitInput],
    start_month: int = 1,
    special_deductions: Decimal = ZERO,
    additional_deductions: Decimal = ZERO,
    is_first_job_this_year: bool = False,
    is_under_60k: bool = False,
) -> IitYearResult:
    """Withhold consecutive months of one year, the first being ``start_month`` (the month of
    hire, or January).

    ``incomes`` is either plain monthly wages, with ``special_deductions`` (三险一金) and
    ``additional_deductions`` (专项附加扣除) the same every month, or one
    :class:`MonthlyIitInput` per month for anything that varies; then leave both at zero.
    """
    _check_year(year)
    _check_month_number(start_month, field="start_month")
    _check_amount(special_deductions, field="special_deductions")
    _check_amount(additional_deductions, field="additional_deductions")
    rule = _year_rule(
        start_month=start_month,
        is_first_job_this_year=is_first_job_this_year,
        is_under_60k=is_under_60k,
    )
    if len(incomes) > 13 - start_month:
        raise TooManyMonthsError(field="incomes", value=len(incomes), start_month=start_month)

    inputs: list[MonthlyIitInput] = []
    for offset, item in enumerate(incomes):
        expected = Month(year, start_month + offset)
        if isinstance(item, MonthlyIitInput):
            if special_deductions or additional_deductions:
                raise DeductionsGivenTwiceError(field="incomes", value=item.month)
            if item.month != expected:
                raise UnexpectedMonthError(
                    field="incomes",
                    value=item.month,
                    expected=expected,
                )
            inputs.append(item)
        else:
            if not isinstance(item, Decimal):
                raise NotAnAmountError(field="incomes", value=item)
            _check_amount(item, field="incomes")
            inputs.append(
                MonthlyIitInput(
                    month=expected,
                    income=item,
                    special_deductions=special_deductions,
                    additional_deductions=additional_deductions,
                )
            )

    results: list[IitMonthResult] = []
    previous: IitCumulative | None = None
    for monthly in inputs:
        result = withhold_month(previous=previous, month=monthly, rule=rule)
        results.append(result)
        previous = result.cumulative
    total = sum((result.withholding for result in results), round_cent(ZERO))
    return IitYearResult(year=year, months=tuple(results), total=total)


# --- Annual one-time bonus (全年一次性奖金) -------------------------------------------------


class BonusMethod(enum.StrEnum):
    SEPARATE = "separate"  # 单独计税 (财税〔2018〕164号)
    MERGED = "merged"  # 并入当年综合所得


@dataclass(frozen=True, slots=True)
class BonusTax:
    """Tax on an annual bonus taxed on its own; rate and quick deduction from the monthly
    table at ``bonus ÷ 12``."""

    bonus: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class BonusComparison:
    """The year's tax with the bonus taxed separately versus merged into wages.

    ``difference`` is merged − separate: positive when separate taxation saves money.
    ``lower`` is ``None`` when both come to the same tax.
    """

    bonus: Decimal
    annual_taxable_without_bonus: Decimal
    bonus_tax: BonusTax
    separate_total: Decimal
    merged_total: Decimal
    difference: Decimal
    lower: BonusMethod | None


def _check_bonus_year(year: int | None) -> None:
    if year is None:
        return
    _check_year(year)
    if year > BONUS_SEPARATE_TAXATION_VALID_THROUGH:
        raise BonusPolicyExpiredError(
            field="year",
            value=year,
            valid_through=BONUS_SEPARATE_TAXATION_VALID_THROUGH,
        )


def bonus_separate_tax(amount: Decimal, *, year: int | None = None) -> BonusTax:
    """Tax on an annual one-time bonus taxed separately: bonus × rate − quick deduction.

    Separate taxation is allowed once per person per year, through 2027-12-31; pass ``year``
    to have that checked (``None`` skips the check).
    """
    _check_amount(amount, field="bonus")
    _check_bonus_year(year)
    bracket = MONTHLY_TABLE.bracket_for(amount, scale=12)
    tax = round_cent(max(amount * bracket.rate - bracket.quick_deduction, ZERO))
    return BonusTax(
        bonus=amount, rate=bracket.rate, quick_deduction=bracket.quick_deduction, tax=tax
    )


def bonus_compare(
    *, bonus: Decimal, annual_taxable_without_bonus: Decimal, year: int | None = None
) -> BonusComparison:
    """Compare the year's tax with the bonus separate (bonus tax + tax on the rest) and merged.

    ``annual_taxable_without_bonus`` may be negative: unused deductions then absorb part of a
    merged bonus.
    """
    bonus_tax = bonus_separate_tax(bonus, year=year)
    if not isinstance(annual_taxable_without_bonus, Decimal):
        raise NotAnAmountError(
            field="annual_taxable_without_bonus",
            value=annual_taxable_without_bonus,
        )
    separate_total = bonus_tax.tax + annual_tax(annual_taxable_without_bonus)
    merged_total = annual_tax(annual_taxable_without_bonus + bonus)
    difference = merged_total - separate_total
    lower: BonusMethod | None = None
    if difference > ZERO:
        lower = BonusMethod.SEPARATE
    elif difference < ZERO:
        lower = BonusMethod.MERGED
    return BonusComparison(
        bonus=bonus,
        annual_taxable_without_bonus=annual_taxable_without_bonus,
        bonus_tax=bonus_tax,
        separate_total=separate_total,
        merged_total=merged_total,
        difference=difference,
        lower=lower,
    )
