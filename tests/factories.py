"""Test factories for every app: plain functions that make one row each, with sensible defaults.

They write rows directly (no services, no enrolment unless asked) so a test sets up only what
it is about. Import them as ``from tests.factories import make_company, make_employee``.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from renshi.access.models import RoleAssignment
from renshi.people import crypto
from renshi.people.identity import resident_id_check_digit
from renshi.people.models import (
    Company,
    Department,
    Employee,
    Enrolment,
    Position,
)

AREA = "110105"  # 北京市朝阳区
_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def valid_resident_id(
    birth: date = date(1990, 1, 1), gender: str = "male", seq: int | None = None
) -> str:
    """A checksum-valid 18-character resident ID; the sequence's parity gives the gender
    (odd: male). Without ``seq`` every call gives a new ID."""
    parity = 1 if gender == "male" else 0
    if seq is None:
        seq = (_next() * 2 + parity) % 1000
    elif seq % 2 != parity:
        raise ValueError(f"sequence {seq} is {'odd' if seq % 2 else 'even'}, not {gender}")
    first17 = f"{AREA}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_digit(first17)


def make_company(
    code: str | None = None, city: str = "beijing", payday: int = 10, name: str | None = None
) -> Company:
    code = code or f"company-{_next()}"
    return Company.objects.create(
        code=code, name=name or f"{code} 有限公司", default_city=city, payday=payday
    )


def make_department(
    company: Company,
    code: str | None = None,
    name: str | None = None,
    parent: Department | None = None,
) -> Department:
    code = code or f"D{_next()}"
    return Department.objects.create(
        company=company, code=code, name=name or f"部门 {code}", parent=parent
    )


def make_position(company: Company, code: str | None = None, name: str | None = None) -> Position:
    code = code or f"P{_next()}"
    return Position.objects.create(company=company, code=code, name=name or f"岗位 {code}")


def make_employee(
    company: Company,
    *,
    number: str | None = None,
    name: str = "张三",
    birth: date = date(1990, 1, 1),
    gender: str = "male",
    hire_date: date = date(2024, 1, 1),
    department: Department | None = None,
    position: Position | None = None,
    work_city: str = "beijing",
    user: Any = None,
    bank_account: str = "6222020200112233445",
    bank_name: str = "中国工商银行",
    employment_type: str = "full_time",
    status: str = "active",
    id_number: str | None = None,
    **fields: Any,
) -> Employee:
    """An employee row with its ID and bank account encrypted as the services would."""
    id_number = id_number or valid_resident_id(birth, gender)
    return Employee.objects.create(
        company=company,
        number=number or f"E{_next():05d}",
        name=name,
        id_number_encrypted=crypto.encrypt(id_number, purpose=crypto.ID_NUMBER_PURPOSE),
        id_number_hash=crypto.lookup_hash(id_number),
        id_number_last4=id_number[-4:],
        gender=gender,
        birth_date=birth,
        bank_name=bank_name if bank_account else "",
        bank_account_encrypted=crypto.encrypt(bank_account, purpose=crypto.BANK_ACCOUNT_PURPOSE)
        if bank_account
        else "",
        bank_account_last4=bank_account[-4:],
        department=department,
        position=position,
        employment_type=employment_type,
        work_city=work_city,
        hire_date=hire_date,
        status=status,
        user=user,
        **fields,
    )


def make_enrolment(
    employee: Employee,
    *,
    city: str = "beijing",
    base: Decimal = Decimal("10000"),
    start_month: str = "2025-01",
    end_month: str = "",
    state: str = "active",
    housing_fund_rate: Decimal | None = None,
    work_injury_class: str = "1",
    **fields: Any,
) -> Enrolment:
    return Enrolment.objects.create(
        employee=employee,
        city=city,
        base=base,
        start_month=start_month,
        end_month=end_month,
        state=state,
        housing_fund_rate=housing_fund_rate,
        work_injury_class=work_injury_class,
        **fields,
    )


def make_user(username: str | None = None, **fields: Any) -> Any:
    password = fields.pop("password", "pw")
    return get_user_model().objects.create_user(
        username=username or f"user{_next()}", password=password, **fields
    )


def grant_role(
    user: Any, company: Company, role: str, department: Department | None = None
) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user, company=company, role=role, department=department
    )
