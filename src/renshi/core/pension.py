"""Statutory retirement and the basic pension estimate for enterprise employees (企业职工).

Sources, with the confidence marks of ``shared/reference/china-payroll-facts.md``:

* Retirement age: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (adopted
  2024-09-13, in force 2025-01-01) and its annexes 1 and 2 (《国务院关于渐进式延迟法定退休年龄的
  办法》: the birth-month tables and the minimum contribution years) [R: the decision's text and
  many public calculators agree; the annex tables were re-derived here, not transcribed].
* Benefit formula and the months divisor: 国务院关于完善企业职工基本养老保险制度的决定,
  国发〔2005〕38号, art. 6 and its annex 《个人账户养老金计发月数表》 [R].
* Contribution index band: the personal contribution base is clamped to 60%–300% of the average
  wage (国办发〔2019〕13号《降低社会保险费率综合方案》, part 3), so the average index of a full
  career lies in [0.6, 3] [R].

Not modelled: the transitional pension (过渡性养老金) for service before the personal accounts,
flexible early or late retirement (弹性退休, 人社部发〔2024〕94号), and provincial adjustments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import ClassVar

from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month

ONE_PERCENT = Decimal("0.01")
# Employee pension contribution, all of it credited to the personal account (国发〔2005〕38号
# art. 4; reference facts §2) [R].
PERSONAL_ACCOUNT_RATE = Decimal("0.08")
# 60%–300% band of the contribution base (国办发〔2019〕13号); the index may sit below 0.6 for
# careers with periods under older, lower floors, so only the upper bound is the band's.
MAX_CONTRIBUTION_INDEX = Decimal("3")
MAX_CONTRIBUTION_YEARS = Decimal("60")
MONTHS_PER_YEAR = 12


# --- Retirement age -------------------------------------------------------------------------


class RetirementCategory(enum.StrEnum):
    """Who retires at which original age; the value is the name used in data files."""

    MALE = "male"  # 男职工, originally 60
    FEMALE_CADRE = (
        "female_cadre"  # 原法定退休年龄为五十五周岁的女职工 (管理、技术岗位), originally 55
    )
    FEMALE_WORKER = "female_worker"  # 原法定退休年龄为五十周岁的女职工 (生产岗位), originally 50


@dataclass(frozen=True, slots=True)
class _DelaySchedule:
    original_age_years: int
    first_delayed_birth: Month  # births from this month retire later
    birth_months_per_delay_month: int  # 每四个月延迟一个月 / 每二个月延迟一个月
    max_delay_months: int


# The decision, art. 1 and annex 1: men 60 → 63 and women 55 → 58 one month later per four
# months of birth from births in 1965-01 / 1970-01 (cap 36 months); women 50 → 55 one month per
# two months from births in 1975-01 (cap 60). Derived boundaries, matching annex 1's tables as
# reproduced by public calculators [R]: men reach 63 from births in 1976-09, women cadres 58
# from 1981-09, women workers 55 from 1984-11.
_SCHEDULES: dict[RetirementCategory, _DelaySchedule] = {
    RetirementCategory.MALE: _DelaySchedule(60, Month(1965, 1), 4, 36),
    RetirementCategory.FEMALE_CADRE: _DelaySchedule(55, Month(1970, 1), 4, 36),
    RetirementCategory.FEMALE_WORKER: _DelaySchedule(50, Month(1975, 1), 2, 60),
}


@dataclass(frozen=True, slots=True)
class Retirement:
    """A statutory retirement: the age in years and months, the month, and the reform's delay."""

    category: RetirementCategory
    birth: Month
    original_age_years: int
    delay_months: int
    age_years: int  # completed years at retirement
    age_extra_months: int  # months beyond ``age_years`` (0–11)
    month: Month  # the month the pension starts: birth month + age in months

    @property
    def age_in_months(self) -> int:
        return self.age_years * MONTHS_PER_YEAR + self.age_extra_months


