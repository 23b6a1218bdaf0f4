"""Employees in and out of Excel: batch 增员 (import), batch 减员, and export.

An import is checked as a whole first. Any bad row rejects the file with every problem found,
each naming its row, column and reason (``SpreadsheetRejected``); a good file is applied through
the services in one transaction, all or nothing. The export writes exactly the import's
columns, so an exported file imports again into another company; the resident ID and bank
account are in full only for those allowed to see them, and a masked file is refused on import.

Excel stores numbers as binary floats with 15 significant digits: IDs and bank accounts must be
text, amounts are read through ``Decimal(str(value))`` (the shortest text of the float) and
rejected if they have more than two decimals.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from renshi.access.checks import Perm, employees_visible, has_perm, require
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.evidence.services import evidence_append_many
from renshi.people import crypto
from renshi.people.errors import (
    BadChoiceError,
    BadDateError,
    DuplicateInFileError,
    EmptySpreadsheetError,
    MissingColumnError,
    PeopleError,
    RequiredValueError,
    SpreadsheetError,
    StoredAsNumberError,
    UnknownEmployeeError,
)
from renshi.people.identity import mask_bank_account, mask_id_number, parse_resident_id
from renshi.people.models import (
    Company,
    Employee,
    EmployeeStatus,
    EmploymentType,
    Enrolment,
    EnrolmentState,
)
from renshi.people.selectors import OPEN_STATES, decrypted_bank_account, decrypted_id_number
from renshi.people.services import employee_resign, onboard_clean
from renshi.people.validation import CompanyIndex, EmployeeInput, EnrolmentInput, check_employee
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor

SpreadsheetFile = str | Path | bytes | IO[bytes]
DATE_FORMAT = "yyyy-mm-dd"
_DATE_PATTERNS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_DIGITS = 15  # significant digits Excel keeps in a number


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the services' argument (and errors' field) name
    header: str  # the Chinese header, written on export
    aliases: tuple[str, ...] = ()  # English headers also accepted on import
    is_required: bool = False  # the column itself must be present
    kind: str = "text"  # text, id, account, date, amount, rate, month


EMPLOYEE_COLUMNS: tuple[Column, ...] = (
    Column("number", "工号", ("employee number", "number", "employee no"), True),
    Column("name", "姓名", ("name",), True),
    Column("id_number", "身份证号", ("resident id", "id number"), True, "id"),
    Column("phone", "手机", ("phone", "mobile")),
    Column("email", "邮箱", ("email",)),
    Column("bank_name", "开户银行", ("bank", "bank name")),
    Column("bank_account", "银行账号", ("bank account",), False, "account"),
    Column("department", "部门编码", ("department code", "department")),
    Column("position", "岗位编码", ("position code", "position")),
    Column("employment_type", "用工类型", ("employment type",)),
    Column("work_city", "工作城市", ("work city",)),
    Column("hire_date", "入职日期", ("hire date",), True, "date"),
    Column("city", "参保城市", ("social insurance city", "insurance city")),
    Column("work_injury_class", "工伤行业类别", ("industry class", "work injury class")),
    Column("base", "缴费基数", ("contribution base", "base"), False, "amount"),
    Column("housing_fund_rate", "公积金比例", ("housing fund rate",), False, "rate"),
    Column("start_month", "参保起始月", ("first month", "start month"), False, "month"),
)
REMOVAL_COLUMNS: tuple[Column, ...] = (
    Column("number", "工号", ("employee number", "number", "employee no"), True),
    Column("leave_date", "最后工作日", ("last working day", "leave date"), True, "date"),
    Column("leave_reason", "离职原因", ("reason for leaving", "reason")),
)
REMOVABLE_STATES = (EnrolmentState.PENDING_ADD, EnrolmentState.ACTIVE)
ENROLMENT_KEYS = ("city", "work_injury_class", "base", "housing_fund_rate", "start_month")
# Errors about a field with no column of its own are shown in this column.
FIELD_COLUMN = {"enrolment": "base"}
# The words a spreadsheet uses for employment types; the first of each is written on export.
EMPLOYMENT_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    EmploymentType.FULL_TIME: ("全职", "正式", "full-time", "full time"),
    EmploymentType.TEMPORARY: ("临时工", "临时", "temporary"),
    EmploymentType.FLEXIBLE: ("灵活用工", "非全日制", "兼职", "flexible", "part-time"),
    EmploymentType.INTERN: ("实习生", "实习", "intern"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a spreadsheet: row 1 is the header; ``column`` is a letter."""

    row: int
    column: str
    header: str
    reason: Message

    @property
    def message(self) -> Message:
        if self.column:
            template = gettext_noop("Row {row}, column {column} ({header}): {reason}")
        elif self.header:
            template = gettext_noop("Row {row} ({header}): {reason}")
        else:
            template = gettext_noop("Row {row}: {reason}")
        params = {"row": self.row, "column": self.column, "header": self.header}
        return Message(template, {**params, "reason": self.reason})


