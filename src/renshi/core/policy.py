"""The policy library: each city's effective-dated figures, and lookup by city and month.

The figures come from data files (see ``docs/policy-format.md``) read by ``policy_loader``.
Everything here is immutable. A month no period covers is a ``PolicyPeriodMissing`` error that
names the city, the month and what the library does cover; it never falls back silently.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import RoundingRule
from renshi.core.months import Month


class Confidence(enum.StrEnum):
    """How sure the library is of a figure (see ``shared/reference``)."""

    VERIFIED = "V"  # official text, quoted and re-computed
    REPORTED = "R"  # one secondary source
    UNCONFIRMED = "U"


class InsuranceKind(enum.StrEnum):
    PENSION = "pension"  # 养老保险
    MEDICAL = "medical"  # 医疗保险 (生育保险 merged in since 国办发〔2019〕10号)
    UNEMPLOYMENT = "unemployment"  # 失业保险
    WORK_INJURY = "work_injury"  # 工伤保险
    MATERNITY = "maternity"  # 生育保险, only where still collected separately


INSURANCE_LABELS: Mapping[InsuranceKind, str] = {
    InsuranceKind.PENSION: gettext_noop("Pension"),
    InsuranceKind.MEDICAL: gettext_noop("Medical"),
    InsuranceKind.UNEMPLOYMENT: gettext_noop("Unemployment"),
    InsuranceKind.WORK_INJURY: gettext_noop("Work injury"),
    InsuranceKind.MATERNITY: gettext_noop("Maternity"),
}
HOUSING_FUND_LABEL = gettext_noop("Housing fund")


class Section(enum.StrEnum):
    SOCIAL_INSURANCE = "social_insurance"
    HOUSING_FUND = "housing_fund"
    MINIMUM_WAGE = "minimum_wage"
    CONTRIBUTION_RULES = "contribution_rules"


SECTION_LABELS: Mapping[Section, str] = {
    Section.SOCIAL_INSURANCE: gettext_noop("social insurance"),
    Section.HOUSING_FUND: gettext_noop("housing fund"),
    Section.MINIMUM_WAGE: gettext_noop("minimum wage"),
    Section.CONTRIBUTION_RULES: gettext_noop("contribution rules"),
}


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str = ""
    url: str = ""
    date: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """One number from a policy file, with where it came from.

    ``value`` is ``None`` when the file says the figure is unknown.
    """

    value: Decimal | None
    source: Source | None
    confidence: Confidence
    note: str = ""

    @property
    def is_known(self) -> bool:
        return self.value is not None


class UnknownCity(CoreError):
    template = gettext_noop("{field}: unknown city '{city}'; the library has: {known}")


class PolicyPeriodMissing(CoreError):
    template = gettext_noop(
        "{field}: the policy library has no {section} period for {city} in {month}; "
        "it covers {covered}"
    )


class UnknownFigure(CoreError):
    template = gettext_noop(
        "{field}: the figure for {city} in {month} is not known to the policy library ({note})"
    )


class PolicyWarningCode(enum.StrEnum):
    PROVISIONAL = "provisional"
    MINIMUM_WAGE_MISSING = "minimum_wage_missing"
    CONTRIBUTION_RULES_MISSING = "contribution_rules_missing"


@dataclass(frozen=True, slots=True)
class PolicyWarning:
    code: PolicyWarningCode
    message: Message


@dataclass(frozen=True, slots=True)
class InsuranceItem:
    kind: InsuranceKind
    floor: Figure
    ceiling: Figure
    employer_rate: Figure | None  # None for work injury, whose rate depends on the class
    employee_rate: Figure
    rounding: RoundingRule
    employer_fixed: Figure | None = None
    employee_fixed: Figure | None = None
    employer_rate_by_class: Mapping[str, Figure] = field(default_factory=dict)
    default_class: str | None = None


@dataclass(frozen=True, slots=True)
class SocialInsurancePeriod:
    start: Month
    end: Month
    items: tuple[InsuranceItem, ...]
    is_provisional: bool = False
    note: str = ""

    def item(self, kind: InsuranceKind) -> InsuranceItem | None:
        return next((item for item in self.items if item.kind is kind), None)


@dataclass(frozen=True, slots=True)
class HousingFundPeriod:
    start: Month
    end: Month
    floor: Figure
    ceiling: Figure
    min_rate: Figure
    max_rate: Figure
    default_rate: Figure
    rounding: RoundingRule
    is_provisional: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class MinimumWagePeriod:
    start: Month
    end: Month | None
    monthly: Figure
    note: str = ""


@dataclass(frozen=True, slots=True)
class ContributionRulesPeriod:
    start: Month
    end: Month | None
    due_day: Figure
    late_fee_daily_rate: Figure
    backpay_window_months: Figure
    note: str = ""


@dataclass(frozen=True, slots=True)
class CityPolicy:
    city: str
    name_zh: str
    name_en: str
    province: str
    sources: Mapping[str, Source]
    social_insurance: tuple[SocialInsurancePeriod, ...]
    housing_fund: tuple[HousingFundPeriod, ...]
    minimum_wage: tuple[MinimumWagePeriod, ...]
    contribution_rules: tuple[ContributionRulesPeriod, ...]
    origin: str = ""  # where the file came from: bundled path, override path or "database:<id>"

    def figures(self) -> Iterator[tuple[str, Figure]]:
        """Every figure with its path, for counting and for showing sources."""
        for index, si in enumerate(self.social_insurance):
            for item in si.items:
                prefix = f"social_insurance[{index}].{item.kind}"
                for name in ("floor", "ceiling", "employer_rate", "employee_rate"):
                    figure = getattr(item, name)
                    if figure is not None:
                        yield f"{prefix}.{name}", figure
                for name in ("employer_fixed", "employee_fixed"):
                    figure = getattr(item, name)
                    if figure is not None:
                        yield f"{prefix}.{name}", figure
                for klass, figure in item.employer_rate_by_class.items():
                    yield f"{prefix}.employer_rate_by_class.{klass}", figure
        for index, hf in enumerate(self.housing_fund):
            for name in ("floor", "ceiling", "min_rate", "max_rate", "default_rate"):
                yield f"housing_fund[{index}].{name}", getattr(hf, name)
        for index, mw in enumerate(self.minimum_wage):
            yield f"minimum_wage[{index}].monthly", mw.monthly
        for index, cr in enumerate(self.contribution_rules):
            for name in ("due_day", "late_fee_daily_rate", "backpay_window_months"):
                yield f"contribution_rules[{index}].{name}", getattr(cr, name)

    def confidence_counts(self) -> dict[str, int]:
        """How many figures are V, R, U, and how many are unknown."""
        counts = {"V": 0, "R": 0, "U": 0, "unknown": 0}
        for _, figure in self.figures():
            if figure.is_known:
                counts[figure.confidence.value] += 1
            else:
                counts["unknown"] += 1
        return counts


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    """The figures in force for one city and month, and any warnings about them."""

    policy: CityPolicy
    month: Month
    social_insurance: SocialInsurancePeriod
    housing_fund: HousingFundPeriod
    minimum_wage: MinimumWagePeriod | None
    contribution_rules: ContributionRulesPeriod | None
    warnings: tuple[PolicyWarning, ...] = ()

    def require(self, figure: Figure | None, *, field: str) -> Decimal:
        """The figure's value, or ``UnknownFigure`` naming the city, month and field."""
        if figure is None or figure.value is None:
            raise UnknownFigure(
                field=field,
                city=self.policy.city,
                month=str(self.month),
                note=figure.note if figure is not None else "",
            )
        return figure.value


