"""Warnings in the evidence log: each one raised and each change of state is an entry written
with it, and ``renshi tick`` signs a checkpoint of the log when one is due."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import typer
from django.utils import timezone, translation
from tests.evidence.rfc3161 import TsaServer, make_authority
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary, run_month
from typer.testing import CliRunner

from renshi.access.models import Role
from renshi.alerts import services
from renshi.alerts.cli import register
from renshi.alerts.models import Alert, AlertEvent, AlertState, RuleKind
from renshi.alerts.tasks import tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.evidence.canonical import FloatRefusedError
from renshi.evidence.models import EvidenceCheckpoint, EvidenceTimestamp
from renshi.evidence.selectors import (
    evidence_entries,
    evidence_entry_document,
    evidence_log_size,
)
from renshi.evidence.services import EvidenceRecord

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def _documents(kind: str, **filters) -> list[dict]:
    return [evidence_entry_document(e) for e in evidence_entries(kinds=[kind], **filters)]


def _changes(alert: Alert) -> list[tuple[str, str, str, str, str]]:
    return [
        (d["action"], d["from"], d["to"], d["actor"], d["note"])
        for d in (doc["data"] for doc in _documents("alert.changed"))
        if d["alert"] == alert.pk
    ]


@pytest.fixture
def story():
    """The seed story's employee: 事假 from 2025-06-06 to 2025-08-31 at a 6000 wage."""
    company = make_company(code="acme", payday=10)
    employee = make_employee(company, number="E001", hire_date=datetime.date(2021, 3, 15))
    make_enrolment(
        employee, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(employee, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=LeaveType.objects.get(company=company, code="personal"),
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 8, 31),
        reason="",
    )
    leave_record_approve(actor=None, leave=leave)
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)
    return company, employee


def _unenrolled_employee() -> None:
    company = make_company(code="acme")
    make_employee(company, number="E001", hire_date=datetime.date(2024, 1, 1))


def test_a_raised_warning_is_an_entry_with_its_rule_amount_cause_and_payday(story):
    company, employee = story

    services.alert_tick(now=at("2025-07-07T08:00"))

    share = Alert.objects.get(rule__kind=RuleKind.SHARE_NOT_COVERED)
    [document] = [
        d for d in _documents("alert.raised", employee=employee) if d["data"]["alert"] == share.pk
    ]
    assert document["employee"] == employee.pk
    assert document["company"] == company.pk
    assert document["recorded_at"] == "2025-07-07T08:00:00+08:00"
    data = document["data"]
    assert data["rule"] == "share_not_covered"
    assert data["cause"] == share.cause
    assert data["month"] == "2025-06"
    assert data["amount"] == "287.98"
    assert data["due"] == "2025-07-10"  # the payday the share is short on
    assert data["params"] == share.params
    assert data["state"] == "open"


def test_a_warning_for_the_company_is_filed_under_no_employee(story):
    company, _ = story

    services.alert_tick(now=at("2025-09-22T08:00"))

    [document] = [
        d for d in _documents("alert.raised") if d["data"]["rule"] == "contribution_deadline"
    ]
    assert document["employee"] is None
    assert document["data"]["due"] == "2025-09-25"


def test_each_change_a_person_makes_is_an_entry_naming_them(story):
    company, _ = story
    hr = make_user("li.na")
    grant_role(hr, company, Role.HR)
    services.alert_tick(now=at("2025-06-02T08:00"))
    alert = Alert.objects.filter(rule__kind=RuleKind.LEAVE_OVER_DAYS).first()

    services.alert_acknowledge(actor=hr, alert=alert, note="已联系员工")
    services.alert_assign(actor=hr, alert=alert, owner=hr)
    services.alert_dismiss(actor=None, alert=alert, reason="请假属实")

    assert _changes(alert) == [
        ("acknowledge", "open", "acknowledged", "li.na", "已联系员工"),
        ("assign", "acknowledged", "acknowledged", "li.na", "li.na"),
        ("dismiss", "acknowledged", "dismissed", "system", "请假属实"),
    ]
    # One entry per step of the history, no more, no less.
    assert len(_changes(alert)) == AlertEvent.objects.filter(alert=alert).count() - 1


