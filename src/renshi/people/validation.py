"""Checks on people data, shared by the services and the spreadsheet import.

Each ``clean_*`` function takes one value and returns it cleaned or raises a ``PeopleError`` for
its field; ``check_employee`` runs them all and returns every problem at once, which is what a
spreadsheet's report needs. Nothing here writes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from stdnum.cn import uscc

from renshi.core.months import Month, MonthFormatError
from renshi.core.policy import (
    InsuranceKind,
    PolicyLibrary,
    PolicyPeriodMissing,
    PolicySnapshot,
    UnknownCity,
)
from renshi.people import crypto
from renshi.people.errors import (
    BadAmountError,
    BadChoiceError,
    BadMonthError,
    BadRateError,
    BankAccountError,
    CreditCodeError,
    DateOrderError,
    DuplicateIdNumberError,
    DuplicateNumberError,
    EmailError,
    EnrolmentRequiredError,
    MaskedValueError,
    NotInCompanyError,
    NotPositiveError,
    PaydayError,
    PeopleError,
    PhoneError,
    RateOutOfRangeError,
    RequiredValueError,
    UnknownCityError,
    UnknownCodeError,
    UnknownInjuryClassError,
    ValueTooLongError,
    choice_label,
)
from renshi.people.identity import ResidentId, is_masked, parse_resident_id
from renshi.people.models import (
    Company,
    Department,
    Employee,
    EmploymentType,
    Enrolment,
    Position,
)
from renshi.policies.selectors import policy_library

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
AMOUNT_LIMIT = Decimal("1e10")  # the amount columns hold 12 digits, 2 after the point
# Temporary and flexible workers are usually not enrolled by the company (flexible workers
# contribute as individuals); interns who are still students are not in a labour relation.
MAY_GO_UNENROLLED = frozenset(
    {EmploymentType.TEMPORARY, EmploymentType.FLEXIBLE, EmploymentType.INTERN}
)
EMPLOYEE_CHANGEABLE = (
    "name",
    "id_number",
    "phone",
    "email",
    "bank_name",
    "bank_account",
    "department",
    "position",
    "employment_type",
    "work_city",
)
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")
_ACCOUNT_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True, slots=True)
class EnrolmentInput:
    """A new enrolment (增员). Blank fields take the defaults named here."""

    base: Decimal | str | None = None
    city: str = ""  # blank: the employee's work city
    work_injury_class: str = ""  # blank: the city's default class
    housing_fund_rate: Decimal | str | None = None  # None: the city's default at payroll time
    start_month: str = ""  # blank: the hire month


@dataclass(frozen=True, slots=True)
class EmployeeInput:
    """An employee to onboard, as the services and the spreadsheet import both give it.

    ``department`` and ``position`` are rows or their codes.
    """

    number: str
    name: str
    id_number: str
    hire_date: datetime.date | None
    phone: str = ""
    email: str = ""
    bank_name: str = ""
    bank_account: str = ""
    department: Department | str | None = None
    position: Position | str | None = None
    employment_type: str = EmploymentType.FULL_TIME
    work_city: str = ""
    enrolment: EnrolmentInput | None = None


@dataclass
class CleanEmployee:
    fields: dict[str, Any]
    resident_id: ResidentId
    bank_account: str
    enrolment: dict[str, Any] | None


@dataclass
class CompanyIndex:
    """What validation looks up in a company, loaded once for a whole spreadsheet."""

    company: Company
    library: PolicyLibrary
    departments: dict[str, Department]
    positions: dict[str, Position]
    numbers: set[str] | None = None  # None: ask the database each time
    id_owners: dict[str, str] | None = None  # lookup hash -> employee number
    exclude_pk: int | None = None  # the employee being edited
    today: datetime.date = field(default_factory=timezone.localdate)

    @classmethod
    def load(cls, company: Company, *, preload: bool = False) -> CompanyIndex:
        index = cls(
            company=company,
            library=policy_library(),
            departments={d.code: d for d in Department.objects.filter(company=company)},
            positions={p.code: p for p in Position.objects.filter(company=company)},
        )
        if preload:
            employees = Employee.objects.filter(company=company)
            index.numbers = set(employees.values_list("number", flat=True))
            index.id_owners = dict(employees.values_list("id_number_hash", "number"))
        return index

    def _employees(self) -> models.QuerySet[Employee]:
        employees = Employee.objects.filter(company=self.company)
        return employees.exclude(pk=self.exclude_pk) if self.exclude_pk else employees

    def is_number_taken(self, number: str) -> bool:
        if self.numbers is not None:
            return number in self.numbers
        return self._employees().filter(number=number).exists()

    def id_owner(self, id_hash: str) -> str | None:
        if self.id_owners is not None:
            return self.id_owners.get(id_hash)
        return (
            self._employees()
            .filter(id_number_hash=id_hash)
            .values_list("number", flat=True)
            .first()
        )

    def remember(self, employee: Employee) -> None:
        if self.numbers is not None:
            self.numbers.add(employee.number)
        if self.id_owners is not None:
            self.id_owners[employee.id_number_hash] = employee.number


def clean_text(value: object, *, field: str, number: str | None, limit: int, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise RequiredValueError(field=field, number=number)
    if len(text) > limit:
        raise ValueTooLongError(field=field, number=number, limit=limit)
    return text


def clean_amount(
    value: object,
    *,
    field: str,
    number: str | None = None,
    step: Decimal = CENT,
    below: Decimal = AMOUNT_LIMIT,
) -> Decimal:
    """A positive amount below ``below`` with at most two decimals (``step``), from a Decimal,
    int, float or text."""
    if isinstance(value, float):
        value = str(value)  # the shortest text that reads back as the same float
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise BadAmountError(field=field, number=number, value=str(value)) from None
    if not amount.is_finite():
        raise BadAmountError(field=field, number=number, value=str(value))
    if amount <= 0:
        raise NotPositiveError(field=field, number=number, value=str(value))
    if amount >= below or amount != amount.quantize(step):
        raise BadAmountError(field=field, number=number, value=str(value))
    return amount.quantize(step)


def clean_rate(value: object, *, field: str, number: str | None = None) -> Decimal:
    """A rate as a fraction (``0.12``) or a percentage (``12%``), at most four decimals."""
    text = str(value).strip()
    try:
        rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise BadRateError(field=field, number=number, value=text) from None
    if not rate.is_finite() or not 0 < rate <= 1 or rate != rate.quantize(RATE_STEP):
        raise BadRateError(field=field, number=number, value=text)
    return rate.quantize(RATE_STEP)


def clean_month(value: str, *, field: str, number: str | None = None) -> Month:
    try:
        return Month.parse(value, field=field)
    except MonthFormatError:
        raise BadMonthError(field=field, number=number, value=value) from None


def clean_city(library: PolicyLibrary, value: str, *, field: str, number: str | None = None) -> str:
    """The library's code for a city given by code or by its Chinese or English name."""
    text = (value or "").strip()
    if not text:
        raise RequiredValueError(field=field, number=number)
    by_name = {
        name.lower(): code
        for code, policy in library.cities.items()
        for name in (policy.name_zh, policy.name_en)
    }
    try:
        return library.city(by_name.get(text.lower(), text), field=field).city
    except UnknownCity:
        raise UnknownCityError(
            field=field, number=number, value=text, known=", ".join(sorted(library.cities))
        ) from None


