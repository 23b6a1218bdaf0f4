"""The one entry point for time-driven work, from each place that calls it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from tests.cli.test_cli_contract import renshi
from tests.factories import make_company, make_employee

from renshi.alerts.models import Alert, TickState
from renshi.alerts.services import tick_if_due
from renshi.alerts.tasks import tick

pytestmark = pytest.mark.django_db


def _company_with_an_unenrolled_employee() -> None:
    company = make_company(code="acme")
    make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))


def test_tick_if_due_runs_once_per_interval():
    _company_with_an_unenrolled_employee()
    now = timezone.now()
    every = datetime.timedelta(minutes=5)

    assert tick_if_due(now=now, every=every) is True
    assert tick_if_due(now=now + datetime.timedelta(minutes=1), every=every) is False
    assert tick_if_due(now=now + datetime.timedelta(minutes=6), every=every) is True
    assert TickState.objects.get().last_run_at == now + datetime.timedelta(minutes=6)
    assert Alert.objects.filter(rule__kind="contributions_broken").count() == 1


def test_the_embedded_server_runs_the_tick_after_a_request(client, settings):
    _company_with_an_unenrolled_employee()
    settings.RENSHI_EMBEDDED_TICK_SECONDS = 300

    client.get("/")

    assert TickState.objects.get().last_run_at is not None
    assert Alert.objects.exists()


def test_the_celery_beat_task_is_the_same_tick():
    _company_with_an_unenrolled_employee()

    result = tick.apply().get()

    assert result["raised"] == Alert.objects.count() >= 1


def test_renshi_tick_and_alerts_list_from_the_command_line(tmp_path: Path) -> None:
    assert renshi("migrate", "-v0", tmp_path=tmp_path).returncode == 0
    assert renshi("demo", "--employees", "3", "--json", tmp_path=tmp_path).returncode == 0

    ticked = renshi("tick", "--now", "2025-10-08T09:00", "--json", tmp_path=tmp_path)
    listed = renshi("alerts", "list", "--json", tmp_path=tmp_path)
    bad = renshi("tick", "--now", "yesterday", tmp_path=tmp_path)

    assert json.loads(ticked.stdout)["now"] == "2025-10-08T09:00:00+08:00"
    rows = json.loads(listed.stdout)
    seed = [row for row in rows if row["employee"] == "HX0001" and row["rule"] == "arrears_over"]
    assert seed[0]["amount"] == "1500.00"
    assert seed[0]["state"] == "notified"  # the in-app notice is in her portal
    assert bad.returncode == 2
    assert "--now" in bad.stderr
