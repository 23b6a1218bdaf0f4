"""Social insurance (五险) and housing fund (公积金) contributions for one wage and month.

Each item's base is the declared base (by default the wage) clamped to that item's floor and
ceiling for the period; each share is base × rate rounded by the item's named rule, plus any
fixed amount (Beijing's 3 yuan for serious-illness mutual aid). Every line carries the period
and the sources of the figures it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, RoundingRule, apply_rounding, parse_non_negative
from renshi.core.policy import (
    Figure,
    HousingFundPeriod,
    InsuranceItem,
    InsuranceKind,
    PolicySnapshot,
    Source,
)


class HousingFundRateError(CoreError):
    template = gettext_noop(
        "{field}: housing fund rate {value} lies outside {city}'s allowed {low}..{high}"
    )


class WorkInjuryClassError(CoreError):
    template = gettext_noop(
        "{field}: industry class '{value}' has no work injury rate in {city} {month} "
        "(classes: {known})"
    )


@dataclass(frozen=True, slots=True)
class ContributionLine:
    """One insurance item: the base used and both shares."""

    kind: InsuranceKind
    wage_base: Decimal  # the declared base before clamping
    base: Decimal
    clamped: str | None  # "floor", "ceiling" or None
    floor: Decimal
    ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employer_fixed: Decimal
    employee_fixed: Decimal
    employer: Decimal
    employee: Decimal
    rounding: RoundingRule
    period: str
    sources: tuple[Source, ...]
    work_injury_class: str | None = None


@dataclass(frozen=True, slots=True)
class HousingFundLine:
    wage_base: Decimal
    base: Decimal
    clamped: str | None
    floor: Decimal
    ceiling: Decimal
    rate: Decimal
    min_rate: Decimal
    max_rate: Decimal
    is_default_rate: bool
    employer: Decimal
    employee: Decimal
    rounding: RoundingRule
    period: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class ContributionResult:
    city: str
    month: str
    wage: Decimal
    items: tuple[ContributionLine, ...]
    housing_fund: HousingFundLine
    warnings: tuple[Message, ...]

    @property
    def employer_total(self) -> Decimal:
        """Social insurance, employer side (housing fund excluded)."""
        return sum((line.employer for line in self.items), ZERO)

    @property
    def employee_total(self) -> Decimal:
        """Social insurance, employee side (housing fund excluded)."""
        return sum((line.employee for line in self.items), ZERO)

    @property
    def employer_total_with_housing_fund(self) -> Decimal:
        return self.employer_total + self.housing_fund.employer

    @property
    def employee_total_with_housing_fund(self) -> Decimal:
        """三险一金 in the IIT sense: the employee's special deductions for the month."""
        return self.employee_total + self.housing_fund.employee


def _clamp(value: Decimal, floor: Decimal, ceiling: Decimal) -> tuple[Decimal, str | None]:
    if value < floor:
        return floor, "floor"
    if value > ceiling:
        return ceiling, "ceiling"
    return value, None


def _sources(figures: Iterable[Figure | None]) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for figure in figures:
        if figure is not None and figure.source is not None:
            seen.setdefault(figure.source.id, figure.source)
    return tuple(seen.values())


def _line(
    snapshot: PolicySnapshot, item: InsuranceItem, wage_base: Decimal, work_injury_class: str | None
) -> ContributionLine:
    period = snapshot.social_insurance
    field = f"social_insurance.{item.kind.value}"
    floor = snapshot.require(item.floor, field=f"{field}.floor")
    ceiling = snapshot.require(item.ceiling, field=f"{field}.ceiling")
    base, clamped = _clamp(wage_base, floor, ceiling)
    employer_rate_figure = item.employer_rate
    chosen_class: str | None = None
    if item.kind is InsuranceKind.WORK_INJURY:
        chosen_class = work_injury_class or item.default_class
        assert chosen_class is not None
        employer_rate_figure = item.employer_rate_by_class.get(chosen_class)
        if employer_rate_figure is None:
            raise WorkInjuryClassError(
                field="work_injury_class",
                value=chosen_class,
                city=snapshot.policy.city,
                month=str(snapshot.month),
                known=", ".join(item.employer_rate_by_class),
            )
    employer_rate = snapshot.require(employer_rate_figure, field=f"{field}.employer_rate")
    employee_rate = snapshot.require(item.employee_rate, field=f"{field}.employee_rate")
    employer_fixed = (
        snapshot.require(item.employer_fixed, field=f"{field}.employer_fixed")
        if item.employer_fixed is not None
        else ZERO
    )
    employee_fixed = (
        snapshot.require(item.employee_fixed, field=f"{field}.employee_fixed")
        if item.employee_fixed is not None
        else ZERO
    )
    return ContributionLine(
        kind=item.kind,
        wage_base=wage_base,
        base=base,
        clamped=clamped,
        floor=floor,
        ceiling=ceiling,
        employer_rate=employer_rate,
        employee_rate=employee_rate,
        employer_fixed=employer_fixed,
        employee_fixed=employee_fixed,
        employer=apply_rounding(base * employer_rate, item.rounding) + employer_fixed,
        employee=apply_rounding(base * employee_rate, item.rounding) + employee_fixed,
        rounding=item.rounding,
        period=f"{period.start}..{period.end}",
        sources=_sources(
            (
                item.floor,
                item.ceiling,
                employer_rate_figure,
                item.employee_rate,
                item.employer_fixed,
                item.employee_fixed,
            )
        ),
        work_injury_class=chosen_class,
    )