def statutory_retirement(*, birth: Month, category: RetirementCategory) -> Retirement:
    """The statutory retirement of someone born in ``birth`` under the 2025 reform.

    Born 1965-01, male: 60 years 1 month, retiring 2025-02 (the decision's annex 1, first row).
    Born 1960-05, male: unaffected, 60 years, retiring 2020-05.
    """
    schedule = _SCHEDULES[category]
    months_after_start = schedule.first_delayed_birth.months_until(birth)
    if months_after_start < 0:
        delay = 0
    else:
        steps = months_after_start // schedule.birth_months_per_delay_month + 1
        delay = min(steps, schedule.max_delay_months)
    age_in_months = schedule.original_age_years * MONTHS_PER_YEAR + delay
    return Retirement(
        category=category,
        birth=birth,
        original_age_years=schedule.original_age_years,
        delay_months=delay,
        age_years=age_in_months // MONTHS_PER_YEAR,
        age_extra_months=age_in_months % MONTHS_PER_YEAR,
        month=birth.add(age_in_months),
    )


# Annex 2 of the decision: 15 years through 2029, then six months more each year from 2030
# until 20 years in 2039 [R].
_MINIMUM_YEARS_BASE = Decimal("15")
_MINIMUM_YEARS_CAP = Decimal("20")
_MINIMUM_YEARS_LAST_FLAT_YEAR = 2029
_MINIMUM_YEARS_STEP = Decimal("0.5")


def minimum_contribution_years(retirement_year: int) -> Decimal:
    """最低缴费年限 for a pension that starts in ``retirement_year``.

    Before 2025 the figure is the 15 years of 社会保险法 art. 16, the same as 2025–2029.
    """
    extra_years = max(retirement_year - _MINIMUM_YEARS_LAST_FLAT_YEAR, 0)
    return min(_MINIMUM_YEARS_BASE + _MINIMUM_YEARS_STEP * extra_years, _MINIMUM_YEARS_CAP)


# --- Months divisor -------------------------------------------------------------------------

# 国发〔2005〕38号 annex, 个人账户养老金计发月数表, retirement ages 40…70 [R] (reference facts
# §4). At least one public calculator prints 94, 87, 80, 73, 67 for ages 66–70; we keep 93, 84,
# 75, 65, 56 from the reference, but the annex is published as an image and the 66–70 figures
# were not re-checked against it here [U]. Statutory ages stop at 63, so only manual uses reach
# them.
MONTHS_DIVISOR_BY_AGE: dict[int, int] = dict(
    zip(
        range(40, 71),
        (
            233, 230, 226, 223, 220, 216, 212, 207, 204, 199,  # 40–49
            195, 190, 185, 180, 175, 170, 164, 158, 152, 145,  # 50–59
            139, 132, 125, 117, 109, 101, 93, 84, 75, 65,  # 60–69
            56,  # 70
        ),
        strict=True,
    )
)  # fmt: skip


class DivisorRule(enum.StrEnum):
    """How a retirement age with extra months maps onto the whole-year divisor table.

    The annex lists whole years only and no national rule for ages such as 60 years 5 months
    has been found [U]. One local answer (Jinan's 12345 hotline, as reported in a public
    project's notes) interpolates month by month; that is a local practice, not adopted here.
    Completed years (周岁) is the reading of the annex as written and gives the larger divisor,
    hence the smaller, conservative personal-account pension.
    """

    COMPLETED_YEARS = "completed_years"


DIVISOR_RULE = DivisorRule.COMPLETED_YEARS


def months_divisor(*, age_in_months: int) -> int:
    """计发月数 for a retirement at ``age_in_months`` (60 years 5 months is 725), by completed
    years (``DIVISOR_RULE``)."""
    age_years = age_in_months // MONTHS_PER_YEAR
    divisor = MONTHS_DIVISOR_BY_AGE.get(age_years)
    if divisor is None:
        raise RetirementAgeOutOfTableError(field="age_in_months", value=age_in_months)
    return divisor


# --- Errors ---------------------------------------------------------------------------------


class PensionInputError(CoreError):
    """An input the estimate refuses; ``field`` names it, ``template`` is the message."""

    template: ClassVar[str] = gettext_noop("{field}: '{value}' is not accepted")

    def __init__(self, *, field: str, value: object) -> None:
        self.value = value
        super().__init__(field=field, value=value)