class SpreadsheetRejected(CoreError):
    """The file was refused; ``problems`` lists every reason. Nothing was written."""

    template = gettext_noop("{file}: {count} problem(s) found; nothing was imported")

    def __init__(self, *, problems: Sequence[Problem], file: str = "") -> None:
        self.problems = sorted(problems, key=lambda p: (p.row, len(p.column), p.column))
        super().__init__(field="file", file=file or "-", count=len(self.problems))


@dataclass(frozen=True, slots=True)
class ImportResult:
    numbers: list[str]  # the employee numbers written, in file order
    enrolment_count: int = 0  # pending 增员 (import) or 减员 requests (removals)

    @property
    def count(self) -> int:
        return len(self.numbers)


@dataclass
class _Sheet:
    """The header's columns found in a file, and its data rows as cells by key."""

    columns: dict[str, tuple[int, str]]  # key -> (0-based index, header as written)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, cells)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, key: str, spec: Sequence[Column]) -> tuple[str, str]:
        """The column letter and header for ``key`` ("" letter when the file lacks it)."""
        key = FIELD_COLUMN.get(key, key)
        if key in self.columns:
            index, header = self.columns[key]
            return get_column_letter(index + 1), header
        return "", next((c.header for c in spec if c.key == key), "")


def _normalise(header: object) -> str:
    return re.sub(r"[\s_*＊]", "", str(header or "")).casefold()


def _file_name(file: SpreadsheetFile) -> str:
    if isinstance(file, str | Path):
        return Path(file).name
    return str(getattr(file, "name", "") or "")


def _read(file: SpreadsheetFile, spec: Sequence[Column]) -> _Sheet:
    """The file's rows by column key; an unreadable file or a missing column rejects it."""
    source = io.BytesIO(file) if isinstance(file, bytes) else file
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        problem = SpreadsheetError(field="file", detail=type(error).__name__)
        raise SpreadsheetRejected(
            problems=[Problem(1, "", "", problem.reason)], file=_file_name(file)
        ) from None
    try:
        rows = (
            list(workbook.worksheets[0].iter_rows(values_only=True)) if workbook.worksheets else []
        )
    finally:
        workbook.close()
    names = {}
    for column in spec:
        for name in (column.header, column.key, *column.aliases):
            names[_normalise(name)] = column.key
    sheet = _Sheet(columns={})
    header = rows[0] if rows else ()
    for index, title in enumerate(header):
        key = names.get(_normalise(title))
        if key is not None and key not in sheet.columns:
            sheet.columns[key] = (index, str(title).strip())
    for column in spec:
        if column.is_required and column.key not in sheet.columns:
            reason = MissingColumnError(field=column.key, value=column.header).reason
            sheet.problems.append(Problem(1, "", column.header, reason))
    for number, values in enumerate(rows[1:], start=2):
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        cells = {
            key: values[index] if index < len(values) else None
            for key, (index, _title) in sheet.columns.items()
        }
        sheet.rows.append((number, cells))
    if not sheet.rows and not sheet.problems:
        sheet.problems.append(Problem(2, "", "", EmptySpreadsheetError(field="file").reason))
    if sheet.problems:  # without its columns, the rows cannot be read
        raise SpreadsheetRejected(problems=sheet.problems, file=_file_name(file))
    return sheet


