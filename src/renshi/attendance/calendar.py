"""China's working-day calendar: Monday to Friday, minus public holidays, plus the weekend days
made working days to bridge a holiday (调休上班).

Pure functions over dates, no Django. The official schedule is published once a year by the
General Office of the State Council; a year not listed in ``SCHEDULE_YEARS`` counts Monday to
Friday only, so add each new year's notice as soon as it is published (usually in November).
The legal 21.75 paid days a month (月计薪天数) is a different figure, used by payroll.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from renshi.core.months import Month

_ONE_DAY = datetime.timedelta(days=1)


def _days(first: str, last: str) -> Iterator[datetime.date]:
    day, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    while day <= end:
        yield day
        day += _ONE_DAY


def _dates(spans: Iterable[tuple[str, str]]) -> frozenset[datetime.date]:
    return frozenset(day for first, last in spans for day in _days(first, last))


# 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12).
# Weekdays checked with Python's calendar: Jan 1 Wed; Jan 28 Tue to Feb 4 Tue; Apr 4 Fri to
# Apr 6 Sun; May 1 Thu to May 5 Mon; May 31 Sat to Jun 2 Mon; Oct 1 Wed to Oct 8 Wed.
_HOLIDAYS_2025 = _dates(
    [
        ("2025-01-01", "2025-01-01"),  # 元旦, 1 day, no swap
        ("2025-01-28", "2025-02-04"),  # 春节, 8 days from 除夕
        ("2025-04-04", "2025-04-06"),  # 清明节
        ("2025-05-01", "2025-05-05"),  # 劳动节
        ("2025-05-31", "2025-06-02"),  # 端午节
        ("2025-10-01", "2025-10-08"),  # 国庆节 and 中秋节 together, 8 days
    ]
)
# Weekend days worked: Jan 26 Sun, Feb 8 Sat (春节); Apr 27 Sun (劳动节); Sep 28 Sun and
# Oct 11 Sat (国庆节).
_WORKDAYS_2025 = _dates(
    [
        ("2025-01-26", "2025-01-26"),
        ("2025-02-08", "2025-02-08"),
        ("2025-04-27", "2025-04-27"),
        ("2025-09-28", "2025-09-28"),
        ("2025-10-11", "2025-10-11"),
    ]
)

# 国务院办公厅关于2026年部分节假日安排的通知, dated 2025-11-04, published by Xinhua the same
# day (e.g. https://politics.gmw.cn/2025-11/04/content_38391083.htm). Its 国办发明电 number was
# not verified here, so it is not quoted. Weekdays checked with Python's calendar: Jan 1 Thu to
# Jan 3 Sat; Feb 15 Sun to Feb 23 Mon; Apr 4 Sat to Apr 6 Mon; May 1 Fri to May 5 Tue;
# Jun 19 Fri to Jun 21 Sun; Sep 25 Fri to Sep 27 Sun; Oct 1 Thu to Oct 7 Wed.
_HOLIDAYS_2026 = _dates(
    [
        ("2026-01-01", "2026-01-03"),  # 元旦
        ("2026-02-15", "2026-02-23"),  # 春节, 9 days
        ("2026-04-04", "2026-04-06"),  # 清明节
        ("2026-05-01", "2026-05-05"),  # 劳动节
        ("2026-06-19", "2026-06-21"),  # 端午节
        ("2026-09-25", "2026-09-27"),  # 中秋节
        ("2026-10-01", "2026-10-07"),  # 国庆节
    ]
)
# Weekend days worked: Jan 4 Sun (元旦); Feb 14 Sat and Feb 28 Sat (春节); May 9 Sat (劳动节);
# Sep 20 Sun and Oct 10 Sat (国庆节).
_WORKDAYS_2026 = _dates(
    [
        ("2026-01-04", "2026-01-04"),
        ("2026-02-14", "2026-02-14"),
        ("2026-02-28", "2026-02-28"),
        ("2026-05-09", "2026-05-09"),
        ("2026-09-20", "2026-09-20"),
        ("2026-10-10", "2026-10-10"),
    ]
)

SCHEDULE_YEARS = frozenset({2025, 2026})
"""Years whose official holiday schedule is encoded; other years count Monday to Friday."""
PUBLIC_HOLIDAYS = _HOLIDAYS_2025 | _HOLIDAYS_2026
"""Days off by the official schedule (放假), weekend days of a holiday included."""
ADJUSTED_WORKDAYS = _WORKDAYS_2025 | _WORKDAYS_2026
"""Weekend days made working days by the official schedule (调休上班)."""


def is_working_day(
    day: datetime.date,
    holidays: frozenset[datetime.date] = PUBLIC_HOLIDAYS,
    workdays: frozenset[datetime.date] = ADJUSTED_WORKDAYS,
) -> bool:
    """Whether ``day`` is a working day: an adjusted workday, or a weekday not a holiday."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def working_days(
    start: datetime.date,
    end: datetime.date,
    holidays: frozenset[datetime.date] = PUBLIC_HOLIDAYS,
    workdays: frozenset[datetime.date] = ADJUSTED_WORKDAYS,
) -> int:
    """The working days from ``start`` to ``end``, both included; 0 when ``end`` is earlier."""
    count = 0
    day = start
    while day <= end:
        if is_working_day(day, holidays, workdays):
            count += 1
        day += _ONE_DAY
    return count


def month_first_day(month: Month) -> datetime.date:
    return datetime.date(month.year, month.month, 1)


def month_last_day(month: Month) -> datetime.date:
    return month_first_day(month.add(1)) - _ONE_DAY


def scheduled_days(month: Month) -> int:
    """The month's working days by the official schedule."""
    return working_days(month_first_day(month), month_last_day(month))


def working_days_by_month(start: datetime.date, end: datetime.date) -> dict[Month, int]:
    """The working days from ``start`` to ``end`` in each month they touch, in month order
    (months with no working day included, with 0)."""
    found: dict[Month, int] = {}
    month = Month(start.year, start.month)
    last = Month(end.year, end.month)
    while month <= last:
        first, last_day = max(start, month_first_day(month)), min(end, month_last_day(month))
        found[month] = working_days(first, last_day)
        month = month.add(1)
    return found
