"""Calculating a run from the workspace when there are workers: the request queues this task
and returns; the run page polls the calculation's progress (its chunks done, in the database).

The task runs the chunks itself ("inline" in the worker) rather than fanning them out and
waiting: a task that waits for other tasks can hold the only worker slot they need. A refusal
(another calculation under way, an earlier month not approved) or failed employees leave the
run as it was; the failures are kept with the failed calculation and shown on the run page.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from renshi.core.errors import CoreError
from renshi.payroll.models import PayrollRun
from renshi.payroll.services import payroll_run_calculate


@shared_task(name="renshi.workspace.calculate_run")
def calculate_run(*, run_id: int, user_id: int) -> dict[str, Any]:
    user = get_user_model().objects.get(pk=user_id)
    run = PayrollRun.objects.select_related("company").get(pk=run_id)
    try:
        calculation = payroll_run_calculate(actor=user, run=run, executor="inline")
    except CoreError as error:
        return {"run": run_id, "error": error.render()}
    return {"run": run_id, "calculation": calculation.pk}