# --- cell values -------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _digits_text(value: object, key: str, *, any_number: bool) -> str:
    """An ID or account: text; a number only if it cannot have lost digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    if any_number or isinstance(value, float) or len(str(abs(value))) > _EXCEL_DIGITS:
        raise StoredAsNumberError(field=key)
    return str(value)


def _date(value: object, key: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise BadDateError(field=key, value=text)


def _amount_text(value: object) -> str:
    if isinstance(value, float):
        return str(Decimal(str(value)))  # str(float) is the shortest exact text: no 0.1+0.2 noise
    return _text(value)


def _month_text(value: object) -> str:
    if isinstance(value, datetime.date):  # Excel turns a typed "2025-01" into 2025-01-01
        return f"{value.year:04d}-{value.month:02d}"
    return _text(value)


def _employment_type(value: object) -> str:
    text = _text(value)
    if not text:
        return EmploymentType.FULL_TIME
    for code, words in EMPLOYMENT_TYPE_WORDS.items():
        if text == code or text.casefold() in (w.casefold() for w in words):
            return code
    raise BadChoiceError(
        field="employment_type",
        value=text,
        choices="、".join(words[0] for words in EMPLOYMENT_TYPE_WORDS.values()),
    )


_CONVERTERS = {
    "text": _text,
    "amount": _amount_text,
    "rate": _amount_text,
    "month": _month_text,
}


def _cell(column_key: str, kind: str, value: object) -> Any:
    if column_key == "employment_type":
        return _employment_type(value)
    if kind == "id":
        return _digits_text(value, column_key, any_number=True)
    if kind == "account":
        return _digits_text(value, column_key, any_number=False)
    if kind == "date":
        return _date(value, column_key)
    return _CONVERTERS[kind](value)


def _cells(
    sheet: _Sheet, spec: Sequence[Column], row: int, raw: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """Typed values by key, and the keys whose cell could not be read (already reported)."""
    values: dict[str, Any] = {}
    bad: set[str] = set()
    for column in spec:
        if column.key not in raw:  # an optional column the file leaves out: all blank
            values[column.key] = _cell(column.key, column.kind, None)
            continue
        try:
            values[column.key] = _cell(column.key, column.kind, raw[column.key])
        except PeopleError as error:
            bad.add(column.key)
            values[column.key] = None if column.kind == "date" else ""
            _report(sheet, spec, row, error)
    return values, bad


def _report(sheet: _Sheet, spec: Sequence[Column], row: int, error: PeopleError) -> None:
    letter, header = sheet.locate(error.field or "", spec)
    sheet.problems.append(Problem(row, letter, header, error.reason))


# --- batch 增员 ---------------------------------------------------------------------------


def _employee_input(values: dict[str, Any]) -> EmployeeInput:
    has_enrolment = any(values[key] not in ("", None) for key in ENROLMENT_KEYS)
    return EmployeeInput(
        number=values["number"],
        name=values["name"],
        id_number=values["id_number"],
        hire_date=values["hire_date"],
        phone=values["phone"],
        email=values["email"],
        bank_name=values["bank_name"],
        bank_account=values["bank_account"],
        department=values["department"] or None,
        position=values["position"] or None,
        employment_type=values["employment_type"],
        work_city=values["work_city"],
        enrolment=EnrolmentInput(
            base=values["base"],
            city=values["city"],
            work_injury_class=values["work_injury_class"],
            housing_fund_rate=values["housing_fund_rate"],
            start_month=values["start_month"],
        )
        if has_enrolment
        else None,
    )


def _first_seen(seen: dict[str, int], key: str, row: int) -> int | None:
    if not key:
        return None
    if key in seen:
        return seen[key]
    seen[key] = row
    return None


def employees_import(*, actor: Actor, company: Company, file: SpreadsheetFile) -> ImportResult:
    """Batch 增员 from an .xlsx file (``EMPLOYEE_COLUMNS``): every row is checked first, and
    only a file without problems is applied, all rows in one transaction."""
    require(actor, Perm.PEOPLE_EDIT, company=company)
    sheet = _read(file, EMPLOYEE_COLUMNS)
    index = CompanyIndex.load(company, preload=True)
    numbers: dict[str, int] = {}
    ids: dict[str, int] = {}
    checked = []
    for row, raw in sheet.rows:
        values, bad = _cells(sheet, EMPLOYEE_COLUMNS, row, raw)
        data = _employee_input(values)
        clean, errors = check_employee(data, index)
        for error in errors:
            if error.field not in bad:  # an unreadable cell is reported once, as unreadable
                _report(sheet, EMPLOYEE_COLUMNS, row, error)
        duplicate = _first_seen(numbers, str(data.number).strip(), row)
        if duplicate is not None:
            _report(sheet, EMPLOYEE_COLUMNS, row, _in_file("number", data.number, duplicate))
        duplicate = _first_seen(ids, _id_hash(data.id_number), row)
        if duplicate is not None:
            _report(sheet, EMPLOYEE_COLUMNS, row, _in_file("id_number", data.number, duplicate))
        if clean is not None:
            checked.append((row, clean))
    if any(clean.enrolment is not None for _row, clean in checked):
        require(actor, Perm.ENROLMENT_EDIT, company=company)
    if sheet.problems:
        raise SpreadsheetRejected(problems=sheet.problems, file=_file_name(file))
    with transaction.atomic():
        onboarded = [
            onboard_clean(clean, actor=actor, index=index, source="import")
            for _row, clean in checked
        ]
        evidence_append_many(records=[record for _employee, record in onboarded])
    employees = [employee for employee, _record in onboarded]
    return ImportResult(
        numbers=[e.number for e in employees],
        enrolment_count=sum(1 for _row, clean in checked if clean.enrolment is not None),
    )


def _id_hash(value: str) -> str:
    try:
        return crypto.lookup_hash(parse_resident_id(value).number)
    except PeopleError:  # reported by the checks already
        return ""


def _in_file(field_name: str, number: object, other_row: int) -> PeopleError:
    return DuplicateInFileError(field=field_name, number=str(number or ""), other_row=other_row)


# --- batch 减员 ---------------------------------------------------------------------------


def removals_import(*, actor: Actor, company: Company, file: SpreadsheetFile) -> ImportResult:
    """Batch 减员 from an .xlsx file (``REMOVAL_COLUMNS``): each row resigns an employee
    through ``employee_resign``. The rows are tried in a transaction that is rolled back
    unless every one succeeds, so the services' own checks find the problems."""
    require(actor, Perm.PEOPLE_EDIT, company=company)
    sheet = _read(file, REMOVAL_COLUMNS)
    employees = {e.number: e for e in Employee.objects.filter(company=company)}
    seen: dict[str, int] = {}
    done: list[str] = []
    enrolments = 0
    with transaction.atomic():
        for row, raw in sheet.rows:
            values, bad = _cells(sheet, REMOVAL_COLUMNS, row, raw)
            if bad:  # already reported as unreadable
                continue
            number = values["number"]
            employee = employees.get(number)
            first = _first_seen(seen, number, row)
            error: PeopleError | None = None
            if not number:
                error = RequiredValueError(field="number")
            elif employee is None:
                error = UnknownEmployeeError(field="number", value=number)
            elif first is not None:
                error = _in_file("number", number, first)
            elif values["leave_date"] is None:
                error = RequiredValueError(field="leave_date", number=number)
            if error is not None:
                _report(sheet, REMOVAL_COLUMNS, row, error)
                continue
            assert employee is not None
            to_remove = employee.enrolments.filter(state__in=REMOVABLE_STATES).count()
            try:
                with transaction.atomic():
                    employee_resign(
                        actor=actor,
                        employee=employee,
                        leave_date=values["leave_date"],
                        reason=values["leave_reason"],
                    )
            except PeopleError as failure:
                _report(sheet, REMOVAL_COLUMNS, row, failure)
                continue
            done.append(number)
            enrolments += to_remove
        if sheet.problems:
            transaction.set_rollback(True)
    if sheet.problems:
        raise SpreadsheetRejected(problems=sheet.problems, file=_file_name(file))
    return ImportResult(numbers=done, enrolment_count=enrolments)


