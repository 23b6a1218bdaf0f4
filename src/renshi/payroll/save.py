"""Save: one chunk's payslips, lines and failures in bulk, in one transaction.

Payslips take their ids up front and go in, with their lines, as plain rows. The benchmark's
floor is this same insert with no computation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from renshi.core.errors import Message
from renshi.payroll.compute import Computed, Failure, iit_state_json
from renshi.payroll.models import CalculationFailure, Payslip, PayslipLine

BATCH_SIZE = 2000

# A payslip's results, as saved and as its evidence entry reads them back.
PAYSLIP_RESULT_COLUMNS = (
    "city",
    "is_final",
    "gross",
    "time_deductions",
    "employee_share",
    "employer_share",
    "iit",
    "share_covered",
    "advanced",
    "advanced_items",
    "recovered",
    "net",
    "arrears_before",
    "arrears_after",
    "iit_cumulative",
)
PAYSLIP_COLUMNS = (
    "id",
    "calculation_id",
    "run_id",
    "employee_id",
    "month",
    *PAYSLIP_RESULT_COLUMNS,
)
JSON_PAYSLIP_COLUMNS = frozenset({"advanced_items", "iit_cumulative"})
LINE_COLUMNS = (
    "payslip_id",
    "seq",
    "code",
    "kind",
    "amount",
    "employer_amount",
    "base",
    "rate",
    "period",
    "template",
    "params",
)
Row = tuple[Any, ...]


_encode_text = json.encoder.encode_basestring  # the C encoder for one string


def _json_value(value: Any) -> str:
    kind = type(value)
    if kind is Decimal:  # the commonest; its text never needs escaping
        return f'"{value}"'
    if kind is str:
        return _encode_text(value)  # type: ignore[no-any-return]
    if kind is Message:
        return f'{{"template": {_encode_text(value.template)}, "params": {params_json(value)}}}'
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return _encode_text(str(value))  # type: ignore[no-any-return]  # Month and the like


def params_json(message: Message) -> str:
    """A message's parameters as JSON text: amounts and months as strings, nested messages as
    {"template", "params"}. Written out directly: it runs a dozen times per payslip, and
    ``json.dumps`` with a ``default`` hook was the slowest step of saving a run."""
    items = [f"{_encode_text(key)}: {_json_value(value)}" for key, value in message.params.items()]
    return "{" + ", ".join(items) + "}"


def payslip_row(calculation_id: int, run_id: int, month: str, item: Computed) -> Row:
    """A payslip's column values after ``id``, in ``PAYSLIP_COLUMNS`` order."""
    result = item.result
    return (
        calculation_id,
        run_id,
        item.employee_id,
        month,
        item.city,
        item.is_final,
        result.gross,
        result.time_deductions,
        result.employee_share,
        result.employer_share,
        result.iit,
        result.share_covered,
        result.advanced,
        json.dumps({code: str(amount) for code, amount in result.advanced_items}),
        result.recovered,
        result.net,
        result.arrears_balance_before,
        result.arrears_balance_after,
        json.dumps(iit_state_json(result.iit_result.cumulative)),
    )


def line_rows(payslip_id: int, item: Computed) -> Iterable[Row]:
    for seq, line in enumerate(item.result.lines, start=1):
        yield (
            payslip_id,
            seq,
            line.code,
            line.kind.value,
            line.amount,
            line.employer_amount,
            line.base,
            line.rate,
            line.period,
            line.explanation.template,
            params_json(line.explanation),
        )


def _new_ids(table: str, count: int) -> list[int]:
    """Ids for ``count`` new rows, taken the way the database would take them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction is IMMEDIATE, so no other writer can take these meanwhile;
        # AUTOINCREMENT's sequence is never below the largest id ever used.
        sequence = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)"
        largest = f"COALESCE((SELECT MAX(id) FROM {table}), 0)"  # noqa: S608 - our table
        cursor.execute(f"SELECT MAX({sequence}, {largest})", [table])
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def _insert(table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Plain rows: COPY on PostgreSQL, one prepared statement on SQLite. Model instances and
    bulk_create would cost more than the insert itself at a dozen lines a payslip."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our names
                rows,
            )


def insert_payslips(payslips: Sequence[Row], lines_for: Any) -> int:
    """Insert payslips (rows without their id), then the line rows ``lines_for(payslip_id,
    index)`` yields for each; the caller holds the transaction.

    Shared by the run and the benchmark's floor so both measure the same insert.
    """
    assert connection.in_atomic_block
    ids = _new_ids(Payslip._meta.db_table, len(payslips))
    _insert(
        Payslip._meta.db_table,
        PAYSLIP_COLUMNS,
        [(payslip_id, *row) for payslip_id, row in zip(ids, payslips, strict=True)],
    )
    lines: list[Row] = []
    for index, payslip_id in enumerate(ids):
        lines.extend(lines_for(payslip_id, index))
    _insert(PayslipLine._meta.db_table, LINE_COLUMNS, lines)
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
                params=json.loads(params_json(failure.message)),
            )
            for failure in failures
        ],
        batch_size=BATCH_SIZE,
    )