class NotFiniteError(PensionInputError):
    template = gettext_noop("{field}: '{value}' is not a finite number")


class NonPositiveWageError(PensionInputError):
    template = gettext_noop("{field}: the average wage must be above zero, not '{value}'")


class NegativeBalanceError(PensionInputError):
    template = gettext_noop("{field}: the account balance cannot be negative ('{value}')")


class ContributionIndexOutOfRangeError(PensionInputError):
    template = gettext_noop(
        "{field}: the average contribution index must be above 0 and at most 3 "
        "(the 60%–300% base band), not '{value}'"
    )


class ContributionYearsOutOfRangeError(PensionInputError):
    template = gettext_noop("{field}: contribution years must be between 0 and 60, not '{value}'")


class NegativeGapMonthsError(PensionInputError):
    template = gettext_noop("{field}: the gap cannot be a negative number of months ('{value}')")


class MissingGapBaseError(PensionInputError):
    template = gettext_noop("{field}: a gap of {value} months needs the base it would have had")


class NonPositiveGapBaseError(PensionInputError):
    template = gettext_noop(
        "{field}: the gap's contribution base must be above zero, not '{value}'"
    )


class RetirementAgeOutOfTableError(PensionInputError):
    template = gettext_noop("{field}: {value} months is outside the divisor table's ages 40 to 70")


# --- Estimate -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinimumYearsWarning:
    """The years given fall short of the minimum: the pension is not payable monthly yet.

    Under the reform such a person may keep contributing (or pay in a lump sum) until the
    minimum is reached (the decision, art. 2; annex 2, art. 4) [R].
    """

    template: ClassVar[str] = gettext_noop(
        "{field}: {years} contribution years are below the minimum of {minimum} for a pension "
        "starting in {year}"
    )
    field: ClassVar[str] = "contribution_years"

    years: Decimal
    minimum: Decimal
    retirement_year: int

    def message(self) -> Message:
        return Message(
            self.template,
            {
                "field": self.field,
                "years": self.years,
                "minimum": self.minimum,
                "year": self.retirement_year,
            },
        )


@dataclass(frozen=True, slots=True)
class GapCost:
    """What missing contribution months cost, against having contributed them.

    The estimate itself uses the figures as given; this compares it with the same career plus
    the gap months, at the same average index (a simplification: a gap base far from the
    average wage would also move the index a little).
    """

    months: int
    base: Decimal
    personal_account_shortfall: Decimal  # base × 8% × months
    personal_account_pension_loss: Decimal  # a month: shortfall ÷ divisor
    basic_pension_loss: Decimal  # a month: months ÷ 12 fewer years in the basic formula
    monthly_loss: Decimal
    loss_over_divisor_months: Decimal  # monthly loss × divisor


@dataclass(frozen=True, slots=True)
class PensionEstimate:
    retirement: Retirement
    divisor: int
    divisor_rule: DivisorRule
    basic_pension: Decimal
    personal_account_pension: Decimal
    total_pension: Decimal  # the exact parts summed, then rounded: may differ from the
    # rounded parts' sum by a cent
    minimum_contribution_years: Decimal
    is_minimum_years_met: bool
    warnings: tuple[MinimumYearsWarning, ...]
    gap_cost: GapCost | None


def _require_finite(value: Decimal, *, field: str) -> None:
    if not value.is_finite():
        raise NotFiniteError(field=field, value=value)


def _basic_pension(*, average_wage: Decimal, index: Decimal, years: Decimal) -> Decimal:
    # 国发〔2005〕38号 art. 6: (当地上年度在岗职工月平均工资 + 本人指数化月平均缴费工资) ÷ 2
    # × 缴费年限 × 1%, where the indexed wage is the average wage × the average index.
    return (average_wage + average_wage * index) / 2 * years * ONE_PERCENT


