"""Throughput of the pure calculators (no database): how many a second on this machine.

    python -m bench.calc [--n 20000]

Prints one line per calculator, then a summary line:
``calc si_per_s=... iit_year_per_s=... bonus_per_s=... pension_per_s=...``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from decimal import Decimal

from renshi.core.contributions import calculate_contributions
from renshi.core.iit import bonus_separate_tax, withhold_year
from renshi.core.months import Month
from renshi.core.pension import RetirementCategory, pension_estimate
from renshi.core.policy_loader import load_library


def _rate(label: str, n: int, work: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        work(i)
    seconds = time.perf_counter() - start
    per_second = n / seconds
    print(f"{label:<28} n={n:<7} seconds={seconds:.3f} per_s={per_second:,.0f}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    n = parser.parse_args().n
    start = time.perf_counter()
    library = load_library()
    print(
        f"{'load policy library':<28} cities={len(library.cities)} "
        f"seconds={time.perf_counter() - start:.3f}"
    )
    snapshot = library.lookup("beijing", Month(2025, 8))
    si = _rate(
        "social insurance (1 month)",
        n,
        lambda i: calculate_contributions(snapshot, wage=Decimal(3000 + i % 60000)),
    )
    iit = _rate(
        "income tax (12 months)",
        n // 10,
        lambda i: withhold_year(
            year=2025, incomes=[Decimal(8000 + i)] * 12, special_deductions=Decimal("1500")
        ),
    )
    bonus = _rate("annual bonus", n, lambda i: bonus_separate_tax(Decimal(1000 + i * 7)))
    pension = _rate(
        "pension estimate",
        n // 10,
        lambda i: pension_estimate(
            birth=Month(1960 + i % 30, 1 + i % 12),
            category=RetirementCategory.MALE,
            average_wage=Decimal("10000"),
            contribution_index=Decimal("1.2"),
            contribution_years=Decimal("25"),
            account_balance=Decimal("150000"),
        ),
    )
    print(
        f"calc si_per_s={si:.0f} iit_year_per_s={iit:.0f} bonus_per_s={bonus:.0f} "
        f"pension_per_s={pension:.0f}"
    )


if __name__ == "__main__":
    main()
