"""Closing one month's payroll for N employees, against the floor of saving the same rows.

    python -m bench.payroll --employees 10000 --db sqlite
    python -m bench.payroll --employees 100000 --db postgres [--workers 2]

Builds a fresh database (a temporary SQLite file, or a new PostgreSQL database named
``renshi_bench`` on 127.0.0.1), creates one company with N employees in five cities (some on
unpaid leave, some sick, some owing arrears), then times ``payroll_run_calculate`` followed by
``payroll_run_approve``: fetch, compute, bulk save, ledger postings, the evidence log. The floor
is the time to bulk-insert the same payslip and line rows, chunk by chunk in the same
transactions, with no fetching and no computation. The last line is

    payroll_close employees=N seconds=S ms_per_employee=M peak_rss_mb=R floor_ratio=F evidence=on

``peak_rss_mb`` is the peak resident memory of this process and, with ``--workers``, of the
largest worker process (``RUSAGE_CHILDREN``). ``--workers N`` starts N Celery worker processes
over Redis (``RENSHI_BENCH_REDIS``, default redis://127.0.0.1:6379/14) and fans the run out.

Approval writes the run to the evidence log (one entry per payslip and per ledger posting, the
policies used, the approval). ``--without-evidence`` replaces that write
(``renshi.payroll.evidence.approval_append``: reading the lines, building the entries and
appending them) with a no-op, a patch only a benchmark may make, to measure what the log
costs; the last line then ends with ``evidence=off``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PG_ADMIN_URL = os.environ.get("RENSHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Hangzhou is left out: its employer medical rate is unknown to the library, and a run refuses
# to guess it (the employees would be reported as failures).
BENCH_DB = os.environ.get("RENSHI_BENCH_DB", "renshi_bench")
CITIES = ["beijing", "shanghai", "guangzhou", "shenzhen", "chengdu"]
MONTH = "2025-08"


def _configure(db: str) -> None:
    if db == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="renshi-bench-"))
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
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _populate(n: int) -> object:
    """One company, six cities, N employees with salaries, enrolments and some leave."""
    from renshi.attendance.models import AttendanceMonth
    from renshi.payroll.models import (
        ArrearsEntry,
        SalaryAssignment,
        SalaryComponent,
        SalaryStructure,
    )
    from renshi.people.crypto import encrypt, lookup_hash
    from renshi.people.identity import resident_id_check_digit
    from renshi.people.models import Company, Department, Employee, Enrolment

    rng = random.Random(20251122)  # noqa: S311 - benchmark data, not secrets
    company = Company.objects.create(code="bench", name="基准测试有限公司", default_city="beijing")
    departments = Department.objects.bulk_create(
        [Department(company=company, code=f"D{i:02d}", name=f"部门{i}") for i in range(20)]
    )
    structure = SalaryStructure.objects.create(company=company, code="std", name="标准")
    SalaryComponent.objects.bulk_create(
        [
            SalaryComponent(structure=structure, code="base", name="基本工资", kind="base"),
            SalaryComponent(structure=structure, code="post", name="岗位津贴", kind="allowance"),
            SalaryComponent(
                structure=structure,
                code="meal",
                name="餐补",
                kind="allowance",
                is_prorated=False,
            ),
        ]
    )
    batch = 5000
    for start in range(0, n, batch):
        employees = []
        for index in range(start, min(start + batch, n)):
            birth = datetime.date(1965 + index % 35, 1 + index % 12, 1 + index % 28)
            first17 = f"110105{birth:%Y%m%d}{index % 1000:03d}"
            id_number = first17 + resident_id_check_digit(first17)
            employees.append(
                Employee(
                    company=company,
                    number=f"B{index:06d}",
                    name=f"员工{index}",
                    id_number_encrypted=encrypt(id_number, purpose="employee.id_number"),
                    id_number_hash=lookup_hash(f"{id_number}-{index}"),
                    id_number_last4=id_number[-4:],
                    gender="male" if index % 2 else "female",
                    birth_date=birth,
                    department=departments[index % len(departments)],
                    work_city=CITIES[index % len(CITIES)],
                    hire_date=datetime.date(2020, 1, 1),
                )
            )
        created = Employee.objects.bulk_create(employees)
        enrolments, salaries, attendance, arrears = [], [], [], []
        for employee in created:
            wage = Decimal(rng.randrange(4000, 60000))
            enrolments.append(
                Enrolment(
                    employee=employee,
                    city=employee.work_city,
                    work_injury_class="1",
                    base=wage,
                    start_month="2020-01",
                    state="active",
                )
            )
            salaries.append(
                SalaryAssignment(
                    employee=employee,
                    structure=structure,
                    effective_month="2025-01",
                    amounts={"base": str(wage), "post": "500", "meal": "300"},
                )
            )
            roll = rng.random()
            if roll < 0.05:  # a month of unpaid leave: the share is advanced
                attendance.append(
                    AttendanceMonth(
                        employee=employee,
                        month=MONTH,
                        scheduled_days=21,
                        days_worked=0,
                        absence_days=21,
                    )
                )
            elif roll < 0.15:  # a few days absent
                attendance.append(
                    AttendanceMonth(
                        employee=employee,
                        month=MONTH,
                        scheduled_days=21,
                        days_worked=18,
                        absence_days=3,
                    )
                )
            if rng.random() < 0.03:  # owes from earlier months: recovered this month
                arrears.append(
                    ArrearsEntry(
                        company=company,
                        employee=employee,
                        month="2025-06",
                        kind="advance",
                        amount=Decimal("1800.00"),
                    )
                )
        Enrolment.objects.bulk_create(enrolments)
        SalaryAssignment.objects.bulk_create(salaries)
        AttendanceMonth.objects.bulk_create(attendance)
        ArrearsEntry.objects.bulk_create(arrears)
    return company


def _start_workers(count: int) -> tuple[object, str]:
    """``count`` Celery worker processes over Redis on a queue of this run's own."""
    import subprocess
    import uuid

    from renshi.config.celery import app

    broker = os.environ.get("RENSHI_BENCH_REDIS", "redis://127.0.0.1:6379/14")
    queue = f"renshi-bench-{uuid.uuid4().hex}"
    name = f"{queue}@bench"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "renshi.config.celery",
            "--quiet",
            "worker",
            "--pool=prefork",
            f"--concurrency={count}",
            f"--queues={queue}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env={**os.environ, "CELERY_BROKER_URL": broker},
    )
    app.conf.update(
        broker_url=broker, result_backend=broker, task_always_eager=False, task_default_queue=queue
    )
    while not app.control.ping(timeout=0.5, destination=[name]):
        if process.poll() is not None:
            raise SystemExit("the Celery workers did not start")
    return process, queue