def _validate(
    *,
    average_wage: Decimal,
    contribution_index: Decimal,
    contribution_years: Decimal,
    account_balance: Decimal,
    gap_months: int,
    gap_base: Decimal | None,
) -> None:
    for field, value in (
        ("average_wage", average_wage),
        ("contribution_index", contribution_index),
        ("contribution_years", contribution_years),
        ("account_balance", account_balance),
    ):
        _require_finite(value, field=field)
    if average_wage <= ZERO:
        raise NonPositiveWageError(field="average_wage", value=average_wage)
    if account_balance < ZERO:
        raise NegativeBalanceError(field="account_balance", value=account_balance)
    if not ZERO < contribution_index <= MAX_CONTRIBUTION_INDEX:
        raise ContributionIndexOutOfRangeError(field="contribution_index", value=contribution_index)
    if not ZERO <= contribution_years <= MAX_CONTRIBUTION_YEARS:
        raise ContributionYearsOutOfRangeError(field="contribution_years", value=contribution_years)
    if gap_months < 0:
        raise NegativeGapMonthsError(field="gap_months", value=gap_months)
    if gap_months > 0:
        if gap_base is None:
            raise MissingGapBaseError(field="gap_base", value=gap_months)
        _require_finite(gap_base, field="gap_base")
        if gap_base <= ZERO:
            raise NonPositiveGapBaseError(field="gap_base", value=gap_base)


def pension_estimate(
    *,
    birth: Month,
    category: RetirementCategory,
    average_wage: Decimal,
    contribution_index: Decimal,
    contribution_years: Decimal,
    account_balance: Decimal,
    gap_months: int = 0,
    gap_base: Decimal | None = None,
) -> PensionEstimate:
    """The monthly basic pension at the statutory retirement age, and what a gap costs.

    ``average_wage`` is the province's pension base at retirement (计发基数), ``contribution_index``
    the average contribution index, ``contribution_years`` includes deemed years (视同缴费年限),
    ``account_balance`` is the personal account at retirement. Amounts are rounded to the cent
    only where published; intermediate values stay unrounded.
    """
    _validate(
        average_wage=average_wage,
        contribution_index=contribution_index,
        contribution_years=contribution_years,
        account_balance=account_balance,
        gap_months=gap_months,
        gap_base=gap_base,
    )
    retirement = statutory_retirement(birth=birth, category=category)
    divisor = months_divisor(age_in_months=retirement.age_in_months)

    basic = _basic_pension(
        average_wage=average_wage, index=contribution_index, years=contribution_years
    )
    personal = account_balance / divisor

    minimum = minimum_contribution_years(retirement.month.year)
    is_minimum_met = contribution_years >= minimum
    warnings: tuple[MinimumYearsWarning, ...] = ()
    if not is_minimum_met:
        warnings = (
            MinimumYearsWarning(
                years=contribution_years,
                minimum=minimum,
                retirement_year=retirement.month.year,
            ),
        )

    gap_cost = None
    if gap_months > 0 and gap_base is not None:  # _validate refused a gap without a base
        gap_cost = _gap_cost(
            months=gap_months,
            base=gap_base,
            divisor=divisor,
            average_wage=average_wage,
            contribution_index=contribution_index,
        )

    return PensionEstimate(
        retirement=retirement,
        divisor=divisor,
        divisor_rule=DIVISOR_RULE,
        basic_pension=round_cent(basic),
        personal_account_pension=round_cent(personal),
        # The total is the sum of the two published parts, so the figures shown add up.
        total_pension=round_cent(basic) + round_cent(personal),
        minimum_contribution_years=minimum,
        is_minimum_years_met=is_minimum_met,
        warnings=warnings,
        gap_cost=gap_cost,
    )


def _gap_cost(
    *,
    months: int,
    base: Decimal,
    divisor: int,
    average_wage: Decimal,
    contribution_index: Decimal,
) -> GapCost:
    shortfall = base * PERSONAL_ACCOUNT_RATE * months
    personal_loss = shortfall / divisor
    basic_loss = _basic_pension(
        average_wage=average_wage,
        index=contribution_index,
        years=Decimal(months) / MONTHS_PER_YEAR,
    )
    monthly_loss = personal_loss + basic_loss
    return GapCost(
        months=months,
        base=base,
        personal_account_shortfall=round_cent(shortfall),
        personal_account_pension_loss=round_cent(personal_loss),
        basic_pension_loss=round_cent(basic_loss),
        monthly_loss=round_cent(monthly_loss),
        loss_over_divisor_months=round_cent(monthly_loss * divisor),
    )


