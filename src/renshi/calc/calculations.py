"""The calculators as the CLI, the API and the web pages call them: same inputs, same output.

Inputs arrive as text (command-line options, JSON strings, form fields) and are parsed here by
the core, so a bad value fails the same way everywhere, naming the field. Outputs are plain
dicts of strings, amounts with two decimals, the shape documented in the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from renshi.core.contributions import (
    ContributionLine,
    ContributionResult,
    HousingFundLine,
    calculate_contributions,
)
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.iit import (
    BasicDeductionRule,
    BonusComparison,
    BonusTax,
    IitYearResult,
    annual_tax,
    bonus_compare,
    bonus_separate_tax,
    withhold_year,
)
from renshi.core.iit_deductions import (
    AdditionalDeductionClaim,
    RentTier,
    additional_deduction_monthly,
)
from renshi.core.money import format_money, parse_money, parse_non_negative, round_cent
from renshi.core.months import Month
from renshi.core.pension import PensionEstimate, RetirementCategory, pension_estimate
from renshi.core.policy import INSURANCE_LABELS, Source
from renshi.policies.presenters import city_display_name
from renshi.policies.selectors import policy_library


class ChoiceError(CoreError):
    template = gettext_noop("{field}: '{value}' is not one of {choices}")


class IntegerError(CoreError):
    template = gettext_noop("{field}: '{value}' is not a whole number between {low} and {high}")


def parse_int(value: object, *, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise IntegerError(field=field, value=value, low=low, high=high) from None
    if not low <= number <= high:
        raise IntegerError(field=field, value=value, low=low, high=high)
    return number


def rate_text(rate: Decimal) -> str:
    """A rate as a plain decimal fraction without trailing zeros: ``0.16``, ``0.005``."""
    text = f"{rate.normalize():f}"
    return text if text != "-0" else "0"


def _sources(sources: Iterable[Source]) -> list[dict[str, str]]:
    return [
        {"id": s.id, "title": s.title, "publisher": s.publisher, "url": s.url, "date": s.date}
        for s in sources
    ]


def _messages(messages: Iterable[Message]) -> list[str]:
    return [message.render(gettext) for message in messages]


# --- social insurance and housing fund ---------------------------------------------------


def _si_line(line: ContributionLine) -> dict[str, Any]:
    return {
        "kind": line.kind.value,
        "label": gettext(INSURANCE_LABELS[line.kind]),
        "base": format_money(line.base),
        "clamped": line.clamped,
        "floor": format_money(line.floor),
        "ceiling": format_money(line.ceiling),
        "employer_rate": rate_text(line.employer_rate),
        "employee_rate": rate_text(line.employee_rate),
        "employer_fixed": format_money(line.employer_fixed),
        "employee_fixed": format_money(line.employee_fixed),
        "employer": format_money(line.employer),
        "employee": format_money(line.employee),
        "rounding": line.rounding.value,
        "work_injury_class": line.work_injury_class,
        "period": line.period,
        "sources": _sources(line.sources),
    }


def _hf_line(line: HousingFundLine) -> dict[str, Any]:
    return {
        "base": format_money(line.base),
        "clamped": line.clamped,
        "floor": format_money(line.floor),
        "ceiling": format_money(line.ceiling),
        "rate": rate_text(line.rate),
        "min_rate": rate_text(line.min_rate),
        "max_rate": rate_text(line.max_rate),
        "is_default_rate": line.is_default_rate,
        "employer": format_money(line.employer),
        "employee": format_money(line.employee),
        "rounding": line.rounding.value,
        "period": line.period,
        "sources": _sources(line.sources),
    }


def si_result_dict(result: ContributionResult, *, city_name: str) -> dict[str, Any]:
    return {
        "city": result.city,
        "city_name": city_name,
        "month": result.month,
        "wage": format_money(result.wage),
        "items": [_si_line(line) for line in result.items],
        "employer_total": format_money(result.employer_total),
        "employee_total": format_money(result.employee_total),
        "housing_fund": _hf_line(result.housing_fund),
        "with_housing_fund": {
            "employer_total": format_money(result.employer_total_with_housing_fund),
            "employee_total": format_money(result.employee_total_with_housing_fund),
        },
        "warnings": _messages(result.warnings),
    }


def calc_si(
    *,
    city: str,
    month: str,
    wage: object,
    base: object | None = None,
    housing_fund_rate: object | None = None,
    work_injury_class: str | None = None,
) -> dict[str, Any]:
    """Social insurance and housing fund for one wage, city and month."""
    library = policy_library()
    snapshot = library.lookup(city, Month.parse(month, field="month"))
    result = calculate_contributions(
        snapshot,
        wage=parse_non_negative(wage, field="wage"),
        base=None if base in (None, "") else parse_non_negative(base, field="base"),
        housing_fund_rate=(
            None
            if housing_fund_rate in (None, "")
            else parse_non_negative(housing_fund_rate, field="housing_fund_rate")
        ),
        work_injury_class=work_injury_class or None,
    )
    return si_result_dict(result, city_name=city_display_name(snapshot.policy))


# --- individual income tax ---------------------------------------------------------------


def iit_result_dict(result: IitYearResult, *, rule: BasicDeductionRule) -> dict[str, Any]:
    return {
        "year": result.year,
        "months": [
            {
                "month": str(entry.month),
                "income": format_money(entry.income),
                "cumulative_income": format_money(entry.cumulative.income),
                "cumulative_basic_deduction": format_money(entry.cumulative.basic_deduction),
                "cumulative_taxable_income": format_money(entry.cumulative_taxable_income),
                "rate": rate_text(entry.rate),
                "quick_deduction": format_money(entry.quick_deduction),
                "cumulative_tax": format_money(entry.cumulative_tax),
                "withholding": format_money(entry.withholding),
            }
            for entry in result.months
        ],
        "total": format_money(result.total),
        "rule": rule.value,
    }


def calc_iit(
    *,
    year: object,
    monthly_income: object,
    special_deductions: object = "0",
    additional_deductions: object = "0",
    start_month: object = 1,
    is_first_job_this_year: bool = False,
    is_under_60k: bool = False,
) -> dict[str, Any]:
    """Cumulative withholding for a year of equal monthly incomes from ``start_month``."""
    year_number = parse_int(year, field="year", low=2019, high=2100)
    first = parse_int(start_month, field="start_month", low=1, high=12)
    income = parse_non_negative(monthly_income, field="monthly_income")
    result = withhold_year(
        year=year_number,
        incomes=[income] * (13 - first),
        start_month=first,
        special_deductions=parse_non_negative(special_deductions, field="special_deductions"),
        additional_deductions=parse_non_negative(
            additional_deductions, field="additional_deductions"
        ),
        is_first_job_this_year=is_first_job_this_year,
        is_under_60k=is_under_60k,
    )
    rule = (
        BasicDeductionRule.UNDER_60K
        if is_under_60k
        else BasicDeductionRule.FIRST_JOB_THIS_YEAR
        if is_first_job_this_year
        else BasicDeductionRule.STANDARD
    )
    return iit_result_dict(result, rule=rule)


def bonus_result_dict(tax: BonusTax, comparison: BonusComparison | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "amount": format_money(tax.bonus),
        "monthly_equivalent": format_money(round_cent(tax.bonus / 12)),
        "rate": rate_text(tax.rate),
        "quick_deduction": format_money(tax.quick_deduction),
        "tax": format_money(tax.tax),
        "net": format_money(tax.bonus - tax.tax),
    }
    if comparison is not None:
        data["comparison"] = {
            "annual_taxable_without_bonus": format_money(comparison.annual_taxable_without_bonus),
            "separate_total_tax": format_money(comparison.separate_total),
            "merged_total_tax": format_money(comparison.merged_total),
            "difference": format_money(comparison.difference),
            "better": comparison.lower.value if comparison.lower is not None else "equal",
        }
    return data


def calc_bonus(
    *, amount: object, annual_taxable: object | None = None, year: object | None = None
) -> dict[str, Any]:
    """Annual one-time bonus by separate taxation, compared with merging when asked."""
    bonus = parse_non_negative(amount, field="amount")
    year_number = None if year in (None, "") else parse_int(year, field="year", low=2019, high=2100)
    tax = bonus_separate_tax(bonus, year=year_number)
    comparison = None
    if annual_taxable not in (None, ""):
        comparison = bonus_compare(
            bonus=bonus,
            annual_taxable_without_bonus=parse_money(annual_taxable, field="annual_taxable"),
            year=year_number,
        )
    return bonus_result_dict(tax, comparison)


def calc_annual_tax(*, taxable: object) -> dict[str, str]:
    amount = parse_money(taxable, field="taxable")
    return {"taxable": format_money(amount), "tax": format_money(annual_tax(amount))}


# --- pension -----------------------------------------------------------------------------

GENDER_CATEGORIES = {
    "male": RetirementCategory.MALE,
    "female": RetirementCategory.FEMALE_CADRE,
    "female_cadre": RetirementCategory.FEMALE_CADRE,
    "female_worker": RetirementCategory.FEMALE_WORKER,
}


def pension_result_dict(estimate: PensionEstimate) -> dict[str, Any]:
    retirement = estimate.retirement
    data: dict[str, Any] = {
        "category": retirement.category.value,
        "retirement_month": str(retirement.month),
        "retirement_age": {"years": retirement.age_years, "months": retirement.age_extra_months},
        "delay_months": retirement.delay_months,
        "divisor": estimate.divisor,
        "divisor_rule": estimate.divisor_rule.value,
        "basic": format_money(estimate.basic_pension),
        "personal": format_money(estimate.personal_account_pension),
        "total": format_money(estimate.total_pension),
        "minimum_contribution_years": f"{estimate.minimum_contribution_years:f}",
        "is_minimum_years_met": estimate.is_minimum_years_met,
        "warnings": _messages(w.message() for w in estimate.warnings),
    }
    gap = estimate.gap_cost
    if gap is not None:
        data["gap_cost"] = {
            "months": gap.months,
            "base": format_money(gap.base),
            "personal_account_shortfall": format_money(gap.personal_account_shortfall),
            "personal_pension_loss": format_money(gap.personal_account_pension_loss),
            "basic_pension_loss": format_money(gap.basic_pension_loss),
            "monthly_loss": format_money(gap.monthly_loss),
            "loss_over_divisor_months": format_money(gap.loss_over_divisor_months),
        }
    return data


def calc_pension(
    *,
    birth: str,
    gender: str,
    avg_wage: object,
    contribution_index: object,
    years: object,
    account_balance: object,
    gap_months: object = 0,
    gap_base: object | None = None,
) -> dict[str, Any]:
    """Retirement date, basic and personal-account pension, and the cost of a gap."""
    category = GENDER_CATEGORIES.get(str(gender).strip().lower())
    if category is None:
        raise ChoiceError(field="gender", value=gender, choices=", ".join(GENDER_CATEGORIES))
    estimate = pension_estimate(
        birth=Month.parse(birth, field="birth"),
        category=category,
        average_wage=parse_money(avg_wage, field="avg_wage"),
        contribution_index=parse_money(contribution_index, field="contribution_index"),
        contribution_years=parse_money(years, field="years"),
        account_balance=parse_money(account_balance, field="account_balance"),
        gap_months=parse_int(gap_months or 0, field="gap_months", low=0, high=720),
        gap_base=None if gap_base in (None, "") else parse_money(gap_base, field="gap_base"),
    )
    return pension_result_dict(estimate)


# --- special additional deductions (专项附加扣除, 2023 standards) --------------------------

RENT_TIERS = {
    "": None,
    "major": RentTier.MAJOR_CITY,
    "large": RentTier.LARGE_CITY,
    "other": RentTier.OTHER_CITY,
}


def calc_deductions(
    *,
    children: object = 0,
    children_share: object = 100,
    infants: object = 0,
    infants_share: object = 100,
    elderly_only_child: bool = False,
    elderly_share: object = "0",
    continuing_education: bool = False,
    housing_loan: bool = False,
    housing_loan_share: object = 100,
    rent_tier: str = "",
) -> dict[str, Any]:
    """The monthly special additional deductions an employee's declaration adds up to."""
    tier_key = (rent_tier or "").strip().lower()
    if tier_key not in RENT_TIERS:
        raise ChoiceError(field="rent_tier", value=rent_tier, choices="major, large, other")
    try:
        claim = _deduction_claim(
            children,
            children_share,
            infants,
            infants_share,
            elderly_only_child,
            elderly_share,
            continuing_education,
            housing_loan,
            housing_loan_share,
            RENT_TIERS[tier_key],
        )
    except CoreError as error:  # name the field as this interface calls it
        field = error.params.get("field")
        error.params["field"] = DEDUCTION_FIELDS.get(str(field), field)
        raise
    return {
        "monthly": format_money(additional_deduction_monthly(claim)),
        "standard": "国发〔2023〕13号",
    }


