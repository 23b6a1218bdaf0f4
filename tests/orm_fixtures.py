"""Test data made directly with the ORM, as pytest fixtures; the access and attendance tests
share them (their conftest files import them)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from renshi.access.models import RoleAssignment
from renshi.people.models import Company, Department, Employee

_serial = itertools.count(1)


@pytest.fixture
def make_company() -> Callable[..., Company]:
    def make(**fields: Any) -> Company:
        n = next(_serial)
        defaults = {"code": f"co{n}", "name": f"Company {n}", "default_city": "beijing"}
        return Company.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def make_department() -> Callable[..., Department]:
    def make(company: Company, parent: Department | None = None, **fields: Any) -> Department:
        n = next(_serial)
        defaults = {"code": f"d{n}", "name": f"Department {n}"}
        return Department.objects.create(company=company, parent=parent, **{**defaults, **fields})

    return make


@pytest.fixture
def make_employee() -> Callable[..., Employee]:
    def make(company: Company, **fields: Any) -> Employee:
        n = next(_serial)
        defaults = {
            "number": f"E{n:05d}",
            "name": f"Employee {n}",
            "id_number_encrypted": f"v1:test:{n}",
            "id_number_hash": f"hash-{n}",
            "id_number_last4": f"{n % 10000:04d}",
            "gender": "female",
            "birth_date": datetime.date(1990, 1, 1),
            "work_city": "beijing",
            "hire_date": datetime.date(2020, 1, 1),
        }
        return Employee.objects.create(company=company, **{**defaults, **fields})

    return make


@pytest.fixture
def make_user() -> Callable[..., Any]:
    def make(**fields: Any) -> Any:
        return get_user_model().objects.create(username=f"user{next(_serial)}", **fields)

    return make


@pytest.fixture
def grant() -> Callable[..., RoleAssignment]:
    def make(user: Any, company: Company, role: str, department: Department | None = None):
        return RoleAssignment.objects.create(
            user=user, company=company, role=role, department=department
        )

    return make


@pytest.fixture
def company(make_company: Callable[..., Company]) -> Company:
    return make_company()
