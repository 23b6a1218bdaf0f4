"""The ``renshi`` command's contract: scripts and later checks rely on these shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

RENSHI = str(Path(sys.executable).parent / "renshi")


def renshi(
    *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "RENSHI_DATA_DIR": str(tmp_path), **(env or {})}
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [RENSHI, *args], capture_output=True, text=True, env=environment, timeout=60, check=False
    )


def renshi_json(*args: str, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    result = renshi(*args, "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_calc_si_for_beijing_at_the_2025_ceiling(tmp_path: Path) -> None:
    # Beijing 2025-07..2026-06 ceiling 35,811 (reference facts §2 [R]); 50,000 is above it.
    # Pension 16% / 8%: 5,729.76 / 2,864.88. Unemployment 0.5%: 179.055 → 179.06 (half up).
    # Medical employee 2% + 3 yuan: 716.22 + 3 = 719.22.
    data = renshi_json(
        "calc",
        "si",
        "--city",
        "beijing",
        "--month",
        "2025-08",
        "--wage",
        "50000",
        tmp_path=tmp_path,
    )

    items = {item["kind"]: item for item in data["items"]}
    assert set(items) >= {"pension", "medical", "unemployment", "work_injury"}
    assert all(set(item) >= {"kind", "base", "employer", "employee"} for item in data["items"])
    assert (
        items["pension"]["base"],
        items["pension"]["employer"],
        items["pension"]["employee"],
    ) == ("35811.00", "5729.76", "2864.88")
    assert items["unemployment"]["employee"] == "179.06"
    assert items["medical"]["employee"] == "719.22"
    assert data["employee_total"] == str(sum(Decimal(i["employee"]) for i in data["items"]))
    assert data["employer_total"] == str(sum(Decimal(i["employer"]) for i in data["items"]))
    assert data["housing_fund"]["is_default_rate"] is True
    assert data["housing_fund"]["employee"] == data["housing_fund"]["employer"]


def test_calc_iit_reproduces_the_official_example(tmp_path: Path) -> None:
    # STA explanation of 公告2018年第61号 [V]: January 555, February 625, March 1,850.
    data = renshi_json(
        "calc",
        "iit",
        "--year",
        "2025",
        "--monthly-income",
        "30000",
        "--special-deductions",
        "4500",
        "--additional-deductions",
        "2000",
        tmp_path=tmp_path,
    )

    assert [m["month"] for m in data["months"]][:3] == ["2025-01", "2025-02", "2025-03"]
    assert [m["withholding"] for m in data["months"][:3]] == ["555.00", "625.00", "1850.00"]
    assert data["total"] == "27480.00"


def test_calc_iit_from_july_with_the_first_job_rule(tmp_path: Path) -> None:
    # From July with the first-job rule: July's basic deduction is 5,000 × 7 = 35,000.
    # July taxable = 30,000 − 35,000 − 4,500 − 2,000 < 0 → 0 withheld.
    data = renshi_json(
        "calc",
        "iit",
        "--year",
        "2025",
        "--monthly-income",
        "30000",
        "--special-deductions",
        "4500",
        "--additional-deductions",
        "2000",
        "--start-month",
        "7",
        "--first-job-this-year",
        tmp_path=tmp_path,
    )

    assert data["months"][0] == {**data["months"][0], "month": "2025-07", "withholding": "0.00"}
    assert len(data["months"]) == 6


def test_calc_bonus_at_the_36001_step(tmp_path: Path) -> None:
    # 36,001 ÷ 12 = 3,000.08 → 10% bracket, quick deduction 210: 3,600.10 − 210 = 3,390.10.
    assert renshi_json("calc", "bonus", "--amount", "36001", tmp_path=tmp_path)["tax"] == "3390.10"


def test_calc_pension_with_a_gap(tmp_path: Path) -> None:
    data = renshi_json(
        "calc",
        "pension",
        "--birth",
        "1960-05",
        "--gender",
        "male",
        "--avg-wage",
        "10000",
        "--contribution-index",
        "1.0",
        "--years",
        "30",
        "--account-balance",
        "200000",
        "--gap-months",
        "3",
        "--gap-base",
        "10000",
        tmp_path=tmp_path,
    )

    assert (data["retirement_month"], data["divisor"]) == ("2020-05", 139)
    assert (data["basic"], data["personal"], data["total"]) == ("3000.00", "1438.85", "4438.85")
    # Seed 001: 10,000 × 8% × 3 = 2,400 less in the account; ÷ 139 ≈ 17.27 a month.
    assert data["gap_cost"]["personal_account_shortfall"] == "2400.00"
    assert data["gap_cost"]["personal_pension_loss"] == "17.27"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["calc", "si", "--city", "atlantis", "--month", "2025-08", "--wage", "1"], "--city"),
        (["calc", "si", "--city", "beijing", "--month", "1999-01", "--wage", "1"], "--month"),
        (["calc", "si", "--city", "beijing", "--month", "2025-08", "--wage", "-5"], "--wage"),
        (["calc", "si", "--city", "beijing", "--month", "2025-8x", "--wage", "5"], "--month"),
        (
            [
                "calc",
                "pension",
                "--birth",
                "1960-13",
                "--gender",
                "male",
                "--avg-wage",
                "1",
                "--contribution-index",
                "1",
                "--years",
                "1",
                "--account-balance",
                "1",
            ],
            "--birth",
        ),
        (["calc", "bonus", "--amount", "lots"], "--amount"),
        (["calc", "si", "--city", "beijing", "--month", "2025-08"], "--wage"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line_naming_the_argument(
    args: list[str], option: str, tmp_path: Path
) -> None:
    result = renshi(*args, tmp_path=tmp_path, env={"RENSHI_LANG": "en"})

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0]
    assert result.stdout == ""


def test_messages_are_chinese_by_default(tmp_path: Path) -> None:
    result = renshi(
        "calc", "si", "--city", "beijing", "--month", "1999-01", "--wage", "1", tmp_path=tmp_path
    )

    assert result.returncode != 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr), result.stderr


def test_django_management_commands_run_through_renshi(tmp_path: Path) -> None:
    migrate = renshi("migrate", "--no-input", tmp_path=tmp_path)
    demo = renshi("demo", "--json", tmp_path=tmp_path)
    again = renshi("demo", "--json", tmp_path=tmp_path)

    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "renshi.sqlite3").exists()
    assert json.loads(demo.stdout)["created"] is True
    assert json.loads(again.stdout)["created"] is False


def test_calc_deductions_adds_up_a_declaration(tmp_path: Path) -> None:
    # 1 child at 50% (1,000) + a sibling's 1,500 of elderly support + loan interest 1,000.
    data = renshi_json(
        "calc",
        "deductions",
        "--children",
        "1",
        "--children-share",
        "50",
        "--elderly-share",
        "1500",
        "--housing-loan",
        tmp_path=tmp_path,
    )

    assert data["monthly"] == "3500.00"
