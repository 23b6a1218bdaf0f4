"""People for the planning pages' tests: an employee with an account, signed in, on a fixed day.

The day is the demo's (2025-11-07): the tests set the clock with ``RENSHI_SIMULATED_NOW`` so the
months counted and the years ahead do not move with the calendar.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from tests.factories import make_company, make_employee, make_enrolment, make_user

from renshi.people.models import Company, Employee

PASSWORD = "pw-planning-1"
TODAY = datetime.date(2025, 11, 7)
NOW = datetime.datetime(2025, 11, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def employee_with_account(
    company: Company | None = None,
    *,
    username: str = "planner",
    birth: datetime.date = datetime.date(1990, 5, 20),
    gender: str = "male",
    city: str = "beijing",
    hire_date: datetime.date = datetime.date(2025, 1, 1),
    base: str | None = "10000",
    start_month: str = "2025-01",
    **fields: Any,
) -> Employee:
    """An employee linked to an account; enrolled in ``city`` from ``start_month`` unless
    ``base`` is None."""
    company = company or make_company(city=city)
    user = make_user(username, password=PASSWORD)
    employee = make_employee(
        company,
        birth=birth,
        gender=gender,
        work_city=city,
        hire_date=hire_date,
        user=user,
        **fields,
    )
    if base is not None:
        make_enrolment(employee, city=city, base=Decimal(base), start_month=start_month)
    return employee


def signed_in(client: Client, employee: Employee) -> Client:
    assert employee.user is not None
    client.login(username=employee.user.get_username(), password=PASSWORD)
    return client
