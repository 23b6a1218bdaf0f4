"""Back-payment test data: a Beijing employee hired 2024-01 and enrolled only from 2025-01, so
the twelve months of 2024 are a gap; the clock is the demo's, 2025-11-07 09:00."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user

from renshi.access.models import Role

NOW = datetime.datetime(2025, 11, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock(settings):
    settings.RENSHI_SIMULATED_NOW = NOW


@pytest.fixture
def company():
    return make_company(code="huaxia")


@pytest.fixture
def employee(company):
    person = make_employee(
        company,
        number="HX0002",
        name="李明",
        hire_date=datetime.date(2024, 1, 10),
        user=make_user("liming"),
    )
    make_enrolment(
        person, base=Decimal("10000"), start_month="2025-01", housing_fund_rate=Decimal("0.12")
    )
    return person


@pytest.fixture
def colleague(company):
    return make_employee(
        company,
        number="HX0005",
        name="赵敏",
        hire_date=datetime.date(2024, 1, 1),
        user=make_user("hx0005"),
    )


def _staff(company, username, role):
    user = make_user(username, is_staff=True)
    grant_role(user, company, role)
    return user


@pytest.fixture
def hr(company):
    return _staff(company, "hr", Role.HR)


@pytest.fixture
def clerk(company):
    return _staff(company, "sbclerk", Role.SI_CLERK)


@pytest.fixture
def finance(company):
    return _staff(company, "finance", Role.FINANCE)