def _covering(periods: Sequence[_Dated], month: Month) -> _Dated | None:
    for period in periods:
        if period.start <= month and (period.end is None or month <= period.end):
            return period
    return None


class _Dated(Protocol):
    @property
    def start(self) -> Month: ...

    @property
    def end(self) -> Month | None: ...


def _required(
    policy: CityPolicy, section: Section, periods: Sequence[_Dated], month: Month, field: str
) -> _Dated:
    """The period covering ``month``; without one, ``PolicyPeriodMissing``: no silent guess."""
    period = _covering(periods, month)
    if period is None:
        raise PolicyPeriodMissing(
            field=field,
            section=Message(SECTION_LABELS[section]),
            city=policy.city,
            month=str(month),
            covered=describe_coverage(periods),
        )
    return period


def describe_coverage(periods: Sequence[_Dated]) -> str:
    """``2023-01..2026-06`` style text of what a section covers (periods are contiguous)."""
    if not periods:
        return "-"
    last = periods[-1].end
    return f"{periods[0].start}..{last if last is not None else ''}"


@dataclass(frozen=True, slots=True)
class PolicyLibrary:
    """All cities' policies, keyed by city code."""

    cities: Mapping[str, CityPolicy]

    def city(self, code: str, *, field: str = "city") -> CityPolicy:
        policy = self.cities.get(code.strip().lower())
        if policy is None:
            raise UnknownCity(field=field, city=code, known=", ".join(sorted(self.cities)))
        return policy

    def lookup(self, code: str, month: Month, *, field: str = "month") -> PolicySnapshot:
        policy = self.city(code)
        si = _required(policy, Section.SOCIAL_INSURANCE, policy.social_insurance, month, field)
        hf = _required(policy, Section.HOUSING_FUND, policy.housing_fund, month, field)
        minimum_wage = _covering(policy.minimum_wage, month)
        rules = _covering(policy.contribution_rules, month)
        assert isinstance(si, SocialInsurancePeriod)
        assert isinstance(hf, HousingFundPeriod)
        assert minimum_wage is None or isinstance(minimum_wage, MinimumWagePeriod)
        assert rules is None or isinstance(rules, ContributionRulesPeriod)
        return PolicySnapshot(
            policy=policy,
            month=month,
            social_insurance=si,
            housing_fund=hf,
            minimum_wage=minimum_wage,
            contribution_rules=rules,
            warnings=_warnings(policy, month, si, hf, minimum_wage, rules),
        )


