"""The working-day calendar against the State Council's holiday schedules.

2025: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号).
2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
Each expected count is the month's Monday-to-Friday days, less the holidays falling on them,
plus the weekend days worked (调休上班).
"""

from __future__ import annotations

import datetime

import pytest

from renshi.attendance.calendar import (
    ADJUSTED_WORKDAYS,
    PUBLIC_HOLIDAYS,
    is_working_day,
    scheduled_days,
    working_days,
    working_days_by_month,
)
from renshi.core.months import Month

D = datetime.date


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        # 23 weekdays; Jan 1 (Wed) and Jan 28-31 (Tue-Fri) off; Sun Jan 26 worked: 23 - 5 + 1.
        ("2025-01", 19),
        # 20 weekdays; Feb 3-4 (Mon-Tue) off (Feb 1-2 is a weekend); Sat Feb 8 worked: 20 - 2 + 1.
        ("2025-02", 19),
        ("2025-03", 21),  # no holiday: 21 weekdays
        # 22 weekdays; Apr 4 (Fri) off (Apr 5-6 weekend); Sun Apr 27 worked: 22 - 1 + 1.
        ("2025-04", 22),
        # 22 weekdays; May 1, 2, 5 off (May 3-4 and May 31 are weekend days): 22 - 3.
        ("2025-05", 19),
        ("2025-06", 20),  # 21 weekdays; Jun 2 (Mon) off: 21 - 1
        ("2025-07", 23),
        ("2025-08", 21),
        ("2025-09", 23),  # 22 weekdays; Sun Sep 28 worked: 22 + 1
        # 23 weekdays; Oct 1-3 and Oct 6-8 (six weekdays) off; Sat Oct 11 worked: 23 - 6 + 1.
        ("2025-10", 18),
        ("2025-11", 20),
        ("2025-12", 23),
        # 22 weekdays; Jan 1-2 (Thu-Fri) off; Sun Jan 4 worked: 22 - 2 + 1.
        ("2026-01", 21),
        # 20 weekdays; Feb 16-20 and Feb 23 off; Sat Feb 14 and Sat Feb 28 worked: 20 - 6 + 2.
        ("2026-02", 16),
        # 21 weekdays; May 1 (Fri), May 4-5 off; Sat May 9 worked: 21 - 3 + 1.
        ("2026-05", 19),
        # 22 weekdays; Oct 1-2 and Oct 5-7 off; Sat Oct 10 worked: 22 - 5 + 1.
        ("2026-10", 18),
    ],
)
def test_scheduled_days_follow_the_official_schedule(month: str, expected: int) -> None:
    assert scheduled_days(Month.parse(month)) == expected


def test_2025_has_248_working_days() -> None:
    assert sum(scheduled_days(Month(2025, m)) for m in range(1, 13)) == 248


def test_every_encoded_date_is_on_the_weekday_the_notices_name() -> None:
    # The notices name the weekday of each first and last holiday and of each swapped day.
    named = {
        D(2025, 1, 1): 2,  # Wed
        D(2025, 1, 26): 6,  # Sun, worked
        D(2025, 1, 28): 1,  # Tue, 除夕
        D(2025, 2, 4): 1,  # Tue
        D(2025, 2, 8): 5,  # Sat, worked
        D(2025, 4, 27): 6,  # Sun, worked
        D(2025, 5, 31): 5,  # Sat
        D(2025, 9, 28): 6,  # Sun, worked
        D(2025, 10, 8): 2,  # Wed
        D(2025, 10, 11): 5,  # Sat, worked
        D(2026, 2, 15): 6,  # Sun
        D(2026, 2, 23): 0,  # Mon
        D(2026, 9, 20): 6,  # Sun, worked
        D(2026, 10, 10): 5,  # Sat, worked
    }
    assert {day: day.weekday() for day in named} == named
    assert all(day.weekday() >= 5 for day in ADJUSTED_WORKDAYS)
    assert not PUBLIC_HOLIDAYS & ADJUSTED_WORKDAYS


def test_a_weekend_day_worked_counts_and_a_weekday_holiday_does_not() -> None:
    assert is_working_day(D(2025, 1, 26))  # Sunday, 调休上班
    assert not is_working_day(D(2025, 1, 28))  # Tuesday, 春节
    assert is_working_day(D(2025, 3, 3))  # an ordinary Monday
    assert not is_working_day(D(2025, 3, 1))  # an ordinary Saturday


def test_working_days_count_both_ends_and_nothing_when_the_end_comes_first() -> None:
    assert working_days(D(2025, 3, 3), D(2025, 3, 7)) == 5
    assert working_days(D(2025, 3, 3), D(2025, 3, 3)) == 1
    assert working_days(D(2025, 3, 7), D(2025, 3, 3)) == 0


def test_working_days_take_a_given_holiday_list() -> None:
    week = (D(2025, 3, 3), D(2025, 3, 9))
    assert working_days(*week, holidays=frozenset({D(2025, 3, 5)})) == 4
    assert working_days(*week, workdays=frozenset({D(2025, 3, 8)})) == 6
    assert working_days(D(2025, 1, 1), D(2025, 1, 31), frozenset(), frozenset()) == 23


def test_a_year_without_a_published_schedule_counts_monday_to_friday() -> None:
    assert scheduled_days(Month(2027, 3)) == 23  # Mar 2027: Mon 1st, 23 weekdays


def test_a_leave_over_three_months_splits_into_each_months_working_days() -> None:
    # 2025-03-20 (Thu) to 2025-05-10 (Sat): March 20-21, 24-28, 31 = 8; all of April = 22;
    # May 6-9 = 4 (May 1-5 is the Labour Day holiday).
    assert working_days_by_month(D(2025, 3, 20), D(2025, 5, 10)) == {
        Month(2025, 3): 8,
        Month(2025, 4): 22,
        Month(2025, 5): 4,
    }
    assert working_days(D(2025, 3, 20), D(2025, 5, 10)) == 34