# --- export ------------------------------------------------------------------------------


def _latest_enrolments(employees: list[Employee]) -> dict[int, Enrolment]:
    latest: dict[int, Enrolment] = {}
    rows = Enrolment.objects.filter(
        employee__in=[e.pk for e in employees], state__in=OPEN_STATES
    ).order_by("employee_id", "start_month", "id")
    for enrolment in rows:
        latest[enrolment.employee_id] = enrolment
    return latest


def _city_name(code: str) -> str:
    policy = policy_library().cities.get(code)
    return policy.name_zh if policy is not None else code


def _export_rows(
    actor: Actor, company: Company, employees: list[Employee], *, reveal: bool
) -> Iterator[list[Any]]:
    enrolments = _latest_enrolments(employees)
    for employee in employees:
        show_id = reveal and has_perm(
            actor, Perm.ID_NUMBER_VIEW, company=company, employee=employee
        )
        show_account = reveal and has_perm(
            actor, Perm.BANK_ACCOUNT_VIEW, company=company, employee=employee
        )
        enrolment = enrolments.get(employee.pk)
        yield [
            employee.number,
            employee.name,
            decrypted_id_number(employee) if show_id else mask_id_number(employee.id_number_last4),
            employee.phone,
            employee.email,
            employee.bank_name,
            decrypted_bank_account(employee)
            if show_account
            else mask_bank_account(employee.bank_account_last4),
            employee.department.code if employee.department else "",
            employee.position.code if employee.position else "",
            EMPLOYMENT_TYPE_WORDS[employee.employment_type][0],
            _city_name(employee.work_city),
            employee.hire_date,
            _city_name(enrolment.city) if enrolment else "",
            enrolment.work_injury_class if enrolment else "",
            # Decimal, as stored: openpyxl writes it as a number without going through float.
            enrolment.base if enrolment else None,
            enrolment.housing_fund_rate
            if enrolment and enrolment.housing_fund_rate is not None
            else None,
            enrolment.start_month if enrolment else "",
        ]


def employees_export(
    *, actor: Actor, company: Company, reveal: bool = False, include_left: bool = False
) -> bytes:
    """The employees ``actor`` may see, as an .xlsx in the import's columns.

    With ``reveal`` the resident ID and bank account are written in full where the actor may
    see them, masked elsewhere; without it always masked. The enrolment shown is the latest one
    not yet ended. Employees who have left are included only with ``include_left``.
    """
    employees = employees_visible(actor, company).select_related("department", "position")
    if not include_left:
        employees = employees.exclude(status=EmployeeStatus.LEFT)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "员工"
    sheet.append([column.header for column in EMPLOYEE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for values in _export_rows(actor, company, list(employees.order_by("number")), reveal=reveal):
        sheet.append(values)
    for index, column in enumerate(EMPLOYEE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 4)
        number_format = {
            "date": DATE_FORMAT,
            "amount": "0.00",
            "rate": "0.00%",
        }.get(column.kind, "@")
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = number_format
    sheet.column_dimensions[get_column_letter(3)].width = 22
    sheet.column_dimensions[get_column_letter(7)].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