# --- Career projection (the portal's simulator) ---------------------------------------------

# 国办发〔2019〕13号 sets the contribution-base ceiling at 300% of the average wage used for
# contribution bases (全口径城镇单位就业人员平均工资), so a city's pension ceiling ÷ 3 gives that
# average back. It approximates the pension base at retirement (计发基数), which each province
# publishes separately and which may differ [U]; the simulator shows it as a default to change.
CEILING_TO_AVERAGE_WAGE = MAX_CONTRIBUTION_INDEX


class ProjectedYearsOutOfRangeError(PensionInputError):
    template = gettext_noop(
        "{field}: with these years the career would add up to {value} contribution years, more "
        "than 60"
    )


def average_wage_from_ceiling(ceiling: Decimal) -> Decimal:
    """The average wage implied by a contribution-base ceiling (300% of it), to the cent."""
    _require_finite(ceiling, field="ceiling")
    if ceiling <= ZERO:
        raise NonPositiveWageError(field="ceiling", value=ceiling)
    return round_cent(ceiling / CEILING_TO_AVERAGE_WAGE)


@dataclass(frozen=True, slots=True)
class CareerProjection:
    """A career so far plus the years still to come, as ``pension_estimate`` takes it.

    Future contributions are at today's average wage (figures in today's money) and earn no
    interest (记账利率 is not modelled): both keep the estimate on the low side.
    """

    contribution_years: Decimal
    contribution_index: Decimal  # the years-weighted average of the past and future indexes
    account_balance: Decimal
    future_contributions: Decimal  # the part of ``account_balance`` still to be paid in


def career_projection(
    *,
    average_wage: Decimal,
    years_so_far: Decimal,
    index_so_far: Decimal,
    account_so_far: Decimal,
    future_years: Decimal,
    future_index: Decimal,
) -> CareerProjection:
    """Combine what has been contributed with ``future_years`` more at ``future_index``.

    Each future year adds average wage × index × 8% × 12 to the personal account (国发〔2005〕38号
    art. 4) [R]. Errors name the parameter at fault, as ``pension_estimate``'s do.
    """
    for field, value in (
        ("average_wage", average_wage),
        ("years_so_far", years_so_far),
        ("index_so_far", index_so_far),
        ("account_so_far", account_so_far),
        ("future_years", future_years),
        ("future_index", future_index),
    ):
        _require_finite(value, field=field)
    if average_wage <= ZERO:
        raise NonPositiveWageError(field="average_wage", value=average_wage)
    for field, index in (("index_so_far", index_so_far), ("future_index", future_index)):
        if not ZERO < index <= MAX_CONTRIBUTION_INDEX:
            raise ContributionIndexOutOfRangeError(field=field, value=index)
    for field, years in (("years_so_far", years_so_far), ("future_years", future_years)):
        if not ZERO <= years <= MAX_CONTRIBUTION_YEARS:
            raise ContributionYearsOutOfRangeError(field=field, value=years)
    if account_so_far < ZERO:
        raise NegativeBalanceError(field="account_so_far", value=account_so_far)
    total_years = years_so_far + future_years
    if total_years > MAX_CONTRIBUTION_YEARS:
        raise ProjectedYearsOutOfRangeError(field="future_years", value=total_years)

    if total_years == ZERO:
        index = future_index
    else:
        index = (index_so_far * years_so_far + future_index * future_years) / total_years
    future = average_wage * future_index * PERSONAL_ACCOUNT_RATE * MONTHS_PER_YEAR * future_years
    return CareerProjection(
        contribution_years=total_years,
        contribution_index=index,
        account_balance=account_so_far + round_cent(future),
        future_contributions=round_cent(future),
    )


def minimum_years_shortfall_months(*, contributed_months: int, minimum_years: Decimal) -> int:
    """Months still missing to reach ``minimum_years`` (0 when reached); a part month counts as
    a whole one, since contributions are paid by the month."""
    missing = minimum_years * MONTHS_PER_YEAR - contributed_months
    if missing <= 0:
        return 0
    return int(missing.to_integral_value(rounding=ROUND_CEILING))
