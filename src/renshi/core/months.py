"""Calendar months: the unit of payroll, contributions and policy periods."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthFormatError(CoreError):
    """A month that is not written YYYY-MM or does not exist."""

    template = gettext_noop("{field}: '{value}' is not a month written as YYYY-MM")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month; ordered, hashable, and written ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2200:
            raise MonthFormatError(field="month", value=f"{self.year}-{self.month}")

    @classmethod
    def parse(cls, value: str, *, field: str = "month") -> Month:
        match = _MONTH_RE.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise MonthFormatError(field=field, value=value)
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise MonthFormatError(field=field, value=value)
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0; differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def add(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def months_until(self, other: Month) -> int:
        """How many months from ``self`` to ``other`` (negative when other is earlier)."""
        return other.index - self.index


def month_range(first: Month, last: Month) -> Iterator[Month]:
    """Every month from ``first`` to ``last``, both included."""
    for index in range(first.index, last.index + 1):
        yield Month.from_index(index)
