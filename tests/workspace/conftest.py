"""Shared set-up of the workspace tests: a small company with payroll, and its staff."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    make_user,
)
from tests.payroll.factories import assign_salary

from renshi.access.models import Role

# The workspace's "today" in these tests: the demo's moment, a Friday before payday.
TODAY = datetime.datetime(2025, 11, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _workspace_clock(settings):
    settings.RENSHI_SIMULATED_NOW = TODAY


class Acme:
    """A Beijing company with two departments, four employees paid from January 2025, and a
    user for each staff role."""

    def __init__(self) -> None:
        self.company = make_company(code="acme", name="Acme 有限公司")
        self.sales = make_department(self.company, code="SALES", name="销售部")
        self.works = make_department(self.company, code="WORKS", name="生产部")
        self.employees = {}
        for number, name, department in (
            ("A001", "王芳", self.sales),
            ("A002", "李明", self.sales),
            ("A003", "赵强", self.works),
            ("A004", "陈静", self.works),
        ):
            employee = make_employee(
                self.company,
                number=number,
                name=name,
                department=department,
                hire_date=datetime.date(2024, 1, 1),
            )
            make_enrolment(employee, base=Decimal("10000"), start_month="2025-01")
            assign_salary(employee, base="12000", month="2025-01")
            self.employees[number] = employee
        self.hr = self.staff("hr", Role.HR)
        self.finance = self.staff("finance", Role.FINANCE)
        self.clerk = self.staff("sbclerk", Role.SI_CLERK)
        self.auditor = self.staff("auditor", Role.AUDITOR)
        self.manager = make_user("manager")
        grant_role(self.manager, self.company, Role.MANAGER, department=self.works)
        self.plain = make_user("plain")
        self.employees["A002"].user = self.plain
        self.employees["A002"].save(update_fields=["user"])

    def staff(self, username: str, role: str):
        user = make_user(username)
        grant_role(user, self.company, role)
        return user


@pytest.fixture
def acme() -> Acme:
    return Acme()
