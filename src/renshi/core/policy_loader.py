"""Reading and validating policy files (format: ``docs/policy-format.md``).

A file is accepted whole or rejected whole: the first problem found raises ``PolicyFileError``
with the file, the field path (``social_insurance[2].pension.floor``) and the reason.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import RoundingRule
from renshi.core.months import Month, MonthFormatError
from renshi.core.policy import (
    CityPolicy,
    Confidence,
    ContributionRulesPeriod,
    Figure,
    HousingFundPeriod,
    InsuranceItem,
    InsuranceKind,
    MinimumWagePeriod,
    PolicyLibrary,
    SocialInsurancePeriod,
    Source,
)

SCHEMA_VERSION = 1
BUNDLED_DIR = Path(__file__).parent / "policies"

# Plausibility limits: a rate beyond these is a typo (16 instead of 0.16), not a policy.
MAX_RATE = Decimal("1")
MAX_EMPLOYEE_RATE = Decimal("0.2")
MAX_PENSION_EMPLOYER_RATE = Decimal("0.3")


class PolicyFileError(CoreError):
    template = gettext_noop("{file}: {field}: {reason}")


# Reasons, as constants the tests assert on.
R_TOML = gettext_noop("not valid TOML: {detail}")
R_UNKNOWN_KEY = gettext_noop("unknown key (allowed: {allowed})")
R_MISSING = gettext_noop("required key is missing")
R_NOT_TEXT = gettext_noop("must be a text string")
R_NOT_TABLE = gettext_noop("must be a table")
R_NOT_LIST = gettext_noop("must be a list of tables ([[{name}]])")
R_NOT_DECIMAL = gettext_noop("'{value}' is not a decimal number")
R_NOT_MONTH = gettext_noop("'{value}' is not a month written as YYYY-MM")
R_NOT_BOOL = gettext_noop("must be true or false")
R_SCHEMA = gettext_noop("schema version {value} is not supported (expected {expected})")
R_CITY_CODE = gettext_noop("'{value}' must be lower-case letters, digits or '-'")
R_UNDEFINED_SOURCE = gettext_noop("source '{value}' is not defined under [sources]")
R_CONFIDENCE = gettext_noop("'{value}' is not a confidence mark (V, R or U)")
R_ROUNDING = gettext_noop("'{value}' is not a rounding rule ({allowed})")
R_UNKNOWN_NEEDS_NOTE = gettext_noop("an unknown figure needs a note saying why")
R_UNKNOWN_WITH_VALUE = gettext_noop("a figure cannot be unknown and have a value")
R_END_BEFORE_START = gettext_noop("ends ({end}) before it starts ({start})")
R_OVERLAP = gettext_noop("overlaps the previous period ({start}..{end})")
R_GAP = gettext_noop("leaves a gap after the previous period, which ends {end}")
R_OPEN_END = gettext_noop("needs an end month: only the last period may stay open")
R_END_REQUIRED = gettext_noop("needs an end month")
R_RATE_RANGE = gettext_noop("rate {value} lies outside {low}..{high}")
R_NEGATIVE = gettext_noop("{value} must not be negative")
R_FLOOR_ABOVE_CEILING = gettext_noop("floor {floor} is above ceiling {ceiling}")
R_DEFAULT_RATE = gettext_noop(
    "default rate {value} lies outside min_rate..max_rate ({low}..{high})"
)
R_DEFAULT_CLASS = gettext_noop("class '{value}' is not in employer_rate_by_class")
R_NO_ITEMS = gettext_noop("a social insurance period needs at least one insurance item")
R_EMPTY_SECTION = gettext_noop("the file needs at least one [[{name}]] period")
R_DUPLICATE_CITY = gettext_noop("city '{value}' is already defined in {other}")
R_DAY = gettext_noop("day {value} must be between 1 and 31")

_Period = TypeVar(
    "_Period", SocialInsurancePeriod, HousingFundPeriod, MinimumWagePeriod, ContributionRulesPeriod
)

_TOP_KEYS = (
    "schema",
    "city",
    "name_zh",
    "name_en",
    "province",
    "sources",
    "social_insurance",
    "housing_fund",
    "minimum_wage",
    "contribution_rules",
)
_SOURCE_KEYS = ("title", "publisher", "url", "date", "note")
_PERIOD_KEYS = ("start", "end", "source", "confidence", "provisional", "note")
_ITEM_KEYS = (
    "floor",
    "ceiling",
    "employer_rate",
    "employee_rate",
    "rounding",
    "employer_fixed",
    "employee_fixed",
    "employer_rate_by_class",
    "default_class",
)
_FIGURE_KEYS = ("value", "source", "confidence", "note", "unknown")


@dataclass(frozen=True, slots=True)
class _Defaults:
    source: Source | None
    confidence: Confidence


class _Reader:
    """Walks one parsed file, tracking the field path for error messages."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sources: dict[str, Source] = {}

    def fail(self, path: str, reason: str, **params: Any) -> PolicyFileError:
        return PolicyFileError(file=self.file, field=path, reason=Message(reason, params))

    def check_keys(self, table: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                raise self.fail(_join(path, key), R_UNKNOWN_KEY, allowed=", ".join(allowed))

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            raise self.fail(_join(path, key), R_MISSING)
        if not isinstance(value, dict):
            raise self.fail(_join(path, key), R_NOT_TABLE)
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(_join(path, key), R_MISSING)
            return ""
        if not isinstance(value, str):
            raise self.fail(_join(path, key), R_NOT_TEXT)
        return value.strip()

    def month(self, data: Mapping[str, Any], key: str, path: str) -> Month | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return Month.parse(value) if isinstance(value, str) else Month.parse(str(value))
        except MonthFormatError:
            raise self.fail(_join(path, key), R_NOT_MONTH, value=value) from None

    def decimal(self, value: object, path: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(path, R_NOT_DECIMAL, value=value)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(path, R_NOT_DECIMAL, value=value) from None
        if not number.is_finite():
            raise self.fail(path, R_NOT_DECIMAL, value=value)
        return number

    def source(self, value: object, path: str) -> Source:
        if not isinstance(value, str):
            raise self.fail(path, R_NOT_TEXT)
        if value not in self.sources:
            raise self.fail(path, R_UNDEFINED_SOURCE, value=value)
        return self.sources[value]

    def confidence(self, value: object, path: str) -> Confidence:
        try:
            return Confidence(str(value).upper())
        except ValueError:
            raise self.fail(path, R_CONFIDENCE, value=value) from None

    def rounding(self, data: Mapping[str, Any], path: str) -> RoundingRule:
        value = data.get("rounding")
        if value is None:
            raise self.fail(_join(path, "rounding"), R_MISSING)
        try:
            return RoundingRule(value)
        except ValueError:
            allowed = ", ".join(rule.value for rule in RoundingRule)
            raise self.fail(
                _join(path, "rounding"), R_ROUNDING, value=value, allowed=allowed
            ) from None

    def figure(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        defaults: _Defaults,
        *,
        required: bool = True,
    ) -> Figure | None:
        raw = data.get(key)
        where = _join(path, key)
        if raw is None:
            if required:
                raise self.fail(where, R_MISSING)
            return None
        if not isinstance(raw, dict):
            return Figure(self.decimal(raw, where), defaults.source, defaults.confidence)
        self.check_keys(raw, _FIGURE_KEYS, where)
        note = self.text(raw, "note", where, required=False)
        source = (
            self.source(raw["source"], _join(where, "source"))
            if "source" in raw
            else defaults.source
        )
        confidence = (
            self.confidence(raw["confidence"], _join(where, "confidence"))
            if "confidence" in raw
            else defaults.confidence
        )
        if raw.get("unknown") is True:
            if "value" in raw:
                raise self.fail(where, R_UNKNOWN_WITH_VALUE)
            if not note:
                raise self.fail(_join(where, "note"), R_UNKNOWN_NEEDS_NOTE)
            return Figure(None, source, Confidence.UNCONFIRMED, note)
        if "unknown" in raw and raw["unknown"] is not False:
            raise self.fail(_join(where, "unknown"), R_NOT_BOOL)
        if "value" not in raw:
            raise self.fail(_join(where, "value"), R_MISSING)
        return Figure(self.decimal(raw["value"], _join(where, "value")), source, confidence, note)

    def required_figure(
        self, data: Mapping[str, Any], key: str, path: str, defaults: _Defaults
    ) -> Figure:
        figure = self.figure(data, key, path, defaults)
        assert figure is not None
        return figure

    def period_defaults(self, data: Mapping[str, Any], path: str) -> _Defaults:
        source = self.source(data["source"], _join(path, "source")) if "source" in data else None
        confidence = (
            self.confidence(data["confidence"], _join(path, "confidence"))
            if "confidence" in data
            else Confidence.UNCONFIRMED
        )
        return _Defaults(source, confidence)

    def flag(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(_join(path, key), R_NOT_BOOL)
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- checks on figures -------------------------------------------------------------------


def _check_rate(reader: _Reader, figure: Figure | None, path: str, high: Decimal) -> None:
    if figure is not None and figure.value is not None and not 0 <= figure.value <= high:
        raise reader.fail(path, R_RATE_RANGE, value=figure.value, low=0, high=high)


def _check_amount(reader: _Reader, figure: Figure | None, path: str) -> None:
    if figure is not None and figure.value is not None and figure.value < 0:
        raise reader.fail(path, R_NEGATIVE, value=figure.value)


def _check_floor_ceiling(reader: _Reader, floor: Figure, ceiling: Figure, path: str) -> None:
    _check_amount(reader, floor, _join(path, "floor"))
    _check_amount(reader, ceiling, _join(path, "ceiling"))
    if floor.value is not None and ceiling.value is not None and floor.value > ceiling.value:
        raise reader.fail(
            _join(path, "floor"), R_FLOOR_ABOVE_CEILING, floor=floor.value, ceiling=ceiling.value
        )


# --- sections ----------------------------------------------------------------------------


def _periods(
    reader: _Reader,
    data: Mapping[str, Any],
    name: str,
    parse: Callable[[Mapping[str, Any], str, Month, Month | None], _Period],
    *,
    may_stay_open: bool,
) -> tuple[_Period, ...]:
    raw = data.get(name)
    if raw is None:
        raise reader.fail(name, R_EMPTY_SECTION, name=name)
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise reader.fail(name, R_NOT_LIST, name=name)
    if not raw:
        raise reader.fail(name, R_EMPTY_SECTION, name=name)
    periods: list[_Period] = []
    for index, entry in enumerate(raw):
        path = f"{name}[{index}]"
        start = reader.month(entry, "start", path)
        if start is None:
            raise reader.fail(_join(path, "start"), R_MISSING)
        end = reader.month(entry, "end", path)
        is_last = index == len(raw) - 1
        if end is None and not may_stay_open:
            raise reader.fail(_join(path, "end"), R_END_REQUIRED)
        if end is None and not is_last:
            raise reader.fail(_join(path, "end"), R_OPEN_END)
        if end is not None and end < start:
            raise reader.fail(_join(path, "end"), R_END_BEFORE_START, start=start, end=end)
        if periods:
            previous = periods[-1]
            assert previous.end is not None
            if start <= previous.end:
                raise reader.fail(
                    _join(path, "start"), R_OVERLAP, start=previous.start, end=previous.end
                )
            if start != previous.end.add(1):
                raise reader.fail(_join(path, "start"), R_GAP, end=previous.end)
        periods.append(parse(entry, path, start, end))
    return tuple(periods)


def _insurance_item(
    reader: _Reader, kind: InsuranceKind, raw: object, path: str, defaults: _Defaults
) -> InsuranceItem:
    if not isinstance(raw, dict):
        raise reader.fail(path, R_NOT_TABLE)
    reader.check_keys(raw, _ITEM_KEYS, path)
    floor = reader.required_figure(raw, "floor", path, defaults)
    ceiling = reader.required_figure(raw, "ceiling", path, defaults)
    _check_floor_ceiling(reader, floor, ceiling, path)
    employee_rate = reader.required_figure(raw, "employee_rate", path, defaults)
    _check_rate(reader, employee_rate, _join(path, "employee_rate"), MAX_EMPLOYEE_RATE)
    by_class: dict[str, Figure] = {}
    default_class: str | None = None
    if kind is InsuranceKind.WORK_INJURY:
        employer_rate = reader.figure(raw, "employer_rate", path, defaults, required=False)
        classes = reader.table(raw, "employer_rate_by_class", path)
        for klass in classes:
            where = _join(_join(path, "employer_rate_by_class"), klass)
            figure = reader.required_figure(
                classes, klass, _join(path, "employer_rate_by_class"), defaults
            )
            _check_rate(reader, figure, where, MAX_RATE)
            by_class[klass] = figure
        default_class = reader.text(raw, "default_class", path)
        if default_class not in by_class:
            raise reader.fail(_join(path, "default_class"), R_DEFAULT_CLASS, value=default_class)
    else:
        employer_rate = reader.required_figure(raw, "employer_rate", path, defaults)
        for key in ("employer_rate_by_class", "default_class"):
            if key in raw:
                allowed = ", ".join(
                    k for k in _ITEM_KEYS if k not in ("employer_rate_by_class", "default_class")
                )
                raise reader.fail(_join(path, key), R_UNKNOWN_KEY, allowed=allowed)
    high = MAX_PENSION_EMPLOYER_RATE if kind is InsuranceKind.PENSION else MAX_RATE
    _check_rate(reader, employer_rate, _join(path, "employer_rate"), high)
    employer_fixed = reader.figure(raw, "employer_fixed", path, defaults, required=False)
    employee_fixed = reader.figure(raw, "employee_fixed", path, defaults, required=False)
    _check_amount(reader, employer_fixed, _join(path, "employer_fixed"))
    _check_amount(reader, employee_fixed, _join(path, "employee_fixed"))
    return InsuranceItem(
        kind=kind,
        floor=floor,
        ceiling=ceiling,
        employer_rate=employer_rate,
        employee_rate=employee_rate,
        rounding=reader.rounding(raw, path),
        employer_fixed=employer_fixed,
        employee_fixed=employee_fixed,
        employer_rate_by_class=by_class,
        default_class=default_class,
    )


def _social_insurance(
    reader: _Reader,
) -> Callable[[Mapping[str, Any], str, Month, Month | None], SocialInsurancePeriod]:
    kinds = tuple(kind.value for kind in InsuranceKind)

    def parse(
        entry: Mapping[str, Any], path: str, start: Month, end: Month | None
    ) -> SocialInsurancePeriod:
        reader.check_keys(entry, (*_PERIOD_KEYS, *kinds), path)
        defaults = reader.period_defaults(entry, path)
        items = tuple(
            _insurance_item(reader, kind, entry[kind.value], _join(path, kind.value), defaults)
            for kind in InsuranceKind
            if kind.value in entry
        )
        if not items:
            raise reader.fail(path, R_NO_ITEMS)
        assert end is not None
        return SocialInsurancePeriod(
            start=start,
            end=end,
            items=items,
            is_provisional=reader.flag(entry, "provisional", path),
            note=reader.text(entry, "note", path, required=False),
        )

    return parse


def _housing_fund(
    reader: _Reader,
) -> Callable[[Mapping[str, Any], str, Month, Month | None], HousingFundPeriod]:
    keys = ("floor", "ceiling", "min_rate", "max_rate", "default_rate", "rounding")

    def parse(
        entry: Mapping[str, Any], path: str, start: Month, end: Month | None
    ) -> HousingFundPeriod:
        reader.check_keys(entry, (*_PERIOD_KEYS, *keys), path)
        defaults = reader.period_defaults(entry, path)
        floor = reader.required_figure(entry, "floor", path, defaults)
        ceiling = reader.required_figure(entry, "ceiling", path, defaults)
        _check_floor_ceiling(reader, floor, ceiling, path)
        rates = {
            key: reader.required_figure(entry, key, path, defaults)
            for key in ("min_rate", "max_rate", "default_rate")
        }
        for key, figure in rates.items():
            _check_rate(reader, figure, _join(path, key), MAX_EMPLOYEE_RATE)
        low, high, default = (rates[key].value for key in ("min_rate", "max_rate", "default_rate"))
        if low is not None and high is not None and low > high:
            raise reader.fail(
                _join(path, "min_rate"), R_FLOOR_ABOVE_CEILING, floor=low, ceiling=high
            )
        if (
            default is not None
            and low is not None
            and high is not None
            and not low <= default <= high
        ):
            raise reader.fail(
                _join(path, "default_rate"), R_DEFAULT_RATE, value=default, low=low, high=high
            )
        assert end is not None
        return HousingFundPeriod(
            start=start,
            end=end,
            floor=floor,
            ceiling=ceiling,
            min_rate=rates["min_rate"],
            max_rate=rates["max_rate"],
            default_rate=rates["default_rate"],
            rounding=reader.rounding(entry, path),
            is_provisional=reader.flag(entry, "provisional", path),
            note=reader.text(entry, "note", path, required=False),
        )

    return parse


def _minimum_wage(
    reader: _Reader,
) -> Callable[[Mapping[str, Any], str, Month, Month | None], MinimumWagePeriod]:
    def parse(
        entry: Mapping[str, Any], path: str, start: Month, end: Month | None
    ) -> MinimumWagePeriod:
        reader.check_keys(entry, (*_PERIOD_KEYS, "monthly"), path)
        defaults = reader.period_defaults(entry, path)
        monthly = reader.required_figure(entry, "monthly", path, defaults)
        _check_amount(reader, monthly, _join(path, "monthly"))
        return MinimumWagePeriod(
            start=start,
            end=end,
            monthly=monthly,
            note=reader.text(entry, "note", path, required=False),
        )

    return parse


def _contribution_rules(
    reader: _Reader,
) -> Callable[[Mapping[str, Any], str, Month, Month | None], ContributionRulesPeriod]:
    keys = ("due_day", "late_fee_daily_rate", "backpay_window_months")

    def parse(
        entry: Mapping[str, Any], path: str, start: Month, end: Month | None
    ) -> ContributionRulesPeriod:
        reader.check_keys(entry, (*_PERIOD_KEYS, *keys), path)
        defaults = reader.period_defaults(entry, path)
        due_day = reader.required_figure(entry, "due_day", path, defaults)
        if due_day.value is not None and not 1 <= due_day.value <= 31:
            raise reader.fail(_join(path, "due_day"), R_DAY, value=due_day.value)
        late_fee = reader.required_figure(entry, "late_fee_daily_rate", path, defaults)
        _check_rate(reader, late_fee, _join(path, "late_fee_daily_rate"), Decimal("0.01"))
        window = reader.required_figure(entry, "backpay_window_months", path, defaults)
        _check_amount(reader, window, _join(path, "backpay_window_months"))
        return ContributionRulesPeriod(
            start=start,
            end=end,
            due_day=due_day,
            late_fee_daily_rate=late_fee,
            backpay_window_months=window,
            note=reader.text(entry, "note", path, required=False),
        )

    return parse


# --- files and libraries -----------------------------------------------------------------


def parse_policy_text(text: str, *, file: str) -> CityPolicy:
    """Validate one policy file's text; ``file`` names it in every error."""
    reader = _Reader(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise reader.fail("-", R_TOML, detail=str(error)) from None
    reader.check_keys(data, _TOP_KEYS, "")
    schema = data.get("schema")
    if schema is None:
        raise reader.fail("schema", R_MISSING)
    if schema != SCHEMA_VERSION:
        raise reader.fail("schema", R_SCHEMA, value=schema, expected=SCHEMA_VERSION)
    city = reader.text(data, "city", "")
    if (
        not city
        or not all(ch.islower() or ch.isdigit() or ch == "-" for ch in city)
        or not city.isascii()
    ):
        raise reader.fail("city", R_CITY_CODE, value=city)
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        raise reader.fail("sources", R_NOT_TABLE)
    for source_id, raw in sources.items():
        path = f"sources.{source_id}"
        if not isinstance(raw, dict):
            raise reader.fail(path, R_NOT_TABLE)
        reader.check_keys(raw, _SOURCE_KEYS, path)
        reader.sources[source_id] = Source(
            id=source_id,
            title=reader.text(raw, "title", path),
            **{key: reader.text(raw, key, path, required=False) for key in _SOURCE_KEYS[1:]},
        )
    return CityPolicy(
        city=city,
        name_zh=reader.text(data, "name_zh", ""),
        name_en=reader.text(data, "name_en", ""),
        province=reader.text(data, "province", "", required=False),
        sources=dict(reader.sources),
        social_insurance=_periods(
            reader, data, "social_insurance", _social_insurance(reader), may_stay_open=False
        ),
        housing_fund=_periods(
            reader, data, "housing_fund", _housing_fund(reader), may_stay_open=False
        ),
        minimum_wage=_periods(
            reader, data, "minimum_wage", _minimum_wage(reader), may_stay_open=True
        ),
        contribution_rules=_periods(
            reader, data, "contribution_rules", _contribution_rules(reader), may_stay_open=True
        ),
        origin=file,
    )


def load_policy_file(path: str | os.PathLike[str]) -> CityPolicy:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyFileError(
            file=str(file), field="-", reason=Message(R_TOML, {"detail": str(error)})
        ) from None
    return parse_policy_text(text, file=str(file))


def load_directory(directory: str | os.PathLike[str]) -> list[CityPolicy]:
    """Every ``*.toml`` in ``directory``, sorted by name; two files for one city are an error."""
    policies: list[CityPolicy] = []
    for file in sorted(Path(directory).glob("*.toml")):
        policy = load_policy_file(file)
        other = next((p for p in policies if p.city == policy.city), None)
        if other is not None:
            raise PolicyFileError(
                file=str(file),
                field="city",
                reason=Message(R_DUPLICATE_CITY, {"value": policy.city, "other": other.origin}),
            )
        policies.append(policy)
    return policies


def build_library(layers: Sequence[Iterable[CityPolicy]]) -> PolicyLibrary:
    """Merge layers of policies; a later layer replaces an earlier one's city whole."""
    cities: dict[str, CityPolicy] = {}
    for layer in layers:
        for policy in layer:
            cities[policy.city] = policy
    return PolicyLibrary(cities=cities)


def load_library(
    *, override_dir: str | os.PathLike[str] | None = None, extra: Iterable[CityPolicy] = ()
) -> PolicyLibrary:
    """The bundled files, then an installation's override directory, then ``extra``."""
    layers: list[Iterable[CityPolicy]] = [load_directory(BUNDLED_DIR)]
    if override_dir:
        layers.append(load_directory(override_dir))
    layers.append(extra)
    return build_library(layers)