DEDUCTION_FIELDS = {
    "children_in_education": "children",
    "children_in_education_share": "children_share",
    "infants_under_3": "infants",
    "infants_under_3_share": "infants_share",
    "elderly_support_share": "elderly_share",
    "housing_loan_interest_share": "housing_loan_share",
    "housing_rent_tier": "rent_tier",
}


def _deduction_claim(
    children: object,
    children_share: object,
    infants: object,
    infants_share: object,
    elderly_only_child: bool,
    elderly_share: object,
    continuing_education: bool,
    housing_loan: bool,
    housing_loan_share: object,
    rent_tier: RentTier | None,
) -> AdditionalDeductionClaim:
    return AdditionalDeductionClaim(
        children_in_education=parse_int(children, field="children", low=0, high=20),
        children_in_education_share=parse_int(
            children_share, field="children_share", low=0, high=100
        ),
        infants_under_3=parse_int(infants, field="infants", low=0, high=20),
        infants_under_3_share=parse_int(infants_share, field="infants_share", low=0, high=100),
        is_only_child_supporting_elderly=elderly_only_child,
        elderly_support_share=parse_non_negative(elderly_share or "0", field="elderly_share"),
        is_continuing_education_degree=continuing_education,
        is_housing_loan_interest=housing_loan,
        housing_loan_interest_share=parse_int(
            housing_loan_share, field="housing_loan_share", low=0, high=100
        ),
        housing_rent_tier=rent_tier,
    )
