"""Test data for roles and access: the shared ORM fixtures."""

from tests.orm_fixtures import (  # noqa: F401 - fixtures, found by name
    company,
    grant,
    make_company,
    make_department,
    make_employee,
    make_user,
)