def clean_bank_account(value: str, *, number: str | None = None) -> str:
    text = _ACCOUNT_SEPARATORS.sub("", value or "")
    if not text:
        return ""
    if is_masked(text):
        raise MaskedValueError(field="bank_account", number=number)
    if not text.isdigit() or not 8 <= len(text) <= 32:
        raise BankAccountError(field="bank_account", number=number)
    return text


def policy_snapshot(library: PolicyLibrary, city: str, month: Month) -> PolicySnapshot | None:
    # A month beyond the library's periods (next year's figures not yet published) must not
    # block an onboarding; the payroll run reports the missing period when it needs it.
    try:
        return library.lookup(city, month)
    except PolicyPeriodMissing:
        return None


def clean_choice(
    value: str, choices: type[models.TextChoices], *, field: str, number: str | None
) -> str:
    if value not in choices.values:
        raise BadChoiceError(
            field=field, number=number, value=value, choices=", ".join(choices.values)
        )
    return value


def clean_member(
    value: Any, rows: dict[str, Any], company: Company, *, field: str, number: str | None
) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        row = rows.get(value.strip())
        if row is None:
            raise UnknownCodeError(field=field, number=number, value=value)
        return row
    if value.company_id != company.pk:
        raise NotInCompanyError(field=field, number=number, value=str(value))
    return value


