"""The evidence log: appends per second as a payroll run makes them, and a full verify.

    python -m bench.evidence [--db sqlite|postgres] [--appends 20000] [--run 500] \
        [--entries 1000000]

Builds a fresh database (a temporary SQLite file, or a new PostgreSQL database named
``renshi_bench_evidence`` on 127.0.0.1), then:

1. appends ``--appends`` payslip entries through ``evidence_append``, one call per payslip, in
   transactions of ``--run`` payslips (one payroll run's approval each); then the same through
   ``evidence_append_many`` (one call per run); then one transaction per entry (a notice each);
2. adds entries up to ``--entries`` in all with bulk inserts that bypass the service but write
   what it writes (canonical documents, leaf hashes, an attachment every 1,000 entries, the log
   state, a signed checkpoint every 100,000 entries and at the end): not timed;
3. times ``evidence_log_verify`` (what ``renshi evidence verify`` runs) over the whole log.

The last line is

    evidence appends_per_s=A append_many_per_s=M single_tx_per_s=T entries=N verify_s=S \
peak_rss_mb=R
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

PG_ADMIN_URL = os.environ.get("RENSHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("RENSHI_BENCH_EVIDENCE_DB", "renshi_bench_evidence")
INSERT_CHUNK = 10_000
CHECKPOINT_EVERY = 100_000
BLOB_EVERY = 1_000


def _configure(db: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="renshi-bench-evidence-"))
    os.environ["RENSHI_DATA_DIR"] = str(directory)
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = f"{PG_ADMIN_URL}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renshi.config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from renshi.evidence.keys import signing_key_generate

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # as in production: no query log kept in memory
    key = directory / "signing.pem"
    signing_key_generate(path=key)
    settings.RENSHI_EVIDENCE_KEY = str(key)
    return directory


def _company_and_employees(count: int) -> tuple[Any, list[int]]:
    from renshi.people.models import Company, Employee

    company = Company.objects.create(code="bench", name="基准测试有限公司", default_city="beijing")
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company, number=f"E{n:06d}", name="张三", id_number_encrypted="-",
                id_number_hash=f"{n:064d}", gender="male", birth_date=datetime.date(1990, 1, 1),
                work_city="beijing", hire_date=datetime.date(2024, 1, 1),
            )
            for n in range(count)
        ]
    )  # fmt: skip
    return company, [employee.pk for employee in employees]


def _payslip(employee_id: int, number: int) -> dict[str, Any]:
    """About what a payslip entry will hold: the month, the figures, the policy period used."""
    gross = Decimal(8000 + number % 5000)
    return {
        "run": "2025-10",
        "employee": employee_id,
        "gross": gross,
        "si_employee": (gross * Decimal("0.105")).quantize(Decimal("0.01")),
        "housing_fund": (gross * Decimal("0.12")).quantize(Decimal("0.01")),
        "iit": (gross * Decimal("0.03")).quantize(Decimal("0.01")),
        "net": (gross * Decimal("0.745")).quantize(Decimal("0.01")),
        "policy": "beijing/2025-07",
    }


def _time_appends(company: Any, employees: list[int], count: int, run: int) -> float:
    from django.db import transaction

    from renshi.evidence.services import evidence_append
    from renshi.people.models import Employee

    by_id = Employee.objects.in_bulk(employees)
    start = time.perf_counter()
    for first in range(0, count, run):
        with transaction.atomic():
            for number in range(first, min(first + run, count)):
                employee_id = employees[number % len(employees)]
                evidence_append(
                    kind="payroll.approved", company=company, employee=by_id[employee_id],
                    data=_payslip(employee_id, number),
                )  # fmt: skip
    return count / (time.perf_counter() - start)


def _time_append_many(company: Any, employees: list[int], count: int, run: int) -> float:
    from django.db import transaction

    from renshi.evidence.services import EvidenceRecord, evidence_append_many

    start = time.perf_counter()
    for first in range(0, count, run):
        with transaction.atomic():
            evidence_append_many(
                records=[
                    EvidenceRecord(
                        kind="payroll.approved", company_id=company.pk,
                        employee_id=employees[number % len(employees)],
                        data=_payslip(employees[number % len(employees)], number),
                    )
                    for number in range(first, min(first + run, count))
                ]
            )  # fmt: skip
    return count / (time.perf_counter() - start)


def _time_single(company: Any, count: int) -> float:
    from renshi.evidence.services import evidence_append

    start = time.perf_counter()
    for number in range(count):
        evidence_append(kind="notice.sent", company=company, data={"notice": number})
    return count / (time.perf_counter() - start)


def _fill(company: Any, employees: list[int], total: int) -> None:
    """Bulk-insert entries up to ``total`` as the service would have written them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from renshi.core.merkle import leaf_hash
    from renshi.evidence.canonical import canonical_json, sha256_hex
    from renshi.evidence.checkpoint_text import CheckpointText, checkpoint_time
    from renshi.evidence.keys import signing_key
    from renshi.evidence.log_state import log_state_lock, log_state_save
    from renshi.evidence.models import EvidenceBlob, EvidenceCheckpoint
    from renshi.evidence.services import DOCUMENT_VERSION, log_origin

    key = signing_key()
    with transaction.atomic():
        compact = log_state_lock()
    moment = timezone.localtime(timezone.now())
    column = connection.ops.adapt_datetimefield_value(moment)
    last_checkpoint = EvidenceCheckpoint.objects.order_by("-id").first()
    signed_at = checkpoint_time(moment)
    if last_checkpoint is not None:
        signed_at = max(signed_at, last_checkpoint.signed_at + datetime.timedelta(seconds=1))
    insert = (
        "INSERT INTO evidence_entry (log_index, kind, company_id, employee_id, recorded_at, "
        "corrects, canonical, leaf_hash) VALUES (%s, %s, %s, %s, %s, NULL, %s, %s)"
    )
    for first in range(compact.size, total, INSERT_CHUNK):
        rows = []
        blobs = []
        checkpoints = []
        for index in range(first, min(first + INSERT_CHUNK, total)):
            employee_id = employees[index % len(employees)]
            names = {}
            if index % BLOB_EVERY == 0:
                content = f"<html>通知 {index}</html>".encode()
                names["notice.html"] = sha256_hex(content)
                blobs.append(EvidenceBlob(sha256=names["notice.html"], data=content))
            document = {
                "v": DOCUMENT_VERSION, "index": index, "kind": "payroll.approved",
                "company": company.pk, "employee": employee_id, "recorded_at": moment,
                "corrects": None, "data": _payslip(employee_id, index), "blobs": names,
            }  # fmt: skip
            canonical = canonical_json(document)
            digest = leaf_hash(canonical)
            compact.append(digest)
            rows.append(
                (index, "payroll.approved", company.pk, employee_id, column, canonical, digest)
            )
            if compact.size % CHECKPOINT_EVERY == 0 or compact.size == total:
                checkpoints.append(
                    CheckpointText(
                        origin=log_origin(), size=compact.size, root=compact.root(), time=signed_at
                    )
                )
                signed_at += datetime.timedelta(seconds=1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
            EvidenceBlob.objects.bulk_create(blobs)
            for text in checkpoints:
                EvidenceCheckpoint.objects.create(
                    origin=text.origin, size=text.size, root=text.root, signed_at=text.time,
                    signature=key.sign(text.message()), public_key=key.public_raw,
                )  # fmt: skip
            log_state_save(compact, moment=moment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--run", type=int, default=500, help="payslips per payroll run")
    parser.add_argument("--single", type=int, default=2_000, help="one-entry transactions")
    parser.add_argument("--entries", type=int, default=1_000_000)
    options = parser.parse_args()
    _configure(options.db)
    company, employees = _company_and_employees(2_000)

    appends = _time_appends(company, employees, options.appends, options.run)
    print(f"{'evidence_append':<22} n={options.appends} run={options.run} per_s={appends:,.0f}")
    many = _time_append_many(company, employees, options.appends, options.run)
    print(f"{'evidence_append_many':<22} n={options.appends} run={options.run} per_s={many:,.0f}")
    single = _time_single(company, options.single)
    print(f"{'one per transaction':<22} n={options.single} per_s={single:,.0f}")

    start = time.perf_counter()
    _fill(company, employees, options.entries)
    filled = time.perf_counter() - start
    print(f"{'bulk fill (untimed)':<22} entries={options.entries} seconds={filled:.1f}")

    from renshi.evidence.verify import evidence_log_verify

    report = evidence_log_verify()
    if not report.is_intact:
        problem = report.problems[0].message.render()
        raise SystemExit(f"the benchmark's log does not verify: {problem}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'verify':<22} entries={report.size} checkpoints={report.checkpoints} "
        f"blobs={report.blobs} seconds={report.seconds:.1f}"
    )
    print(
        f"evidence appends_per_s={appends:.0f} append_many_per_s={many:.0f} "
        f"single_tx_per_s={single:.0f} entries={report.size} verify_s={report.seconds:.1f} "
        f"peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