def _warnings(
    policy: CityPolicy,
    month: Month,
    si: SocialInsurancePeriod,
    hf: HousingFundPeriod,
    minimum_wage: MinimumWagePeriod | None,
    rules: ContributionRulesPeriod | None,
) -> tuple[PolicyWarning, ...]:
    warnings: list[PolicyWarning] = []
    params = {"city": policy.city, "month": str(month)}
    for section, period in ((Section.SOCIAL_INSURANCE, si), (Section.HOUSING_FUND, hf)):
        if period.is_provisional:
            warnings.append(
                PolicyWarning(
                    PolicyWarningCode.PROVISIONAL,
                    Message(
                        gettext_noop(
                            "{city} {month}: the {section} figures are provisional "
                            "({start}..{end}): {note}"
                        ),
                        {
                            **params,
                            "section": Message(SECTION_LABELS[section]),
                            "start": str(period.start),
                            "end": str(period.end),
                            "note": period.note,
                        },
                    ),
                )
            )
    if minimum_wage is None:
        warnings.append(
            PolicyWarning(
                PolicyWarningCode.MINIMUM_WAGE_MISSING,
                Message(gettext_noop("{city} {month}: no minimum wage period"), params),
            )
        )
    if rules is None:
        warnings.append(
            PolicyWarning(
                PolicyWarningCode.CONTRIBUTION_RULES_MISSING,
                Message(gettext_noop("{city} {month}: no contribution rules period"), params),
            )
        )
    return tuple(warnings)