def _collect(errors: list[PeopleError], check: Callable[[], Any]) -> Any:
    try:
        return check()
    except PeopleError as error:
        errors.append(error)
        return None


def check_employee(
    data: EmployeeInput, index: CompanyIndex
) -> tuple[CleanEmployee | None, list[PeopleError]]:
    """Every problem with ``data`` (all of them, for a spreadsheet's report), or the clean data."""
    errors: list[PeopleError] = []
    number = str(data.number or "").strip() or None

    def check_number() -> str:
        text = clean_text(data.number, field="number", number=None, limit=40, required=True)
        if index.is_number_taken(text):
            raise DuplicateNumberError(field="number", number=text, value=text)
        return text

    def check_id() -> ResidentId:
        if is_masked(data.id_number or ""):
            raise MaskedValueError(field="id_number", number=number)
        clean_text(data.id_number, field="id_number", number=number, limit=40, required=True)
        resident = parse_resident_id(data.id_number, number=number, today=index.today)
        owner = index.id_owner(crypto.lookup_hash(resident.number))
        if owner is not None:
            raise DuplicateIdNumberError(field="id_number", number=number, other=owner)
        return resident

    def check_phone() -> str:
        text = clean_text(data.phone, field="phone", number=number, limit=40, required=False)
        if text and not _PHONE_RE.match(text):
            raise PhoneError(field="phone", number=number, value=text)
        return text

    def check_email() -> str:
        text = clean_text(data.email, field="email", number=number, limit=254, required=False)
        try:
            if text:
                validate_email(text)
        except ValidationError:
            raise EmailError(field="email", number=number, value=text) from None
        return text

    def check_hire_date() -> datetime.date:
        if data.hire_date is None:
            raise RequiredValueError(field="hire_date", number=number)
        return data.hire_date

    company = index.company
    values = {
        "number": _collect(errors, check_number),
        "name": _collect(
            errors,
            lambda: clean_text(data.name, field="name", number=number, limit=100, required=True),
        ),
        "phone": _collect(errors, check_phone),
        "email": _collect(errors, check_email),
        "bank_name": _collect(
            errors,
            lambda: clean_text(
                data.bank_name, field="bank_name", number=number, limit=100, required=False
            ),
        ),
        "department": _collect(
            errors,
            lambda: clean_member(
                data.department, index.departments, company, field="department", number=number
            ),
        ),
        "position": _collect(
            errors,
            lambda: clean_member(
                data.position, index.positions, company, field="position", number=number
            ),
        ),
        "employment_type": _collect(
            errors,
            lambda: clean_choice(
                data.employment_type, EmploymentType, field="employment_type", number=number
            ),
        ),
        "work_city": _collect(
            errors,
            lambda: clean_city(
                index.library,
                data.work_city or company.default_city,
                field="work_city",
                number=number,
            ),
        ),
        "hire_date": _collect(errors, check_hire_date),
    }
    resident = _collect(errors, check_id)
    bank_account = _collect(errors, lambda: clean_bank_account(data.bank_account, number=number))
    enrolment = None
    if data.enrolment is not None:
        enrolment = _check_enrolment(data.enrolment, values, index, number, errors)
    elif values["employment_type"] and values["employment_type"] not in MAY_GO_UNENROLLED:
        errors.append(
            EnrolmentRequiredError(
                field="enrolment",
                number=number,
                employment_type=choice_label(values["employment_type"]),
            )
        )
    if errors:
        return None, errors
    values["gender"] = resident.gender
    values["birth_date"] = resident.birth_date
    return CleanEmployee(values, resident, bank_account, enrolment), []


