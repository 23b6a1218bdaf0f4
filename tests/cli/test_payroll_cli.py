"""``renshi payroll`` and ``renshi arrears`` from the command line, on the demo company."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.test_cli_contract import renshi


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("payroll-cli")
    assert renshi("migrate", "-v0", tmp_path=path).returncode == 0
    demo = renshi("demo", "--employees", "4", "--json", tmp_path=path)
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["company"]["months_closed"] == 9
    return path


def _json(*args: str, path: Path) -> dict:  # type: ignore[type-arg]
    result = renshi(*args, "--json", tmp_path=path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_payslip_shows_every_line_with_its_explanation(data_dir: Path) -> None:
    slip = _json(
        "payroll", "show", "--company", "huaxia", "--month", "2025-09", "--employee", "HX0001",
        path=data_dir,
    )  # fmt: skip

    assert slip["is_final"] is True
    assert slip["recovered"] == "2000.00"
    assert slip["net"] == "0.00"
    assert slip["arrears_after"] == "1500.00"
    codes = [line["code"] for line in slip["lines"]]
    assert "arrears.recovery" in codes
    assert all(line["explanation"] for line in slip["lines"])


def test_the_arrears_ledger_of_the_seed_story(data_dir: Path) -> None:
    ledger = _json("arrears", "show", "--company", "huaxia", "--employee", "HX0001", path=data_dir)

    assert ledger["balance"] == "1500.00"
    assert [e["amount"] for e in ledger["entries"]] == ["287.98", "1606.01", "1606.01", "-2000.00"]


def test_run_approve_and_the_frozen_run_refuses_a_recalculation(data_dir: Path) -> None:
    run = _json("payroll", "run", "--company", "huaxia", "--month", "2025-10", path=data_dir)
    assert run["state"] == "calculated"
    assert run["employees"] >= 3

    approved = _json(
        "payroll", "approve", "--company", "huaxia", "--month", "2025-10", path=data_dir
    )
    assert approved["state"] == "approved"

    again = renshi("payroll", "run", "--company", "huaxia", "--month", "2025-10", tmp_path=data_dir)
    assert again.returncode == 2
    assert again.stderr.startswith("错误：")
    assert "2025-10" in again.stderr


def test_bad_input_names_the_option(data_dir: Path) -> None:
    unknown = renshi("payroll", "run", "--company", "nope", "--month", "2025-10", tmp_path=data_dir)
    assert unknown.returncode == 2
    assert "--company" in unknown.stderr

    bad_month = renshi(
        "payroll", "run", "--company", "huaxia", "--month", "2025-13", tmp_path=data_dir
    )
    assert bad_month.returncode == 2
    assert "--month" in bad_month.stderr

    too_much = renshi(
        "arrears", "repay", "--company", "huaxia", "--employee", "HX0001", "--amount", "1500.01",
        tmp_path=data_dir,
    )  # fmt: skip
    assert too_much.returncode == 2
    assert "1500.00" in too_much.stderr


def test_a_repayment_from_the_command_line_settles_the_debt(data_dir: Path) -> None:
    paid = _json(
        "arrears", "repay", "--company", "huaxia", "--employee", "HX0001", "--amount", "1500",
        "--date", "2025-10-20", "--reference", "转账 20251020", path=data_dir,
    )  # fmt: skip
    assert paid["balance"] == "0.00"


def test_the_annual_base_adjustment_lists_new_bases_and_flags(data_dir: Path) -> None:
    data = _json(
        "payroll", "bases", "--company", "huaxia", "--year", "2025", "--from", "2026-07",
        path=data_dir,
    )  # fmt: skip

    numbers = [line["employee"] for line in data["lines"]]
    assert "HX0001" not in numbers  # she left in 2025: no enrolment in force in 2026-07
    assert "HX0002" in numbers
    assert data["applied"] is False
    assert data["below_actual"] == sum(line["is_below_actual"] for line in data["lines"])
    line = data["lines"][numbers.index("HX0002")]
    assert line["months_paid"] in (9, 10)  # October is approved by another test of this module


def test_approving_a_month_never_run_is_an_error_and_creates_nothing(data_dir: Path) -> None:
    result = renshi(
        "payroll", "approve", "--company", "huaxia", "--month", "2026-03", tmp_path=data_dir
    )
    shown = renshi(
        "payroll", "show", "--company", "huaxia", "--month", "2026-03", "--json", tmp_path=data_dir
    )

    assert result.returncode == 2
    assert "--month" in result.stderr
    assert json.loads(shown.stdout)["state"] == "none"
