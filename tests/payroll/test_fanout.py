"""A run fanned out in chunks to two Celery worker processes over Redis gives exactly the results
of a single process."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from tests.conftest import celery_use_queue
from tests.factories import make_company, make_employee, make_enrolment
from tests.payroll.factories import assign_salary, set_attendance

from renshi.config.celery import app
from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import Payslip, PayslipLine

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or "5432"
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


def _results(run) -> list[tuple]:
    run.refresh_from_db()
    payslips = list(
        Payslip.objects.filter(calculation_id=run.calculation_id)
        .order_by("employee_id")
        .values_list(
            "employee_id", "gross", "employee_share", "iit", "advanced", "recovered", "net"
        )
    )
    lines = list(
        PayslipLine.objects.filter(payslip__calculation_id=run.calculation_id)
        .order_by("payslip__employee_id", "seq")
        .values_list("payslip__employee_id", "seq", "code", "amount", "employer_amount", "params")
    )
    return [payslips, lines]


@pytest.fixture
def workers(redis_url: str):
    queue = f"renshi-test-{uuid.uuid4().hex}"
    name = f"{queue}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renshi.config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "renshi.config.celery",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            f"--queues={queue}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            f"--hostname={name}",
        ],
        env=env,
    )
    celery_use_queue(app, broker=redis_url, queue=queue)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5, destination=[name]):
            assert process.poll() is None, "the Celery worker exited"
            assert time.monotonic() < deadline, "the Celery worker did not start"
        yield process
    finally:
        celery_use_queue(app, broker=redis_url, queue=None)
        process.terminate()
        process.wait(timeout=30)


def test_two_worker_processes_give_the_results_of_one_process(workers):
    company = make_company(code="acme")
    for index in range(40):
        employee = make_employee(
            company, number=f"E{index:03d}", hire_date=datetime.date(2024, 1, 1)
        )
        make_enrolment(employee, base=Decimal(8000 + 311 * index), start_month="2024-01")
        assign_salary(employee, base=str(6000 + 457 * index), month="2024-01")
        if index % 5 == 0:
            set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))

    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    inline = _results(run)
    calculation = services.payroll_run_calculate(
        actor=None, run=run, executor="celery", chunk_size=7
    )
    fanned_out = _results(run)
    calculation.refresh_from_db()

    assert calculation.chunk_count == 6
    assert calculation.chunks_done == 6
    assert len(inline[0]) == 40
    assert fanned_out == inline
