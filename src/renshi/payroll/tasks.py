"""Payroll fan-out: each chunk of a calculation is one task, idempotent and thin.

The durable state is in the database (the calculation, its payslips and failures); a task
redelivered after a worker died finds its chunk saved and does nothing.
"""

from __future__ import annotations

from celery import shared_task

from renshi.payroll.services import calculation_chunk_run


@shared_task(name="renshi.payroll.calculate_chunk", acks_late=True)
def calculate_chunk(*, calculation_id: int, employee_ids: list[int]) -> int:
    return calculation_chunk_run(calculation_id=calculation_id, employee_ids=employee_ids)