def _check_enrolment(
    data: EnrolmentInput,
    employee: dict[str, Any],
    index: CompanyIndex,
    number: str | None,
    errors: list[PeopleError],
) -> dict[str, Any] | None:
    before = len(errors)
    city = None
    if data.city or employee["work_city"]:  # a bad work city is reported once, as itself
        city = _collect(
            errors,
            lambda: clean_city(
                index.library, data.city or employee["work_city"], field="city", number=number
            ),
        )
    if data.base in (None, ""):
        errors.append(RequiredValueError(field="base", number=number))
        base = None
    else:
        base = _collect(errors, lambda: clean_amount(data.base, field="base", number=number))
    rate = None
    if data.housing_fund_rate not in (None, ""):
        rate = _collect(
            errors,
            lambda: clean_rate(data.housing_fund_rate, field="housing_fund_rate", number=number),
        )
    hire_date = employee["hire_date"]
    start = None
    if data.start_month:
        start = _collect(
            errors, lambda: clean_month(data.start_month, field="start_month", number=number)
        )
        hire_month = Month(hire_date.year, hire_date.month) if hire_date else None
        if start is not None and hire_month is not None and start < hire_month:
            errors.append(
                DateOrderError(
                    field="start_month",
                    number=number,
                    value=str(start),
                    other_field="hire_date",
                    other=hire_date.isoformat(),
                )
            )
    elif hire_date is not None:
        start = Month(hire_date.year, hire_date.month)
    injury_class = (data.work_injury_class or "").strip()
    if city is not None and start is not None:
        snapshot = policy_snapshot(index.library, city, start)
        injury_class = _collect(
            errors, lambda: clean_injury_class(snapshot, city, injury_class, number=number)
        )
        if rate is not None:
            _collect(errors, lambda: check_rate_range(snapshot, city, rate, number=number))
    if len(errors) > before or start is None or city is None:
        return None
    return {
        "city": city,
        "base": base,
        "housing_fund_rate": rate,
        "work_injury_class": injury_class,
        "start_month": str(start),
    }


def clean_injury_class(
    snapshot: PolicySnapshot | None, city: str, value: str, *, number: str | None
) -> str:
    item = snapshot.social_insurance.item(InsuranceKind.WORK_INJURY) if snapshot else None
    if item is None or not item.employer_rate_by_class:
        if not value:
            raise RequiredValueError(field="work_injury_class", number=number)
        return value
    if not value:
        if item.default_class is None:
            raise RequiredValueError(field="work_injury_class", number=number)
        return item.default_class
    if value not in item.employer_rate_by_class:
        raise UnknownInjuryClassError(
            field="work_injury_class",
            number=number,
            value=value,
            city=city,
            known=", ".join(sorted(item.employer_rate_by_class)),
        )
    return value


def check_rate_range(
    snapshot: PolicySnapshot | None, city: str, rate: Decimal, *, number: str | None
) -> None:
    if snapshot is None:
        return
    low, high = snapshot.housing_fund.min_rate.value, snapshot.housing_fund.max_rate.value
    if low is None or high is None:  # the library does not know the range: nothing to hold to
        return
    if not low <= rate <= high:
        raise RateOutOfRangeError(
            field="housing_fund_rate",
            number=number,
            value=str(rate),
            city=city,
            low=str(low),
            high=str(high),
            month=str(snapshot.month),
        )


