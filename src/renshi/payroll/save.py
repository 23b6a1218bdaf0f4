"""Save: one chunk's payslips, lines and failures in bulk, in one transaction.

Payslips are inserted with ``bulk_create`` (which returns their ids on both databases), then
their lines in large batches. The benchmark's floor is this same insert with no computation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from renshi.payroll.compute import Computed, Failure, iit_state_json, message_json
from renshi.payroll.models import CalculationFailure, Payslip, PayslipLine

BATCH_SIZE = 2000


def payslip_row(calculation_id: int, run_id: int, month: str, item: Computed) -> Payslip:
    result = item.result
    return Payslip(
        calculation_id=calculation_id,
        run_id=run_id,
        employee_id=item.employee_id,
        month=month,
        city=item.city,
        is_final=item.is_final,
        gross=result.gross,
        time_deductions=result.time_deductions,
        employee_share=result.employee_share,
        employer_share=result.employer_share,
        iit=result.iit,
        share_covered=result.share_covered,
        advanced=result.advanced,
        advanced_items={code: str(amount) for code, amount in result.advanced_items},
        recovered=result.recovered,
        net=result.net,
        arrears_before=result.arrears_balance_before,
        arrears_after=result.arrears_balance_after,
        iit_cumulative=iit_state_json(result.iit_result.cumulative),
    )


def line_rows(payslip_id: int, item: Computed) -> Iterable[PayslipLine]:
    for seq, line in enumerate(item.result.lines, start=1):
        yield PayslipLine(
            payslip_id=payslip_id,
            seq=seq,
            code=line.code,
            kind=line.kind.value,
            amount=line.amount,
            employer_amount=line.employer_amount,
            base=line.base,
            rate=line.rate,
            period=line.period,
            template=line.explanation.template,
            params=message_json(line.explanation),
        )


def insert_payslips(payslips: Sequence[Payslip], lines_for: Any) -> int:
    """Insert payslips, then the lines ``lines_for(payslip_id, index)`` yields for each.

    Shared by the run and the benchmark's floor so both measure the same insert.
    """
    created = Payslip.objects.bulk_create(payslips, batch_size=BATCH_SIZE)
    lines: list[PayslipLine] = []
    for index, payslip in enumerate(created):
        lines.extend(lines_for(payslip.pk, index))
    PayslipLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)
    return len(lines)


def save_chunk(
    *,
    calculation_id: int,
    run_id: int,
    month: str,
    computed: Sequence[Computed],
    failures: Sequence[Failure],
) -> None:
    """Write a chunk's results; the caller holds the transaction."""
    assert connection.in_atomic_block
    rows = [payslip_row(calculation_id, run_id, month, item) for item in computed]
    insert_payslips(rows, lambda payslip_id, index: line_rows(payslip_id, computed[index]))
    CalculationFailure.objects.bulk_create(
        [
            CalculationFailure(
                calculation_id=calculation_id,
                employee_id=failure.employee_id,
                field=failure.field,
                template=failure.message.template,
                params=message_json(failure.message),
            )
            for failure in failures
        ],
        batch_size=BATCH_SIZE,
    )
