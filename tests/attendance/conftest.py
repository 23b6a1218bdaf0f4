"""Test data for time and leave: the shared ORM fixtures and the default leave types."""

from __future__ import annotations

import pytest
from tests.orm_fixtures import (  # noqa: F401 - fixtures, found by name
    company,
    grant,
    make_company,
    make_department,
    make_employee,
    make_user,
)

from renshi.attendance.models import LeaveType
from renshi.attendance.services import leave_types_install_defaults
from renshi.people.models import Company


@pytest.fixture
def leave_types(company: Company) -> dict[str, LeaveType]:  # noqa: F811 - the fixture
    leave_types_install_defaults(company=company)
    return {row.code: row for row in LeaveType.objects.filter(company=company)}