def test_the_notice_and_the_tick_move_a_warning_as_the_system(story):
    company, employee = story
    services.alert_tick(now=at("2025-07-07T08:00"))
    share = Alert.objects.get(rule__kind=RuleKind.SHARE_NOT_COVERED)

    run_month(company, "2025-06")  # June approved: the ledger takes over from the projection
    services.alert_tick(now=at("2025-07-08T08:00"))

    assert _changes(share) == [
        ("notify", "open", "notified", "system", f"notice {share.notices.get().pk}"),
        ("resolve", "notified", "resolved", "system", "cause gone"),
    ]
    [resolved] = [
        d for d in _documents("alert.changed", employee=employee) if d["data"]["to"] == "resolved"
    ]
    assert resolved["recorded_at"] == "2025-07-08T08:00:00+08:00"


def test_a_refused_entry_leaves_the_warning_as_it_was(story, monkeypatch):
    services.alert_tick(now=at("2025-06-02T08:00"))
    alert = Alert.objects.filter(rule__kind=RuleKind.LEAVE_OVER_DAYS).first()
    size = evidence_log_size()

    def unwritable(alert, **kwargs):
        return EvidenceRecord(kind="alert.changed", company_id=alert.company_id, data={"x": 0.5})

    monkeypatch.setattr(services, "alert_changed_record", unwritable)
    with pytest.raises(FloatRefusedError):
        services.alert_dismiss(actor=None, alert=alert, reason="请假属实")

    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert alert.dismissed_reason == ""
    assert [e.action for e in alert.events.all()] == ["raise"]
    assert evidence_log_size() == size


def test_a_refused_entry_raises_no_warning_in_the_tick(monkeypatch):
    _unenrolled_employee()
    size = evidence_log_size()

    def unwritable(alert):
        return EvidenceRecord(kind="alert.raised", company_id=alert.company_id, data={"x": 0.5})

    monkeypatch.setattr(services, "alert_raised_record", unwritable)
    with pytest.raises(FloatRefusedError):
        services.alert_tick(now=at("2025-10-08T09:00"))

    assert not Alert.objects.exists()
    assert evidence_log_size() == size


def test_a_tick_signs_a_checkpoint_of_what_it_wrote_and_a_second_at_the_same_time_does_not():
    _unenrolled_employee()

    first = services.alert_tick(now=at("2025-10-08T09:00"))
    again = services.alert_tick(now=at("2025-10-08T09:00"))

    checkpoint = EvidenceCheckpoint.objects.get()
    assert first.raised >= 1
    assert first.checkpoint_size == checkpoint.size == evidence_log_size() >= first.raised
    assert checkpoint.signed_at == at("2025-10-08T09:00")
    assert first.timestamped is False
    assert first.timestamp_error is None
    assert again.checkpoint_size is None
    assert EvidenceCheckpoint.objects.count() == 1


def test_the_celery_task_reports_the_checkpoint():
    _unenrolled_employee()

    result = tick.apply().get()

    assert result["checkpoint"] == evidence_log_size() >= 1
    assert result["timestamped"] is False
    assert result["timestamp_error"] is None


def _renshi_tick(*args: str):
    application = typer.Typer()
    register(application, typer.Option(False, "--json"))
    with translation.override("en"):
        return CliRunner().invoke(application, ["tick", *args])


def test_renshi_tick_prints_the_checkpoint_it_signed_or_that_none_was_due():
    _unenrolled_employee()

    signed = _renshi_tick("--now", "2025-10-08T09:00")
    again = _renshi_tick("--now", "2025-10-08T09:00", "--json")

    assert signed.exit_code == 0, signed.output
    size = EvidenceCheckpoint.objects.get().size
    assert signed.stdout.splitlines()[-1] == f"evidence: checkpoint signed at size {size}"
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert (data["checkpoint"], data["timestamped"], data["timestamp_error"]) == (None, False, None)
    assert _renshi_tick("--now", "2025-10-08T09:00").stdout.splitlines()[-1] == (
        "evidence: no new checkpoint due"
    )


def test_renshi_tick_tells_whether_the_checkpoint_was_timestamped(settings, tmp_path):
    authority = make_authority(tmp_path)
    _unenrolled_employee()
    settings.RENSHI_TSA_CA_FILE = str(authority.ca_file)
    settings.RENSHI_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens on the discard port

    down = json.loads(_renshi_tick("--now", "2025-10-08T09:00", "--json").stdout)
    with TsaServer(authority) as server:
        settings.RENSHI_TSA_URL = server.url
        retried = _renshi_tick("--now", "2025-10-08T09:05")

    assert down["checkpoint"] == evidence_log_size()
    assert down["timestamped"] is False
    assert "127.0.0.1:9" in down["timestamp_error"]
    assert retried.stdout.splitlines()[-1] == (
        "evidence: no new checkpoint due; the latest checkpoint is timestamped"
    )
    assert EvidenceTimestamp.objects.get().checkpoint.size == down["checkpoint"]
