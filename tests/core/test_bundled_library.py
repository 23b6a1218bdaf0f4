"""The bundled policy library: valid, complete from 2023, and true to the reference facts.

Vectors come from ``shared/reference/china-payroll-facts.md`` §2–3 (marked [R] there: one
secondary source each), which the data files cite.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core.contributions import calculate_contributions
from renshi.core.months import Month, month_range
from renshi.core.policy import (
    InsuranceKind,
    PolicyPeriodMissing,
    PolicyWarningCode,
    UnknownFigure,
)
from renshi.core.policy_loader import BUNDLED_DIR, load_directory, load_library

LIBRARY = load_library()
CITIES = ["beijing", "shanghai", "guangzhou", "shenzhen", "hangzhou", "chengdu"]


def _pension_band(city: str, month: str) -> tuple[Decimal | None, Decimal | None]:
    item = LIBRARY.lookup(city, Month.parse(month)).social_insurance.item(InsuranceKind.PENSION)
    assert item is not None
    return item.floor.value, item.ceiling.value


def test_every_bundled_file_loads_and_the_six_cities_are_there() -> None:
    assert sorted(p.city for p in load_directory(BUNDLED_DIR)) == sorted(CITIES)


@pytest.mark.parametrize("city", CITIES)
def test_every_month_from_2023_to_2026_has_a_social_insurance_and_housing_fund_period(
    city: str,
) -> None:
    for month in month_range(Month(2023, 1), Month(2026, 12)):
        snapshot = LIBRARY.lookup(city, month)
        assert snapshot.social_insurance.start <= month <= snapshot.social_insurance.end


@pytest.mark.parametrize("city", CITIES)
def test_every_known_figure_names_its_source(city: str) -> None:
    policy = LIBRARY.city(city)

    missing = [path for path, figure in policy.figures() if figure.is_known and not figure.source]
    assert missing == []


@pytest.mark.parametrize("city", CITIES)
def test_a_month_before_the_library_is_an_error_naming_the_city(city: str) -> None:
    with pytest.raises(PolicyPeriodMissing) as caught:
        LIBRARY.lookup(city, Month(2019, 1))

    assert caught.value.params["city"] == city


@pytest.mark.parametrize(
    ("city", "month", "floor", "ceiling"),
    [
        # Beijing changes bases in July: 2023 6326–33891, 2024 6821–35283, 2025 7162–35811.
        ("beijing", "2024-06", "6326", "33891"),
        ("beijing", "2024-07", "6821", "35283"),
        ("beijing", "2025-06", "6821", "35283"),
        ("beijing", "2025-07", "7162", "35811"),
        # Shanghai: 2023-07 7310–36549, 2024-07 7384–36921, 2025-07 7460–37302, 2026-07 7546–37731.
        ("shanghai", "2023-07", "7310", "36549"),
        ("shanghai", "2025-06", "7384", "36921"),
        ("shanghai", "2025-07", "7460", "37302"),
        ("shanghai", "2026-07", "7546", "37731"),
        # Guangdong 2024-07..2025-06 ceiling 27,501.
        ("guangzhou", "2024-07", None, "27501"),
        ("shenzhen", "2024-07", None, "27501"),
        # Shenzhen 2025-07 pension 4775–27549.
        ("shenzhen", "2025-07", "4775", "27549"),
        # Chengdu 2024 4511–22555, 2025 4588–22938.
        ("chengdu", "2024-07", "4511", "22555"),
        ("chengdu", "2025-07", "4588", "22938"),
        # Hangzhou 2025 4986–25299.
        ("hangzhou", "2025-07", "4986", "25299"),
    ],
)
def test_pension_bases_match_the_reference_at_each_boundary(
    city: str, month: str, floor: str | None, ceiling: str
) -> None:
    actual_floor, actual_ceiling = _pension_band(city, month)

    if floor is not None:
        assert actual_floor == Decimal(floor)
    assert actual_ceiling == Decimal(ceiling)


def test_shenzhen_medical_tier_one_has_its_own_band() -> None:
    item = LIBRARY.lookup("shenzhen", Month(2025, 7)).social_insurance.item(InsuranceKind.MEDICAL)

    assert item is not None
    assert (item.floor.value, item.ceiling.value) == (Decimal("6727"), Decimal("33633"))


@pytest.mark.parametrize(
    ("city", "wage"),
    [
        ("beijing", "2540"),
        ("shanghai", "2740"),
        ("guangzhou", "2500"),
        ("shenzhen", "2520"),
        ("hangzhou", "2660"),
        ("chengdu", "2100"),
    ],
)
def test_minimum_wages_in_force_on_2026_01(city: str, wage: str) -> None:
    snapshot = LIBRARY.lookup(city, Month(2026, 1))

    assert snapshot.minimum_wage is not None
    assert snapshot.minimum_wage.monthly.value == Decimal(wage)


def test_beijing_medical_adds_three_yuan_for_serious_illness_mutual_aid() -> None:
    # 2% of 10,000 + 3 = 203.00.
    result = calculate_contributions(
        LIBRARY.lookup("beijing", Month(2025, 8)), wage=Decimal("10000")
    )

    medical = next(line for line in result.items if line.kind is InsuranceKind.MEDICAL)
    assert medical.employee == Decimal("203.00")


@pytest.mark.parametrize("city", CITIES)
def test_the_employee_pension_share_is_eight_percent_everywhere(city: str) -> None:
    item = LIBRARY.lookup(city, Month(2025, 8)).social_insurance.item(InsuranceKind.PENSION)

    assert item is not None
    assert item.employee_rate.value == Decimal("0.08")


def test_a_provisional_period_is_always_reported_with_a_warning() -> None:
    for city in CITIES:
        snapshot = LIBRARY.lookup(city, Month(2026, 11))
        codes = {w.code for w in snapshot.warnings}
        is_provisional = (
            snapshot.social_insurance.is_provisional or snapshot.housing_fund.is_provisional
        )
        assert (PolicyWarningCode.PROVISIONAL in codes) == is_provisional


@pytest.mark.parametrize("city", CITIES)
def test_lookup_switches_period_exactly_at_each_boundary(city: str) -> None:
    periods = LIBRARY.city(city).social_insurance
    for before, after in itertools.pairwise(periods):
        assert LIBRARY.lookup(city, before.end).social_insurance == before
        assert LIBRARY.lookup(city, before.end.add(1)).social_insurance == after


@pytest.mark.parametrize("city", CITIES)
def test_the_late_fee_is_five_ten_thousandths_a_day(city: str) -> None:
    # 社会保险法 art. 86 [V]: 0.05% per day from the due date.
    rules = LIBRARY.lookup(city, Month(2025, 8)).contribution_rules

    assert rules is not None
    assert rules.late_fee_daily_rate.value == Decimal("0.0005")


@given(
    case=st.sampled_from(
        [(c, m) for c in CITIES for m in month_range(Month(2023, 1), Month(2026, 12))]
    ),
    wage=st.decimals(min_value=0, max_value=1_000_000, places=2),
)
def test_a_base_always_lies_within_its_floor_and_ceiling_in_every_city(
    case: tuple[str, Month], wage: Decimal
) -> None:
    city, month = case
    snapshot = LIBRARY.lookup(city, month)
    try:
        result = calculate_contributions(snapshot, wage=wage)
    except UnknownFigure:
        return  # the library says it does not know; nothing to clamp
    for line in result.items:
        assert line.floor <= line.base <= line.ceiling
    assert result.housing_fund.floor <= result.housing_fund.base <= result.housing_fund.ceiling
