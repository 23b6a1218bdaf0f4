"""Writes that belong to the installation as a whole: demonstration data."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_USERNAME = "admin"


def demo_data_load() -> dict[str, Any]:
    """Give an empty installation a back-office account; later capabilities add their data.

    Idempotent: with any user present, nothing changes. The password is random and shown once.
    """
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.exists():
            return {"created": False, "username": None, "password": None}
        password = secrets.token_urlsafe(9)
        user_model.objects.create_superuser(DEMO_USERNAME, "admin@example.invalid", password)
    return {"created": True, "username": DEMO_USERNAME, "password": password}
