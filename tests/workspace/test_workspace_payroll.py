"""Payroll runs in the workspace: HR opens and calculates, finance approves and pays, each role
sees only its own buttons and is refused the others' actions; the run's review shows payslips,
failures, the change from last month and the warnings standing."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from tests.conftest import celery_use_queue
from tests.factories import make_employee, make_enrolment
from tests.payroll.factories import assign_salary, run_month

from renshi.alerts.services import alert_tick
from renshi.config.celery import app as celery_app
from renshi.payroll.models import (
    ArrearsEntry,
    CalculationState,
    PayrollCalculation,
    PayrollRun,
    PayrollRunEvent,
    RunState,
)
from renshi.payroll.services import RunStateError, payroll_run_approve, payroll_run_calculate
from renshi.workspace.tasks import calculate_run

pytestmark = pytest.mark.django_db

BUTTONS = ("run-calculate", "run-approve", "run-mark-paid")


def _buttons(html: str) -> set[str]:
    return {button for button in BUTTONS if f'id="{button}"' in html}


def _open(client, month: str = "2025-10") -> PayrollRun:
    response = client.post("/work/payroll/new/?company=acme", {"month": month})
    run = PayrollRun.objects.get(month=month)
    assert response.status_code == 302
    assert response["Location"] == f"/work/payroll/{run.pk}/"
    return run


def test_hr_opens_and_calculates_a_run_and_sees_its_payslips(client, acme):
    run_month(acme.company, "2025-09")
    client.force_login(acme.hr)

    run = _open(client)
    draft = client.get(f"/work/payroll/{run.pk}/")
    calculated = client.post(f"/work/payroll/{run.pk}/calculate/", follow=True)

    assert _buttons(draft.content.decode()) == {"run-calculate"}
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    html = calculated.content.decode()
    assert 'id="run-state" data-state="calculated"' in html
    assert [row.payslip.employee.number for row in calculated.context["rows"]] == [
        "A001", "A002", "A003", "A004",
    ]  # fmt: skip
    assert 'id="run-payslips"' in html
    assert "王芳" in html
    # HR recalculates; approving and paying are finance's.
    assert _buttons(html) == {"run-calculate"}
    assert [e.action for e in PayrollRunEvent.objects.filter(run=run)] == ["create", "calculate"]


def test_finance_approves_and_marks_the_run_paid(client, acme):
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.finance)

    page = client.get(f"/work/payroll/{run.pk}/")
    approved = client.post(f"/work/payroll/{run.pk}/approve/", follow=True)
    paid = client.post(f"/work/payroll/{run.pk}/paid/", follow=True)

    assert _buttons(page.content.decode()) == {"run-approve"}
    assert _buttons(approved.content.decode()) == {"run-mark-paid"}
    assert 'id="run-reopen"' in approved.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.PAID
    assert 'data-state="paid"' in paid.content.decode()
    assert _buttons(paid.content.decode()) == set()


def test_hr_may_not_approve_and_nothing_changes(client, acme):
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.hr)

    response = client.post(f"/work/payroll/{run.pk}/approve/")
    paying = client.post(f"/work/payroll/{run.pk}/paid/")

    assert response.status_code == 403
    assert paying.status_code == 403
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    assert not PayrollRunEvent.objects.filter(run=run, action="approve").exists()


def test_finance_may_not_calculate_or_open_a_run(client, acme):
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.finance)

    assert client.post(f"/work/payroll/{run.pk}/calculate/").status_code == 403
    assert client.post("/work/payroll/new/?company=acme", {"month": "2025-11"}).status_code == 403
    assert PayrollCalculation.objects.filter(run=run).count() == 1


def test_a_refused_action_is_reported_as_a_message(client, acme):
    earlier = run_month(acme.company, "2025-09", approve=False)
    run = PayrollRun.objects.create(company=acme.company, month="2025-10")
    client.force_login(acme.hr)

    page = client.post(f"/work/payroll/{run.pk}/calculate/", follow=True)

    messages = [str(m) for m in page.context["messages"]]
    assert any("2025-09" in m for m in messages)  # the earlier month must be approved first
    run.refresh_from_db()
    assert run.state == RunState.DRAFT
    assert earlier.state == RunState.CALCULATED


def test_reopening_needs_a_reason(client, acme):
    run = run_month(acme.company, "2025-10")
    client.force_login(acme.finance)

    refused = client.post(f"/work/payroll/{run.pk}/reopen/", {"reason": " "}, follow=True)
    run.refresh_from_db()
    assert run.state == RunState.APPROVED
    with translation.override("zh-hans"):  # the page's language
        expected = gettext("Say why the payroll is reopened.")
    assert expected in [str(m) for m in refused.context["messages"]]

    client.post(f"/work/payroll/{run.pk}/reopen/", {"reason": "王芳的扣款有误"})
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    assert PayrollRunEvent.objects.get(run=run, action="reopen").note == "王芳的扣款有误"


def test_failed_employees_are_listed_with_their_messages(client, acme):
    run = run_month(acme.company, "2025-10", approve=False)
    no_salary = make_employee(
        acme.company, number="A005", name="孙丽", hire_date=datetime.date(2024, 1, 1)
    )
    make_enrolment(no_salary, start_month="2025-01")
    client.force_login(acme.hr)

    page = client.post(f"/work/payroll/{run.pk}/calculate/", follow=True)

    html = page.content.decode()
    assert 'id="run-failures"' in html
    assert [f["number"] for f in page.context["failures"]] == ["A005"]
    assert "孙丽" in html
    run.refresh_from_db()
    assert run.employee_count == 4  # the previous results are kept


def test_the_run_lists_open_warnings_for_its_employees_and_the_standing_ones(client, acme):
    leaver = make_employee(
        acme.company,
        number="A009",
        name="周敏",
        hire_date=datetime.date(2024, 1, 1),
        leave_date=datetime.date(2025, 8, 31),
        status="left",
    )
    for employee in (acme.employees["A003"], leaver):
        ArrearsEntry.objects.create(
            company=acme.company,
            employee=employee,
            month="2025-08",
            kind="advance",
            amount=Decimal("1500.00"),
        )
    alert_tick(now=datetime.datetime(2025, 11, 7, 1, tzinfo=datetime.UTC))
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.hr)

    page = client.get(f"/work/payroll/{run.pk}/")

    rows = page.context["warnings"]
    in_run = [row["employee"] for row in rows if row["in_run"]]
    standing = [row["employee"] for row in rows if not row["in_run"]]
    assert "A003" in in_run
    assert "A009" in standing
    assert rows.index(next(r for r in rows if r["employee"] == "A003")) < rows.index(
        next(r for r in rows if r["employee"] == "A009")
    )  # the run's own first
    html = page.content.decode()
    block = html[html.index('id="run-warnings"') : html.index('id="run-payslips"')]
    assert "A009 周敏" in block
    assert "A003 赵强" in block
    assert "/cases/A009/?company=acme" in block


def test_the_payslips_are_searched_filtered_and_compared_with_last_month(client, acme):
    run_month(acme.company, "2025-09")
    assign_salary(acme.employees["A004"], base="20000", month="2025-10")  # a raise of two thirds
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.auditor)

    page = client.get(f"/work/payroll/{run.pk}/")
    by_name = client.get(f"/work/payroll/{run.pk}/", {"q": "李明"})
    advanced = client.get(f"/work/payroll/{run.pk}/", {"advanced": "1"})

    rows = {row.payslip.employee.number: row for row in page.context["rows"]}
    assert rows["A004"].is_flagged
    assert rows["A004"].change > 0
    assert not rows["A001"].is_flagged
    assert rows["A001"].change == Decimal("0.00")
    assert [r.payslip.employee.number for r in by_name.context["rows"]] == ["A002"]
    assert advanced.context["rows"] == []
    assert _buttons(page.content.decode()) == set()  # an auditor reads only


def test_the_payslips_are_paginated(client, acme, monkeypatch):
    import renshi.workspace.payroll_views as payroll_views

    monkeypatch.setattr(payroll_views, "PAGE_SIZE", 3)
    run = run_month(acme.company, "2025-10", approve=False)
    client.force_login(acme.hr)

    first = client.get(f"/work/payroll/{run.pk}/")
    second = client.get(f"/work/payroll/{run.pk}/", {"page": "2"})

    assert len(first.context["rows"]) == 3
    assert [r.payslip.employee.number for r in second.context["rows"]] == ["A004"]
    assert "page=2" in first.content.decode()


def test_a_running_calculation_is_polled_until_it_is_done(client, acme):
    run = run_month(acme.company, "2025-10", approve=False)
    running = PayrollCalculation.objects.create(
        run=run, employee_count=4, chunk_count=2, chunks_done=1
    )
    client.force_login(acme.hr)

    page = client.get(f"/work/payroll/{run.pk}/")
    polled = client.get(f"/work/payroll/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    running.state = CalculationState.FAILED
    running.save(update_fields=["state"])
    done = client.get(f"/work/payroll/{run.pk}/progress/", HTTP_HX_REQUEST="true")

    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'id="run-calculate"' not in html  # not while it runs
    assert 'hx-trigger="every 1s"' in polled.content.decode()
    assert "HX-Refresh" not in polled
    assert 'hx-trigger="every 1s"' not in done.content.decode()
    assert done["HX-Refresh"] == "true"


@pytest.mark.services
def test_with_workers_the_request_queues_the_calculation(
    client, acme, settings, redis_url, django_capture_on_commit_callbacks
):
    """The message really goes to Redis; no worker takes it, so it is read back off the queue."""
    import redis

    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"renshi-test-{uuid.uuid4().hex}"
    celery_use_queue(celery_app, broker=redis_url, queue=queue)
    store = redis.Redis.from_url(redis_url)
    try:
        run = run_month(acme.company, "2025-10", approve=False)
        client.force_login(acme.hr)
        with django_capture_on_commit_callbacks(execute=True):
            with_queue = client.post(f"/work/payroll/{run.pk}/calculate/")
        page = client.get(f"/work/payroll/{run.pk}/")
        messages = [json.loads(raw) for raw in store.lrange(queue, 0, -1)]
    finally:
        store.delete(queue)
        celery_use_queue(celery_app, broker=redis_url, queue=None)

    assert with_queue.status_code == 302
    assert [message["headers"]["task"] for message in messages] == [calculate_run.name]
    _args, kwargs, _embed = json.loads(base64.b64decode(messages[0]["body"]))
    assert kwargs == {"run_id": run.pk, "user_id": acme.hr.pk}
    assert PayrollCalculation.objects.filter(run=run).count() == 1  # nothing calculated here
    assert page.context["is_calculating"]
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_the_worker_task_calculates_as_the_user(acme):
    run = PayrollRun.objects.create(company=acme.company, month="2025-10")

    result = calculate_run(run_id=run.pk, user_id=acme.hr.pk)

    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    assert result == {"run": run.pk, "calculation": run.calculation_id}
    assert PayrollRunEvent.objects.get(run=run, action="calculate").actor == acme.hr


def test_the_worker_task_reports_a_refusal(acme):
    run = run_month(acme.company, "2025-10", approve=False)
    payroll_run_approve(actor=None, run=run)

    result = calculate_run(run_id=run.pk, user_id=acme.hr.pk)

    assert "approved" in result["error"]
    with pytest.raises(RunStateError):  # the same refusal as the service gives
        payroll_run_calculate(actor=acme.hr, run=run, executor="inline")