def employee_updates(
    employee: Employee, fields: dict[str, Any], index: CompanyIndex
) -> dict[str, Any]:
    number = employee.number
    updates: dict[str, Any] = {}
    texts = {
        "name": (100, True),
        "phone": (40, False),
        "email": (254, False),
        "bank_name": (100, False),
    }
    for name, (limit, required) in texts.items():
        if name in fields:
            updates[name] = clean_text(
                fields[name], field=name, number=number, limit=limit, required=required
            )
    if updates.get("phone") and not _PHONE_RE.match(updates["phone"]):
        raise PhoneError(field="phone", number=number, value=updates["phone"])
    if updates.get("email"):
        try:
            validate_email(updates["email"])
        except ValidationError:
            raise EmailError(field="email", number=number, value=updates["email"]) from None
    if fields.get("id_number"):
        if is_masked(fields["id_number"]):
            raise MaskedValueError(field="id_number", number=number)
        resident = parse_resident_id(fields["id_number"], number=number, today=index.today)
        id_hash = crypto.lookup_hash(resident.number)
        owner = index.id_owner(id_hash)
        if owner is not None:
            raise DuplicateIdNumberError(field="id_number", number=number, other=owner)
    if fields.get("id_number") and id_hash != employee.id_number_hash:
        updates.update(
            id_number_encrypted=crypto.encrypt(resident.number, purpose=crypto.ID_NUMBER_PURPOSE),
            id_number_hash=id_hash,
            id_number_last4=resident.last4,
            gender=resident.gender,
            birth_date=resident.birth_date,
        )
    if fields.get("bank_account"):
        account = clean_bank_account(fields["bank_account"], number=number)
        updates.update(
            bank_account_encrypted=crypto.encrypt(account, purpose=crypto.BANK_ACCOUNT_PURPOSE),
            bank_account_last4=account[-4:],
        )
    for name, rows in (("department", index.departments), ("position", index.positions)):
        if name in fields:
            updates[name] = clean_member(
                fields[name], rows, index.company, field=name, number=number
            )
    if "employment_type" in fields:
        updates["employment_type"] = clean_choice(
            fields["employment_type"], EmploymentType, field="employment_type", number=number
        )
    if "work_city" in fields:
        updates["work_city"] = clean_city(
            index.library, fields["work_city"], field="work_city", number=number
        )
    return {name: value for name, value in updates.items() if getattr(employee, name) != value}


def enrolment_updates(enrolment: Enrolment, fields: dict[str, Any], number: str) -> dict[str, Any]:
    library = policy_library()
    month = max(Month.parse(enrolment.start_month), _this_month())
    snapshot = policy_snapshot(library, enrolment.city, month)
    updates: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "work_injury_class":
            updates[name] = clean_injury_class(
                snapshot, enrolment.city, str(value or "").strip(), number=number
            )
        elif name == "housing_fund_rate":
            rate = None if value in (None, "") else clean_rate(value, field=name, number=number)
            if rate is not None:
                check_rate_range(snapshot, enrolment.city, rate, number=number)
            updates[name] = rate
        elif value in (None, "") and name != "base":
            updates[name] = None
        elif value in (None, ""):
            raise RequiredValueError(field=name, number=number)
        else:
            updates[name] = clean_amount(value, field=name, number=number)
    return updates


def _this_month() -> Month:
    today = timezone.localdate()
    return Month(today.year, today.month)


def company_values(fields: dict[str, Any], library: PolicyLibrary) -> dict[str, Any]:
    values: dict[str, Any] = {}
    limits = {"name": (200, True), "address": (300, False), "phone": (40, False)}
    for name, (limit, required) in limits.items():
        if name in fields:
            values[name] = clean_text(
                fields[name], field=name, number=None, limit=limit, required=required
            )
    if "credit_code" in fields:
        code = str(fields["credit_code"] or "").strip().upper()
        if code and not uscc.is_valid(code):
            raise CreditCodeError(field="credit_code")
        values["credit_code"] = code
    if "default_city" in fields:
        values["default_city"] = clean_city(library, fields["default_city"], field="default_city")
    if "payday" in fields:
        try:
            payday = int(fields["payday"])
        except (TypeError, ValueError):
            payday = 0
        if not 1 <= payday <= 31:
            raise PaydayError(field="payday", value=str(fields["payday"]))
        values["payday"] = payday
    return values
