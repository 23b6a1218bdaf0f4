"""Writes that belong to the installation as a whole: demonstration data."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_USERNAME = "admin"


def demo_data_load(*, employees: int = 120, progress: Any = None) -> dict[str, Any]:
    """A back-office account and the demo company (see ``renshi.demo``).

    Idempotent: an existing superuser or demo company is kept. The superuser's password is
    random and shown once; the demo company's accounts share the documented demo password.
    """
    from renshi.demo import demo_company_load

    user_model = get_user_model()
    result: dict[str, Any] = {"created": False, "username": None, "password": None}
    with transaction.atomic():
        if not user_model.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(9)
            user_model.objects.create_superuser(DEMO_USERNAME, "admin@example.invalid", password)
            result = {"created": True, "username": DEMO_USERNAME, "password": password}
    company = demo_company_load(employees=employees, progress=progress)
    result["company"] = company
    result["created"] = result["created"] or company["created"]
    return result
