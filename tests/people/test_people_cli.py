"""``renshi people ...`` and ``renshi keys ...``, run in-process on a fresh Typer app."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import typer
from django.utils import translation
from tests.factories import make_company, make_employee, valid_resident_id
from typer.testing import CliRunner

from renshi.people import crypto
from renshi.people.cli import register
from renshi.people.models import Employee
from renshi.people.selectors import decrypted_id_number
from renshi.people.spreadsheets import EMPLOYEE_COLUMNS

HEADERS = [column.header for column in EMPLOYEE_COLUMNS]


def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


def run(*args: str) -> object:
    with translation.override("en"):
        return CliRunner().invoke(app(), list(args))


def hire_file(path: Path, *rows: list[object]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS[:4] + ["入职日期", "缴费基数"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.django_db
def test_import_prints_each_problem_on_its_own_line_and_exits_2(tmp_path: Path) -> None:
    company = make_company("acme")
    good_id = valid_resident_id()
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    file = hire_file(
        tmp_path / "hire.xlsx",
        ["E1", "张三", good_id, "", date(2025, 1, 2), 9000],
        ["E2", "李四", bad_id, "", date(2025, 1, 2), 9000],
        ["E3", "", valid_resident_id(), "", "someday", 9000],
    )

    result = run("people", "import", "--company", company.code, str(file))

    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "error: hire.xlsx: 3 problem(s) found; nothing was imported"
    assert lines[1].startswith("Row 3, column C (身份证号): the check digit")
    assert lines[2:] == [
        "Row 4, column B (姓名): a value is required",
        "Row 4, column E (入职日期): 'someday' is not a date (write YYYY-MM-DD)",
    ]
    assert not Employee.objects.exists()


@pytest.mark.django_db
def test_import_reports_the_count_and_json_lists_the_numbers(tmp_path: Path) -> None:
    company = make_company("acme")
    file = hire_file(
        tmp_path / "hire.xlsx", ["E1", "张三", valid_resident_id(), "", "2025-01-02", 9000]
    )

    result = run("people", "import", "--company", "acme", str(file), "--json")

    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert json.loads(result.stdout) == {"numbers": ["E1"], "enrolments": 1}  # type: ignore[attr-defined]
    assert Employee.objects.get().company == company


@pytest.mark.django_db
def test_an_unknown_company_is_an_error_naming_the_option(tmp_path: Path) -> None:
    file = hire_file(tmp_path / "hire.xlsx")

    result = run("people", "import", "--company", "nope", str(file))

    assert "nope" in str(result.exception)  # type: ignore[attr-defined]
    assert result.exception.params["field"] == "company"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_rejected_exit_status_reaches_the_renshi_command(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    make_company("acme")
    file = hire_file(tmp_path / "hire.xlsx", ["E1", "", valid_resident_id(), "", "2025-01-02", 1])

    status = app()(args=["people", "import", "--company", "acme", str(file)], standalone_mode=False)

    assert status == 2
    err = capsys.readouterr().err
    assert "第2行" in err
    assert "姓名" in err


@pytest.mark.django_db
def test_export_then_remove_from_the_command_line(tmp_path: Path) -> None:
    company = make_company("acme")
    employee = make_employee(company, number="E1")
    out = tmp_path / "all.xlsx"

    exported = run("people", "export", "--company", "acme", "--out", str(out), "--reveal")
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert exported.exit_code == 0  # type: ignore[attr-defined]
    assert sheet["C2"].value == decrypted_id_number(employee)

    removals = tmp_path / "out.xlsx"
    workbook = openpyxl.Workbook()
    rows = workbook.active
    assert rows is not None
    rows.append(["工号", "最后工作日"])
    rows.append(["E1", "2025-06-30"])
    workbook.save(removals)
    removed = run("people", "remove", "--company", "acme", str(removals))

    assert removed.exit_code == 0, removed.output  # type: ignore[attr-defined]
    assert "1 employee(s) leaving" in removed.stdout  # type: ignore[attr-defined]
    employee.refresh_from_db()
    assert employee.status == "leaving"


def test_keys_generate_prints_a_ring_entry_with_the_kid_asked_for() -> None:
    result = run("keys", "generate", "--kid", "k2026")

    entry = result.stdout.strip()  # type: ignore[attr-defined]
    assert entry.startswith("k2026:")
    assert crypto.parse_key_ring(entry).current == "k2026"


def test_keys_generate_refuses_a_kid_that_would_break_the_token_format() -> None:
    result = run("keys", "generate", "--kid", "a:b")

    assert result.exit_code == 2  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_keys_rotate_prints_how_many_values_it_re_encrypted(settings) -> None:  # type: ignore[no-untyped-def]
    make_employee(make_company())
    settings.RENSHI_ENCRYPTION_KEYS = (
        f"{crypto.generate_key('new')},{settings.RENSHI_ENCRYPTION_KEYS}"
    )

    result = run("keys", "rotate")

    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert result.stdout.strip() == "2 value(s) re-encrypted with key new."  # type: ignore[attr-defined]


@pytest.fixture
def renshi_with_people(monkeypatch: pytest.MonkeyPatch) -> None:
    """``renshi``'s own error handling around these commands, before or after they are wired."""
    from renshi import cli_commands

    build_app = cli_commands.build_app

    def with_people() -> typer.Typer:
        application = build_app()
        if not any(group.name == "people" for group in application.registered_groups):
            register(application)
        return application

    monkeypatch.setattr(cli_commands, "build_app", with_people)


@pytest.mark.django_db
@pytest.mark.usefixtures("renshi_with_people")
def test_through_renshi_an_unknown_company_is_one_error_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from renshi.cli import _run_renshi

    file = hire_file(tmp_path / "hire.xlsx")
    with translation.override("en"):
        status = _run_renshi(["people", "import", "--company", "nope", str(file)])

    assert status == 2
    assert capsys.readouterr().err == "error: company: no such code 'nope'\n"


@pytest.mark.django_db
@pytest.mark.usefixtures("renshi_with_people")
def test_through_renshi_a_rejected_file_exits_2_with_chinese_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from renshi.cli import _run_renshi

    make_company("acme")
    file = hire_file(tmp_path / "hire.xlsx", ["E1", "", valid_resident_id(), "", "2025-01-02", 1])
    with translation.override("zh-hans"):
        status = _run_renshi(["people", "import", "--company", "acme", str(file)])

    lines = capsys.readouterr().err.splitlines()
    assert status == 2
    assert lines[0].startswith("错误：")
    assert len(lines) == 2
    assert "(姓名)" in lines[1] or "（姓名）" in lines[1]
