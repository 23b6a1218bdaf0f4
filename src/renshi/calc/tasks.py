"""Background calculation: many wages at once, the building block of payroll fan-out.

Thin and idempotent: it reads the policy library and returns results; it writes nothing.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from renshi.calc.calculations import calc_si


@shared_task(name="renshi.calc.si_batch")
def calc_si_batch(*, city: str, month: str, wages: list[str]) -> list[dict[str, Any]]:
    return [calc_si(city=city, month=month, wage=wage) for wage in wages]
