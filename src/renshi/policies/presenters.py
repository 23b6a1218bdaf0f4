"""The policy library as plain data, for the API, the CLI's ``--json`` and the web pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext

from renshi.core.i18n import gettext_noop
from renshi.core.money import format_money
from renshi.core.policy import (
    CityPolicy,
    ContributionRulesPeriod,
    Figure,
    HousingFundPeriod,
    MinimumWagePeriod,
    SocialInsurancePeriod,
    describe_coverage,
)
from renshi.policies.selectors import policy_origin

RATE_FIELDS = {
    "employer_rate",
    "employee_rate",
    "min_rate",
    "max_rate",
    "default_rate",
    "late_fee_daily_rate",
}


def figure_dict(figure: Figure | None, *, name: str) -> dict[str, Any] | None:
    if figure is None:
        return None
    value: str | None = None
    if figure.value is not None:
        is_money = (
            name not in RATE_FIELDS
            and not name.startswith("class ")
            and name not in ("due_day", "backpay_window_months")
        )
        value = format_money(figure.value) if is_money else f"{figure.value.normalize():f}"
    return {
        "value": value,
        "is_known": figure.is_known,
        "confidence": figure.confidence.value,
        "source": figure.source.id if figure.source else None,
        "note": figure.note,
    }


def _period(period: Any) -> dict[str, Any]:
    return {
        "start": str(period.start),
        "end": str(period.end) if period.end else None,
        "note": period.note,
    }


def social_insurance_dict(period: SocialInsurancePeriod) -> dict[str, Any]:
    items = {}
    for item in period.items:
        entry = {
            name: figure_dict(getattr(item, name), name=name)
            for name in (
                "floor",
                "ceiling",
                "employer_rate",
                "employee_rate",
                "employer_fixed",
                "employee_fixed",
            )
        }
        entry["rounding"] = item.rounding.value
        if item.employer_rate_by_class:
            entry["employer_rate_by_class"] = {
                klass: figure_dict(fig, name=f"class {klass}")
                for klass, fig in item.employer_rate_by_class.items()
            }
            entry["default_class"] = item.default_class
        items[item.kind.value] = entry
    return {**_period(period), "is_provisional": period.is_provisional, "items": items}


def housing_fund_dict(period: HousingFundPeriod) -> dict[str, Any]:
    return {
        **_period(period),
        "is_provisional": period.is_provisional,
        **{
            name: figure_dict(getattr(period, name), name=name)
            for name in ("floor", "ceiling", "min_rate", "max_rate", "default_rate")
        },
        "rounding": period.rounding.value,
    }


def minimum_wage_dict(period: MinimumWagePeriod) -> dict[str, Any]:
    return {**_period(period), "monthly": figure_dict(period.monthly, name="monthly")}


def contribution_rules_dict(period: ContributionRulesPeriod) -> dict[str, Any]:
    return {
        **_period(period),
        **{
            name: figure_dict(getattr(period, name), name=name)
            for name in ("due_day", "late_fee_daily_rate", "backpay_window_months")
        },
    }


ORIGIN_LABELS = {
    "bundled": gettext_noop("bundled"),
    "override": gettext_noop("installation override"),
    "imported": gettext_noop("imported"),
}


def city_display_name(policy: CityPolicy) -> str:
    """The city's name in the active language."""
    return policy.name_zh if (get_language() or "zh-hans").startswith("zh") else policy.name_en


def city_summary(policy: CityPolicy) -> dict[str, Any]:
    origin = policy_origin(policy)
    return {
        "origin_label": gettext(ORIGIN_LABELS[origin]),
        "city": policy.city,
        "name_zh": policy.name_zh,
        "name_en": policy.name_en,
        "province": policy.province,
        "origin": origin,
        "coverage": {
            "social_insurance": describe_coverage(policy.social_insurance),
            "housing_fund": describe_coverage(policy.housing_fund),
            "minimum_wage": describe_coverage(policy.minimum_wage),
            "contribution_rules": describe_coverage(policy.contribution_rules),
        },
        "periods": len(policy.social_insurance),
        "confidence": policy.confidence_counts(),
    }


def city_detail(policy: CityPolicy) -> dict[str, Any]:
    return {
        **city_summary(policy),
        "sources": {
            key: {
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "date": s.date,
                "note": s.note,
            }
            for key, s in policy.sources.items()
        },
        "social_insurance": [social_insurance_dict(p) for p in policy.social_insurance],
        "housing_fund": [housing_fund_dict(p) for p in policy.housing_fund],
        "minimum_wage": [minimum_wage_dict(p) for p in policy.minimum_wage],
        "contribution_rules": [contribution_rules_dict(p) for p in policy.contribution_rules],
    }
