"""The demo company holds the story of its warnings and notices, each case at its own stage as of
DEMO_NOW (three days before October's wages are paid), all made by the real services."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from tests.cli.test_cli_contract import renshi

from renshi.alerts.models import Alert, AlertState, RuleKind
from renshi.demo import DEMO_NOW, demo_company_load
from renshi.demo_story import (
    LETTER_NOT_POSTED,
    LETTER_POSTED,
    NOTICE_OPENED,
    REPAID,
    SHARE_WARNING,
    STORY_MIN_EMPLOYEES,
)
from renshi.notices.models import DemandLetter, Notice, NoticeOpening, PostalDispatch
from renshi.payroll.models import RunState
from renshi.payroll.services import arrears_balance
from renshi.people.models import Employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary() -> dict:  # type: ignore[type-arg]
    result = demo_company_load(employees=STORY_MIN_EMPLOYEES)
    assert result["created"]
    return result


def _alert(number: str, kind: str) -> Alert:
    return Alert.objects.get(employee__number=number, rule__kind=kind)


def _notice(number: str) -> Notice:
    return Notice.objects.get(employee__number=number)


def test_the_summary_names_the_moment_and_each_stage_with_its_employees(summary):
    assert summary["now"] == "2025-11-07T09:00:00+08:00" == DEMO_NOW.isoformat()
    assert {stage["stage"]: stage["employees"] for stage in summary["stages"]} == {
        "share_warning": [SHARE_WARNING],
        "notice_opened": [NOTICE_OPENED],
        "letter_not_posted": [LETTER_NOT_POSTED],
        "letter_posted": [LETTER_POSTED],
        "repaid": [REPAID],
    }
    # The figures the other demo tests rely on are those of a demo without the story.
    assert summary["months_closed"] == 9
    assert summary["open_month"] == "2025-10"
    assert summary["employees"] == STORY_MIN_EMPLOYEES


def test_each_case_stands_at_its_stage_as_of_the_demo_moment(summary):
    # 1. Warned at DEMO_NOW, three days before payday, and notified.
    share = _alert(SHARE_WARNING, RuleKind.SHARE_NOT_COVERED)
    assert share.state in (AlertState.OPEN, AlertState.NOTIFIED)
    assert share.month == "2025-10"
    assert share.amount > 0
    assert share.raised_at == DEMO_NOW
    assert _notice(SHARE_WARNING).alert == share

    # 2. Notice opened a day after it was sent, fewer than 7 days ago, not acknowledged.
    opened = _notice(NOTICE_OPENED)
    [opening] = NoticeOpening.objects.filter(link__notice=opened)
    assert opening.ip
    assert "MicroMessenger" in opening.user_agent
    assert datetime.timedelta(hours=12) < opening.at - opened.created_at
    assert DEMO_NOW - opened.created_at < datetime.timedelta(days=7)
    assert not hasattr(opened, "acknowledgement")
    assert not opened.letters.exists()

    # 3. No answer for 7 days: a demand letter, not posted yet.
    letter = DemandLetter.objects.get(notice__employee__number=LETTER_NOT_POSTED)
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert not letter.dispatches.exists()
    assert _alert(LETTER_NOT_POSTED, RuleKind.ARREARS_OVER).state == AlertState.ESCALATED

    # 4. The seed story: 1500.00 owed, the letter posted by EMS with the scanned receipt.
    seed = _alert(LETTER_POSTED, RuleKind.ARREARS_OVER)
    assert seed.amount == Decimal("1500.00")
    assert seed.state == AlertState.ESCALATED
    assert NoticeOpening.objects.filter(link__notice__employee__number=LETTER_POSTED).exists()
    dispatch = PostalDispatch.objects.get(letter__notice__employee__number=LETTER_POSTED)
    assert dispatch.tracking_number
    assert len(dispatch.receipt_sha256) == 64
    assert dispatch.letter.amount == Decimal("1500.00")

    # 5. Acknowledged in the portal by the employee, repaid, and the warning resolved.
    repaid = Employee.objects.get(number=REPAID)
    assert arrears_balance(repaid) == 0
    assert _notice(REPAID).acknowledgement.user == repaid.user
    assert _alert(REPAID, RuleKind.ARREARS_OVER).state == AlertState.RESOLVED


def test_make_run_serves_the_demo_at_its_moment():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")

    assert f"DEMO_NOW ?= {DEMO_NOW.isoformat()}\n" in makefile
    assert "RENSHI_NOW=$(DEMO_NOW)" in makefile


def test_october_is_calculated_after_every_ledger_movement_so_it_can_be_approved(summary):
    from renshi.payroll.services import payroll_run_approve

    run = Employee.objects.get(number=SHARE_WARNING).company.payroll_runs.get(month="2025-10")
    assert run.state == RunState.CALCULATED

    assert payroll_run_approve(actor=None, run=run).state == RunState.APPROVED


def test_a_second_load_changes_nothing(summary):
    letters = DemandLetter.objects.count()

    assert demo_company_load(employees=STORY_MIN_EMPLOYEES)["created"] is False
    assert DemandLetter.objects.count() == letters


def test_renshi_alerts_list_shows_the_open_warnings_of_the_demo(tmp_path: Path) -> None:
    assert renshi("migrate", "-v0", tmp_path=tmp_path).returncode == 0
    demo = renshi("demo", "--employees", str(STORY_MIN_EMPLOYEES), "--json", tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr

    listed = renshi("alerts", "list", "--json", tmp_path=tmp_path)
    ticked = renshi("tick", "--json", tmp_path=tmp_path, env={"RENSHI_NOW": DEMO_NOW.isoformat()})

    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert all({"employee", "rule", "amount", "state"} <= set(row) for row in rows)
    standing = {(row["employee"], row["rule"]): row for row in rows}
    seed = standing[(LETTER_POSTED, "arrears_over")]
    assert (seed["amount"], seed["state"]) == ("1500.00", "escalated")
    assert standing[(SHARE_WARNING, "share_not_covered")]["state"] == "notified"
    assert standing[(NOTICE_OPENED, "arrears_over")]["amount"] == "1200.00"
    assert (REPAID, "arrears_over") not in standing  # resolved
    # On the demo's clock, a tick finds everything already done as of that moment.
    tick = json.loads(ticked.stdout)
    assert tick["now"] == DEMO_NOW.isoformat()
    assert (tick["raised"], tick["resolved"], tick["letters"]) == (0, 0, 0)


def test_a_malformed_demo_clock_stops_at_start_up_naming_the_variable(
    tmp_path: Path, settings
) -> None:
    result = renshi("tick", tmp_path=tmp_path, env={"RENSHI_NOW": "2025-11-07 9am"})

    assert result.returncode != 0
    assert settings.RENSHI_NOW_FORMAT_ERROR.format(value="2025-11-07 9am") in result.stderr