def _close(company: object, executor: str, chunk_size: int) -> tuple[float, float]:
    """Seconds to calculate and approve, and of those the approval's."""
    from renshi.core.months import Month
    from renshi.payroll.services import (
        payroll_run_approve,
        payroll_run_calculate,
        payroll_run_create,
    )

    run = payroll_run_create(actor=None, company=company, month=Month.parse(MONTH))
    start = time.perf_counter()
    payroll_run_calculate(actor=None, run=run, executor=executor, chunk_size=chunk_size)
    approving = time.perf_counter()
    payroll_run_approve(actor=None, run=run)
    end = time.perf_counter()
    return end - start, end - approving


def _floor(company: object, chunk_size: int) -> float:
    """Insert the run's payslips and lines again, in the run's chunks, timing only the insert."""
    from django.db import transaction

    from renshi.payroll.models import PayrollCalculation, PayrollRun, Payslip, PayslipLine
    from renshi.payroll.save import (
        JSON_PAYSLIP_COLUMNS,
        LINE_COLUMNS,
        PAYSLIP_COLUMNS,
        insert_payslips,
    )

    run = PayrollRun.objects.get(company=company, month=MONTH)
    copy = PayrollCalculation.objects.create(run=run, state="superseded")
    ids = list(
        Payslip.objects.filter(calculation_id=run.calculation_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    total = 0.0
    for begin in range(0, len(ids), chunk_size):
        chunk = ids[begin : begin + chunk_size]
        payslips = [
            (copy.pk, *_as_text(row, PAYSLIP_COLUMNS[2:], JSON_PAYSLIP_COLUMNS))
            for row in Payslip.objects.filter(id__in=chunk)
            .order_by("id")
            .values_list(*PAYSLIP_COLUMNS[2:])
        ]
        lines: dict[int, list[tuple]] = {}
        for row in (
            PayslipLine.objects.filter(payslip_id__in=chunk)
            .order_by("payslip_id", "seq")
            .values_list(*LINE_COLUMNS)
        ):
            lines.setdefault(row[0], []).append(_as_text(row[1:], LINE_COLUMNS[1:], {"params"}))
        per_payslip = [lines.get(payslip_id, []) for payslip_id in chunk]

        def lines_for(payslip_id: int, index: int, rows: list = per_payslip) -> list:
            return [(payslip_id, *line) for line in rows[index]]

        start = time.perf_counter()
        with transaction.atomic():
            insert_payslips(payslips, lines_for)
        total += time.perf_counter() - start
    return total


def _as_text(row: tuple, columns: tuple, json_columns: set | frozenset) -> tuple:
    return tuple(
        json.dumps(value, ensure_ascii=False) if name in json_columns else value
        for name, value in zip(columns, row, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="fan the run out to this many Celery worker processes over Redis (0: inline)",
    )
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument(
        "--without-evidence",
        action="store_true",
        help="approve without writing the run to the evidence log (to measure what it costs)",
    )
    args = parser.parse_args()
    _configure(args.db)
    if args.without_evidence:
        from renshi.payroll import evidence

        evidence.approval_append = lambda **kwargs: []  # type: ignore[assignment]

    start = time.perf_counter()
    company = _populate(args.employees)
    print(f"populate employees={args.employees} seconds={time.perf_counter() - start:.1f}")
    workers = _start_workers(args.workers) if args.workers else None
    try:
        seconds, approve = _close(company, "celery" if workers else "inline", args.chunk_size)
    finally:
        if workers is not None:
            workers[0].terminate()
            workers[0].wait(timeout=60)
    peak = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )  # KiB on Linux
    from renshi.evidence.selectors import evidence_log_size

    print(
        f"close seconds={seconds:.2f} approve_seconds={approve:.2f} "
        f"evidence_entries={evidence_log_size()}"
    )
    floor = _floor(company, args.chunk_size)
    print(f"floor seconds={floor:.2f}")
    print(
        f"payroll_close employees={args.employees} seconds={seconds:.2f} "
        f"ms_per_employee={seconds * 1000 / args.employees:.3f} peak_rss_mb={peak:.0f} "
        f"floor_ratio={seconds / floor:.2f} evidence={'off' if args.without_evidence else 'on'}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
