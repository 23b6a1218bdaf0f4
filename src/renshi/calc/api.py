"""``/api/v1/calc/``: the calculators over HTTP, with the CLI's inputs and outputs."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Router, Schema

from renshi.calc import calculations

router = Router(tags=["calculators"])

Amount = Annotated[str | int, Field(description='Decimal amount as a string, e.g. "50000"')]
MoneyOut = Annotated[str, Field(description='Amount with two decimals, e.g. "1500.00"')]


class SourceOut(Schema):
    id: str
    title: str
    publisher: str
    url: str
    date: str


class SiIn(Schema):
    city: str = Field(examples=["beijing"])
    month: str = Field(examples=["2025-08"], description="YYYY-MM")
    wage: Amount
    base: Amount | None = Field(None, description="declared base when it differs from the wage")
    housing_fund_rate: Amount | None = Field(None, description='e.g. "0.12"; default: city\'s')
    work_injury_class: str | None = None


class SiItemOut(Schema):
    kind: str
    label: str
    base: MoneyOut
    clamped: str | None
    floor: MoneyOut
    ceiling: MoneyOut
    employer_rate: str
    employee_rate: str
    employer_fixed: MoneyOut
    employee_fixed: MoneyOut
    employer: MoneyOut
    employee: MoneyOut
    rounding: str
    work_injury_class: str | None
    period: str
    sources: list[SourceOut]


class HousingFundOut(Schema):
    base: MoneyOut
    clamped: str | None
    floor: MoneyOut
    ceiling: MoneyOut
    rate: str
    min_rate: str
    max_rate: str
    is_default_rate: bool
    employer: MoneyOut
    employee: MoneyOut
    rounding: str
    period: str
    sources: list[SourceOut]


class TotalsOut(Schema):
    employer_total: MoneyOut
    employee_total: MoneyOut


class SiOut(Schema):
    city: str
    city_name: str
    month: str
    wage: MoneyOut
    items: list[SiItemOut]
    employer_total: MoneyOut
    employee_total: MoneyOut
    housing_fund: HousingFundOut
    with_housing_fund: TotalsOut
    warnings: list[str]


class IitIn(Schema):
    year: int = Field(examples=[2025])
    monthly_income: Amount
    special_deductions: Amount = "0"
    additional_deductions: Amount = "0"
    start_month: int = 1
    is_first_job_this_year: bool = False
    is_under_60k: bool = False


class IitMonthOut(Schema):
    month: str
    income: MoneyOut
    cumulative_income: MoneyOut
    cumulative_basic_deduction: MoneyOut
    cumulative_taxable_income: MoneyOut
    rate: str
    quick_deduction: MoneyOut
    cumulative_tax: MoneyOut
    withholding: MoneyOut


class IitOut(Schema):
    year: int
    months: list[IitMonthOut]
    total: MoneyOut
    rule: str


class BonusIn(Schema):
    amount: Amount
    annual_taxable: Amount | None = Field(
        None, description="annual taxable wage income without the bonus, to compare merging"
    )
    year: int | None = None


class BonusComparisonOut(Schema):
    annual_taxable_without_bonus: MoneyOut
    separate_total_tax: MoneyOut
    merged_total_tax: MoneyOut
    difference: MoneyOut
    better: str


class BonusOut(Schema):
    amount: MoneyOut
    monthly_equivalent: MoneyOut
    rate: str
    quick_deduction: MoneyOut
    tax: MoneyOut
    net: MoneyOut
    comparison: BonusComparisonOut | None = None


class PensionIn(Schema):
    birth: str = Field(examples=["1960-05"], description="YYYY-MM")
    gender: str = Field(examples=["male"], description="male, female (55), female_worker (50)")
    avg_wage: Amount
    contribution_index: Amount
    years: Amount
    account_balance: Amount
    gap_months: int = 0
    gap_base: Amount | None = None


class AgeOut(Schema):
    years: int
    months: int


class GapCostOut(Schema):
    months: int
    base: MoneyOut
    personal_account_shortfall: MoneyOut
    personal_pension_loss: MoneyOut
    basic_pension_loss: MoneyOut
    monthly_loss: MoneyOut
    loss_over_divisor_months: MoneyOut


class PensionOut(Schema):
    category: str
    retirement_month: str
    retirement_age: AgeOut
    delay_months: int
    divisor: int
    divisor_rule: str
    basic: MoneyOut
    personal: MoneyOut
    total: MoneyOut
    minimum_contribution_years: str
    is_minimum_years_met: bool
    warnings: list[str]
    gap_cost: GapCostOut | None = None


class DeductionsIn(Schema):
    children: int = Field(0, description="children in education (2,000 each a month)")
    children_share: int = Field(100, description="100 or 50 (split between parents)")
    infants: int = Field(0, description="children under 3 (2,000 each a month)")
    infants_share: int = 100
    elderly_only_child: bool = Field(False, description="only child supporting parents: 3,000")
    elderly_share: Amount = Field("0", description="a sibling's share of 3,000, at most 1,500")
    continuing_education: bool = Field(False, description="degree education: 400 a month")
    housing_loan: bool = Field(False, description="first-home loan interest: 1,000 a month")
    housing_loan_share: int = 100
    rent_tier: str = Field("", description="major 1,500 / large 1,100 / other 800; not with a loan")


class DeductionsOut(Schema):
    monthly: MoneyOut
    standard: str


class ErrorOut(Schema):
    field: str | None
    message: str
    code: str


@router.post(
    "/si", response={200: SiOut, 422: ErrorOut}, summary="Social insurance and housing fund"
)
def calc_si(request, payload: SiIn):  # type: ignore[no-untyped-def]
    return calculations.calc_si(**payload.dict())


@router.post("/iit", response={200: IitOut, 422: ErrorOut}, summary="IIT cumulative withholding")
def calc_iit(request, payload: IitIn):  # type: ignore[no-untyped-def]
    return calculations.calc_iit(**payload.dict())


@router.post("/bonus", response={200: BonusOut, 422: ErrorOut}, summary="Annual one-time bonus")
def calc_bonus(request, payload: BonusIn):  # type: ignore[no-untyped-def]
    return calculations.calc_bonus(**payload.dict())


@router.post("/pension", response={200: PensionOut, 422: ErrorOut}, summary="Pension estimate")
def calc_pension(request, payload: PensionIn):  # type: ignore[no-untyped-def]
    return calculations.calc_pension(**payload.dict())


@router.post(
    "/deductions",
    response={200: DeductionsOut, 422: ErrorOut},
    summary="Special additional deductions (2023 standards), monthly",
)
def calc_deductions(request, payload: DeductionsIn):  # type: ignore[no-untyped-def]
    return calculations.calc_deductions(**payload.dict())