def _housing_fund(
    snapshot: PolicySnapshot, hf: HousingFundPeriod, wage_base: Decimal, rate: Decimal | None
) -> HousingFundLine:
    floor = snapshot.require(hf.floor, field="housing_fund.floor")
    ceiling = snapshot.require(hf.ceiling, field="housing_fund.ceiling")
    low = snapshot.require(hf.min_rate, field="housing_fund.min_rate")
    high = snapshot.require(hf.max_rate, field="housing_fund.max_rate")
    is_default = rate is None
    if rate is None:
        rate = snapshot.require(hf.default_rate, field="housing_fund.default_rate")
    elif not low <= rate <= high:
        raise HousingFundRateError(
            field="housing_fund_rate", value=rate, city=snapshot.policy.city, low=low, high=high
        )
    base, clamped = _clamp(wage_base, floor, ceiling)
    share = apply_rounding(base * rate, hf.rounding)
    return HousingFundLine(
        wage_base=wage_base,
        base=base,
        clamped=clamped,
        floor=floor,
        ceiling=ceiling,
        rate=rate,
        min_rate=low,
        max_rate=high,
        is_default_rate=is_default,
        employer=share,
        employee=share,
        rounding=hf.rounding,
        period=f"{hf.start}..{hf.end}",
        sources=_sources(
            (
                hf.floor,
                hf.ceiling,
                hf.min_rate,
                hf.max_rate,
                None if not is_default else hf.default_rate,
            )
        ),
    )


def calculate_contributions(
    snapshot: PolicySnapshot,
    *,
    wage: Decimal,
    base: Decimal | None = None,
    housing_fund_rate: Decimal | None = None,
    work_injury_class: str | None = None,
    item_bases: Mapping[InsuranceKind, Decimal] | None = None,
    housing_fund_base: Decimal | None = None,
) -> ContributionResult:
    """Both shares of every insurance item and the housing fund for one month.

    ``base`` is the declared contribution base when it differs from the wage (bases are usually
    set once a year from last year's average wage); it is clamped the same way. ``item_bases``
    and ``housing_fund_base`` override it for single items, where an enrolment declares a
    different base per item.
    """
    wage = parse_non_negative(wage, field="wage")
    wage_base = wage if base is None else parse_non_negative(base, field="base")
    bases = {
        kind: parse_non_negative(value, field=f"base.{kind}")
        for kind, value in (item_bases or {}).items()
    }
    hf_base = (
        wage_base
        if housing_fund_base is None
        else parse_non_negative(housing_fund_base, field="housing_fund_base")
    )
    if housing_fund_rate is not None:
        housing_fund_rate = parse_non_negative(housing_fund_rate, field="housing_fund_rate")
    items = tuple(
        _line(snapshot, item, bases.get(item.kind, wage_base), work_injury_class)
        for item in snapshot.social_insurance.items
    )
    return ContributionResult(
        city=snapshot.policy.city,
        month=str(snapshot.month),
        wage=wage,
        items=items,
        housing_fund=_housing_fund(snapshot, snapshot.housing_fund, hf_base, housing_fund_rate),
        warnings=tuple(warning.message for warning in snapshot.warnings),
    )
