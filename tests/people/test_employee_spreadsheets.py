"""Batch 增员 and 减员 from Excel, and export: a file is checked whole before it is applied."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    make_position,
    make_user,
    valid_resident_id,
)

from renshi.people.errors import (
    BadAmountError,
    BadDateError,
    DuplicateIdNumberError,
    DuplicateInFileError,
    DuplicateNumberError,
    EmployeeStateError,
    MaskedValueError,
    MissingColumnError,
    NotPositiveError,
    RateOutOfRangeError,
    RequiredValueError,
    ResidentIdChecksumError,
    SpreadsheetError,
    StoredAsNumberError,
    UnknownCityError,
    UnknownCodeError,
    UnknownEmployeeError,
)
from renshi.people.models import Employee, EmployeeStatus, Enrolment, EnrolmentChange
from renshi.people.selectors import decrypted_bank_account, decrypted_id_number
from renshi.people.services import EnrolmentInput, employee_onboard
from renshi.people.spreadsheets import (
    EMPLOYEE_COLUMNS,
    SpreadsheetRejected,
    employees_export,
    employees_import,
    removals_import,
)

pytestmark = pytest.mark.django_db
HEADERS = [column.header for column in EMPLOYEE_COLUMNS]


def xlsx(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def row(**values: Any) -> list[Any]:
    """A good 增员 row; keyword arguments replace columns by key."""
    defaults: dict[str, Any] = {
        "number": "E001",
        "name": "张伟",
        "id_number": valid_resident_id(),
        "phone": "13800138000",
        "email": "",
        "bank_name": "中国银行",
        "bank_account": "6217000010001234567",
        "department": "RD",
        "position": "ENG",
        "employment_type": "全职",
        "work_city": "北京",
        "hire_date": date(2025, 3, 1),
        "city": "",
        "work_injury_class": "",
        "base": 12000,
        "housing_fund_rate": "",
        "start_month": "",
    }
    defaults.update(values)
    return [defaults[column.key] for column in EMPLOYEE_COLUMNS]


def company_with_structure(code: str | None = None) -> Any:
    company = make_company(code)
    make_department(company, code="RD", name="研发部")
    make_position(company, code="ENG", name="工程师")
    return company


def problems_of(
    caught: pytest.ExceptionInfo[SpreadsheetRejected],
) -> set[tuple[int, str, str, str]]:
    return {(p.row, p.column, p.header, p.reason.template) for p in caught.value.problems}


def test_a_good_file_hires_everyone_with_pending_enrolments(tmp_path: Path) -> None:
    company = company_with_structure()
    file = xlsx(
        tmp_path / "hire.xlsx",
        [
            row(number="E001", base="12,000.00", housing_fund_rate="12%", start_month="2025-04"),
            row(
                number="E002",
                id_number=valid_resident_id(date(1999, 9, 9), "female"),
                employment_type="灵活用工",
                base=None,
                hire_date="2025/03/15",
            ),
        ],
    )

    result = employees_import(actor=None, company=company, file=file)

    assert (result.numbers, result.enrolment_count) == (["E001", "E002"], 1)
    first = Employee.objects.get(number="E001")
    assert (first.department.code, first.position.code, first.work_city) == ("RD", "ENG", "beijing")
    enrolment = first.enrolments.get()
    assert (
        enrolment.state,
        enrolment.start_month,
        enrolment.base,
        enrolment.housing_fund_rate,
    ) == (
        "pending_add",
        "2025-04",
        Decimal("12000.00"),
        Decimal("0.1200"),
    )
    second = Employee.objects.get(number="E002")
    assert (second.employment_type, second.hire_date, second.gender) == (
        "flexible",
        date(2025, 3, 15),
        "female",
    )
    assert not second.enrolments.exists()


def test_a_file_with_bad_rows_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    company = company_with_structure()
    good_id = valid_resident_id()
    bad_checksum = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    file = xlsx(
        tmp_path / "bad.xlsx",
        [
            row(number="E001"),  # row 2: good
            row(number="E002", id_number=bad_checksum),  # row 3
            row(number="E003", department="NOPE", name=""),  # row 4
            row(number="E004", work_city="atlantis"),  # row 5
            row(number="E005", hire_date="2025-02-30"),  # row 6
            row(number="E006", base=-5),  # row 7
            row(number="E007", base=1000.123),  # row 8
            row(number="E008", housing_fund_rate=0.2, hire_date=date(2025, 8, 1)),  # row 9
        ],
    )
    counts = (Employee.objects.count(), Enrolment.objects.count(), EnrolmentChange.objects.count())

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company, file=file)

    assert problems_of(caught) == {
        (3, "C", "身份证号", ResidentIdChecksumError.reason_template),
        (4, "B", "姓名", RequiredValueError.reason_template),
        (4, "H", "部门编码", UnknownCodeError.reason_template),
        (5, "K", "工作城市", UnknownCityError.reason_template),
        (6, "L", "入职日期", BadDateError.reason_template),
        (7, "O", "缴费基数", NotPositiveError.reason_template),
        (8, "O", "缴费基数", BadAmountError.reason_template),
        (9, "P", "公积金比例", RateOutOfRangeError.reason_template),
    }
    assert caught.value.params["count"] == 8
    assert (
        (
            Employee.objects.count(),
            Enrolment.objects.count(),
            EnrolmentChange.objects.count(),
        )
        == counts
        == (0, 0, 0)
    )


def test_a_problem_renders_with_its_row_column_and_header(tmp_path: Path) -> None:
    file = xlsx(tmp_path / "bad.xlsx", [row(), row(number="E002", name="")])

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company_with_structure(), file=file)

    [problem] = caught.value.problems
    assert problem.message.render() == "Row 3, column B (姓名): a value is required"


def test_duplicates_within_the_file_name_the_first_row(tmp_path: Path) -> None:
    same_id = valid_resident_id()
    file = xlsx(
        tmp_path / "dup.xlsx",
        [
            row(number="E001", id_number=same_id),
            row(number="E001", id_number=valid_resident_id()),
            row(number="E003", id_number=same_id.lower()),
        ],
    )

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company_with_structure(), file=file)

    found = {
        (p.row, p.column, p.reason.template, p.reason.params["other_row"])
        for p in caught.value.problems
    }
    assert found == {
        (3, "A", DuplicateInFileError.reason_template, 2),
        (4, "C", DuplicateInFileError.reason_template, 2),
    }


def test_duplicates_with_the_database_are_refused(tmp_path: Path) -> None:
    company = company_with_structure()
    existing = make_employee(company, number="E001", id_number=valid_resident_id(seq=901))
    file = xlsx(
        tmp_path / "dup.xlsx",
        [row(number="E001"), row(number="E002", id_number=valid_resident_id(seq=901))],
    )

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company, file=file)

    assert problems_of(caught) == {
        (2, "A", "工号", DuplicateNumberError.reason_template),
        (3, "C", "身份证号", DuplicateIdNumberError.reason_template),
    }
    assert Employee.objects.get() == existing


def test_an_id_stored_as_a_number_is_refused_for_the_digits_it_lost(tmp_path: Path) -> None:
    file = xlsx(tmp_path / "n.xlsx", [row(id_number=110105199001010011)])

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company_with_structure(), file=file)

    assert problems_of(caught) == {(2, "C", "身份证号", StoredAsNumberError.reason_template)}


def test_english_headers_are_accepted_and_missing_optional_columns_are_blank(
    tmp_path: Path,
) -> None:
    file = xlsx(
        tmp_path / "en.xlsx",
        [["E9", "Wang Fang", valid_resident_id(), date(2025, 1, 6), "temporary"]],
        headers=["Employee number", "Name", "Resident ID", "Hire date", "Employment type"],
    )

    employees_import(actor=None, company=company_with_structure(), file=file)

    employee = Employee.objects.get()
    assert (employee.number, employee.employment_type, employee.work_city) == (
        "E9",
        "temporary",
        "beijing",  # the company's default city
    )


def test_a_file_missing_a_required_column_is_rejected_at_the_header(tmp_path: Path) -> None:
    file = xlsx(tmp_path / "h.xlsx", [["E1", "张三"]], headers=["工号", "姓名"])

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company_with_structure(), file=file)

    assert problems_of(caught) == {
        (1, "", "身份证号", MissingColumnError.reason_template),
        (1, "", "入职日期", MissingColumnError.reason_template),
    }


def test_a_file_that_is_not_a_spreadsheet_is_rejected(tmp_path: Path) -> None:
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("工号,姓名\n")

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=company_with_structure(), file=bogus)

    assert caught.value.problems[0].reason.template == SpreadsheetError.reason_template


def test_export_masks_unless_revealed_to_someone_allowed(tmp_path: Path) -> None:
    company = make_company()
    employee = make_employee(company, number="E1")
    hr = make_user()
    grant_role(hr, company, "hr")
    id_number = decrypted_id_number(employee)

    def cells(data: bytes) -> dict[str, Any]:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        header, values = list(sheet.iter_rows(values_only=True))
        return dict(zip(header, values, strict=True))

    masked = cells(employees_export(actor=None, company=company, reveal=False))
    revealed = cells(employees_export(actor=None, company=company, reveal=True))
    by_hr = cells(employees_export(actor=hr, company=company, reveal=True))

    assert masked["身份证号"] == "**************" + id_number[-4:]
    assert masked["银行账号"] == "**** **** **** 3445"
    assert (revealed["身份证号"], revealed["银行账号"]) == (id_number, "6222020200112233445")
    assert (by_hr["身份证号"], by_hr["银行账号"]) == (id_number, "**** **** **** 3445")


def test_a_masked_export_is_refused_on_import(tmp_path: Path) -> None:
    source = make_company()
    make_employee(source, number="E1", employment_type="temporary")
    file = tmp_path / "masked.xlsx"
    file.write_bytes(employees_export(actor=None, company=source, reveal=False))

    with pytest.raises(SpreadsheetRejected) as caught:
        employees_import(actor=None, company=make_company(), file=file)

    assert problems_of(caught) == {
        (2, "C", "身份证号", MaskedValueError.reason_template),
        (2, "G", "银行账号", MaskedValueError.reason_template),
    }


FIELDS = [
    "number",
    "name",
    "gender",
    "birth_date",
    "phone",
    "email",
    "bank_name",
    "bank_account_last4",
    "id_number_last4",
    "id_number_hash",
    "employment_type",
    "work_city",
    "hire_date",
    "status",
]
ENROLMENT_FIELDS = [
    "city",
    "work_injury_class",
    "base",
    "housing_fund_rate",
    "start_month",
    "state",
]


def test_an_export_imports_into_a_fresh_company_with_identical_values(tmp_path: Path) -> None:
    source = company_with_structure()
    department, position = source.departments.get(), source.positions.get()
    employee_onboard(
        actor=None,
        company=source,
        number="A-01",
        name="欧阳娜娜",
        id_number=valid_resident_id(date(1991, 12, 1), "female"),
        phone="+86 138-0013-8000",
        email="nana@example.com",
        bank_name="招商银行",
        bank_account="6225880123456789012",
        department=department,
        position=position,
        work_city="shanghai",
        hire_date=date(2025, 2, 17),
        enrolment=EnrolmentInput(
            base=Decimal("31884.37"),
            city="shanghai",
            housing_fund_rate="0.07",
            start_month="2025-03",
        ),
    )
    employee_onboard(
        actor=None,
        company=source,
        number="B-02",
        name="Li Lei",
        id_number=valid_resident_id(date(2001, 1, 31), "male"),
        employment_type="intern",
        work_city="beijing",
        hire_date=date(2025, 7, 1),
    )
    file = tmp_path / "round.xlsx"
    file.write_bytes(employees_export(actor=None, company=source, reveal=True))
    target = company_with_structure()

    result = employees_import(actor=None, company=target, file=file)

    assert result.numbers == ["A-01", "B-02"]
    for number in result.numbers:
        before = Employee.objects.get(company=source, number=number)
        after = Employee.objects.get(company=target, number=number)
        assert [getattr(after, f) for f in FIELDS] == [getattr(before, f) for f in FIELDS]
        assert decrypted_id_number(after) == decrypted_id_number(before)
        assert decrypted_bank_account(after) == decrypted_bank_account(before)
        assert [_code(after.department), _code(after.position)] == [
            _code(before.department),
            _code(before.position),
        ]
        assert _enrolments(after) == _enrolments(before)
    assert _enrolments(Employee.objects.get(company=target, number="A-01")) == [
        ["shanghai", "1", Decimal("31884.37"), Decimal("0.0700"), "2025-03", "pending_add"]
    ]


def _code(row: Any) -> str | None:
    return row.code if row is not None else None


def _enrolments(employee: Employee) -> list[list[Any]]:
    return [[getattr(e, f) for f in ENROLMENT_FIELDS] for e in employee.enrolments.all()]


def test_batch_removal_resigns_everyone_in_the_file(tmp_path: Path) -> None:
    company = make_company()
    first = make_employee(company, number="E1")
    make_enrolment(first, start_month="2024-01")
    second = make_employee(company, number="E2", employment_type="temporary")
    file = xlsx(
        tmp_path / "out.xlsx",
        [["E1", date(2025, 6, 30), "合同到期"], ["E2", "2025-07-15", ""]],
        headers=["工号", "最后工作日", "离职原因"],
    )

    result = removals_import(actor=None, company=company, file=file)

    assert (result.numbers, result.enrolment_count) == (["E1", "E2"], 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.leave_date, first.leave_reason) == (
        EmployeeStatus.LEAVING,
        date(2025, 6, 30),
        "合同到期",
    )
    enrolment = first.enrolments.get()
    assert (enrolment.state, enrolment.end_month, enrolment.removal_due_date) == (
        "pending_remove",
        "2025-06",
        date(2025, 7, 1),
    )
    assert second.leave_date == date(2025, 7, 15)


def test_a_removal_file_with_any_bad_row_changes_nobody(tmp_path: Path) -> None:
    company = make_company()
    good = make_employee(company, number="E1", hire_date=date(2024, 1, 1))
    make_enrolment(good, start_month="2024-01")
    make_employee(company, number="E2", status="leaving", leave_date=date(2025, 5, 31))
    make_employee(company, number="E3", hire_date=date(2025, 6, 1))
    file = xlsx(
        tmp_path / "out.xlsx",
        [
            ["E1", "2025-06-30", ""],  # row 2: good, but rolled back
            ["E9", "2025-06-30", ""],  # row 3: no such employee
            ["E2", "2025-06-30", ""],  # row 4: already leaving
            ["E3", "2025-05-31", ""],  # row 5: before the hire date
            ["E1", "2025-06-30", ""],  # row 6: twice in the file
            ["E4", "30/06/2025", ""],  # row 7: not a date
        ],
        headers=["工号", "最后工作日", "离职原因"],
    )

    with pytest.raises(SpreadsheetRejected) as caught:
        removals_import(actor=None, company=company, file=file)

    assert {(p.row, p.column, p.reason.template) for p in caught.value.problems} == {
        (3, "A", UnknownEmployeeError.reason_template),
        (4, "B", EmployeeStateError.reason_template),
        (5, "B", "{value} is before {other_label} {other}"),
        (6, "A", DuplicateInFileError.reason_template),
        (7, "B", BadDateError.reason_template),
    }
    good.refresh_from_db()
    assert (good.status, good.leave_date) == (EmployeeStatus.ACTIVE, None)
    assert good.enrolments.get().state == "active"
    assert not EnrolmentChange.objects.exists()


def test_a_month_typed_into_excel_as_a_date_is_read_as_that_month(tmp_path: Path) -> None:
    file = xlsx(tmp_path / "m.xlsx", [row(start_month=date(2025, 5, 1))])

    employees_import(actor=None, company=company_with_structure(), file=file)

    assert Enrolment.objects.get().start_month == "2025-05"


def test_an_amount_read_from_a_float_has_no_binary_noise(tmp_path: Path) -> None:
    file = xlsx(tmp_path / "f.xlsx", [row(base=0.1 + 0.2 + 10000)])  # 10000.300000000001

    employees_import(actor=None, company=company_with_structure(), file=file)

    assert Enrolment.objects.get().base == Decimal("10000.30")
