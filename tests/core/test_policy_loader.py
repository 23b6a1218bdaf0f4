"""Loading policy files: a broken file is rejected with the file, the field and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from renshi.core import policy_loader as pl
from renshi.core.months import Month
from renshi.core.policy import (
    Confidence,
    InsuranceKind,
    PolicyPeriodMissing,
    PolicyWarningCode,
    UnknownCity,
)

FIXTURE = Path(__file__).parent / "fixtures" / "testville.toml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def _broken(old: str, new: str, *, count: int = 1) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, count)


def _reject(text: str) -> pl.PolicyFileError:
    with pytest.raises(pl.PolicyFileError) as caught:
        pl.parse_policy_text(text, file="broken.toml")
    assert caught.value.params["file"] == "broken.toml"
    return caught.value


def test_the_fixture_loads_with_every_figure_counted() -> None:
    policy = pl.parse_policy_text(TEXT, file="testville.toml")

    assert policy.city == "testville"
    assert [str(p.start) for p in policy.social_insurance] == ["2024-07", "2025-07"]
    assert policy.confidence_counts() == {"V": 0, "R": 0, "U": 33, "unknown": 2}
    medical = policy.social_insurance[0].item(InsuranceKind.MEDICAL)
    assert medical is not None
    assert medical.employee_fixed is not None
    assert medical.employee_fixed.value == 3
    assert medical.floor.source is not None
    assert medical.floor.source.title == "Test fixture"
    assert medical.floor.confidence is Confidence.UNCONFIRMED


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            'floor = "5000"',
            'floor = "50000"',
            "social_insurance[0].pension.floor",
            pl.R_FLOOR_ABOVE_CEILING,
        ),
        (
            'employer_rate = "0.16"',
            'employer_rate = "16"',
            "social_insurance[0].pension.employer_rate",
            pl.R_RATE_RANGE,
        ),
        (
            'employee_rate = "0.08"',
            'employee_rate = "0.8"',
            "social_insurance[0].pension.employee_rate",
            pl.R_RATE_RANGE,
        ),
        (
            'employee_rate = "0.08"',
            'employee_rate = "eight"',
            "social_insurance[0].pension.employee_rate",
            pl.R_NOT_DECIMAL,
        ),
        ('start = "2025-07"', 'start = "2025-06"', "social_insurance[1].start", pl.R_OVERLAP),
        ('start = "2025-07"', 'start = "2025-09"', "social_insurance[1].start", pl.R_GAP),
        ('end = "2025-06"', 'end = "2024-06"', "social_insurance[0].end", pl.R_END_BEFORE_START),
        ('end = "2025-06"\n', "\n", "social_insurance[0].end", pl.R_END_REQUIRED),
        (
            'start = "2024-07"\nend = "2025-06"',
            'start = "2024-13"\nend = "2025-06"',
            "social_insurance[0].start",
            pl.R_NOT_MONTH,
        ),
        (
            '  rounding = "half_up_cent"',
            '  rounding = "bankers"',
            "social_insurance[0].pension.rounding",
            pl.R_ROUNDING,
        ),
        (
            '  floor = "5000"',
            '  flor = "5000"',
            "social_insurance[0].pension.flor",
            pl.R_UNKNOWN_KEY,
        ),
        (
            'source = "test"',
            'source = "nowhere"',
            "social_insurance[0].source",
            pl.R_UNDEFINED_SOURCE,
        ),
        (
            'confidence = "U"',
            'confidence = "maybe"',
            "social_insurance[0].confidence",
            pl.R_CONFIDENCE,
        ),
        (
            'default_rate = "0.07"',
            'default_rate = "0.12"',
            "housing_fund[0].default_rate",
            pl.R_DEFAULT_RATE,
        ),
        (
            'default_class = "1"',
            'default_class = "9"',
            "social_insurance[0].work_injury.default_class",
            pl.R_DEFAULT_CLASS,
        ),
        ('due_day = "25"', 'due_day = "40"', "contribution_rules[0].due_day", pl.R_DAY),
        (
            'employer_rate = { unknown = true, note = "not published" }',
            "employer_rate = { unknown = true }",
            "social_insurance[1].medical.employer_rate.note",
            pl.R_UNKNOWN_NEEDS_NOTE,
        ),
        ('city = "testville"', 'city = "Test Ville"', "city", pl.R_CITY_CODE),
        ("schema = 1", "schema = 2", "schema", pl.R_SCHEMA),
    ],
)
def test_a_broken_file_names_the_field_and_the_reason(
    old: str, new: str, field: str, reason: str
) -> None:
    error = _reject(_broken(old, new))

    assert error.params["field"] == field
    assert error.params["reason"].template == reason


def test_invalid_toml_is_rejected_with_the_parser_detail() -> None:
    error = _reject(TEXT + "\n[[broken")

    assert error.params["reason"].template == pl.R_TOML


def test_a_missing_section_is_rejected() -> None:
    head, _, _ = TEXT.partition("[[housing_fund]]")
    tail = TEXT[TEXT.index("[[minimum_wage]]") :]

    error = _reject(head + tail)

    assert error.params["field"] == "housing_fund"
    assert error.params["reason"].template == pl.R_EMPTY_SECTION


def test_only_the_last_minimum_wage_period_may_stay_open() -> None:
    text = TEXT.replace(
        '[[minimum_wage]]\nstart = "2024-07"\n',
        '[[minimum_wage]]\nstart = "2024-01"\nsource = "test"\nmonthly = "2400"\n\n'
        '[[minimum_wage]]\nstart = "2024-07"\n',
    )

    error = _reject(text)

    assert error.params["field"] == "minimum_wage[0].end"
    assert error.params["reason"].template == pl.R_OPEN_END


def test_lookup_returns_the_period_in_force_and_its_boundaries() -> None:
    library = pl.build_library([[pl.parse_policy_text(TEXT, file="t.toml")]])

    june = library.lookup("testville", Month(2025, 6))
    july = library.lookup("testville", Month(2025, 7))

    assert str(june.social_insurance.start) == "2024-07"
    assert str(july.social_insurance.start) == "2025-07"
    assert june.warnings == ()
    assert [w.code for w in july.warnings] == [PolicyWarningCode.PROVISIONAL]


@pytest.mark.parametrize("month", [Month(2024, 6), Month(2026, 7)])
def test_a_month_outside_every_period_is_an_error_naming_city_and_month(month: Month) -> None:
    library = pl.build_library([[pl.parse_policy_text(TEXT, file="t.toml")]])

    with pytest.raises(PolicyPeriodMissing) as caught:
        library.lookup("testville", month)

    assert caught.value.params["city"] == "testville"
    assert caught.value.params["month"] == str(month)
    assert caught.value.params["covered"] == "2024-07..2026-06"


def test_an_unknown_city_lists_the_known_ones() -> None:
    library = pl.build_library([[pl.parse_policy_text(TEXT, file="t.toml")]])

    with pytest.raises(UnknownCity) as caught:
        library.lookup("atlantis", Month(2025, 1))

    assert caught.value.params["known"] == "testville"


def test_a_later_layer_replaces_a_city_whole(tmp_path: Path) -> None:
    override = tmp_path / "testville.toml"
    override.write_text(TEXT.replace('name_en = "Testville"', 'name_en = "Overridden"'), "utf-8")

    library = pl.load_library(override_dir=tmp_path)

    assert library.city("testville").name_en == "Overridden"
    assert library.city("testville").origin == str(override)


def test_two_files_for_one_city_in_a_directory_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(TEXT, "utf-8")
    (tmp_path / "b.toml").write_text(TEXT, "utf-8")

    with pytest.raises(pl.PolicyFileError) as caught:
        pl.load_directory(tmp_path)

    assert caught.value.params["reason"].template == pl.R_DUPLICATE_CITY
