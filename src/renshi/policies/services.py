"""Writes to the policy library: importing and withdrawing policy files."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from renshi.core.policy import CityPolicy
from renshi.core.policy_loader import parse_policy_text
from renshi.policies.models import PolicyFile


def policy_file_import(
    *, text: str, filename: str, user: AbstractBaseUser | None = None, note: str = ""
) -> tuple[PolicyFile, CityPolicy]:
    """Validate ``text`` as a policy file and make it the city's policy.

    Raises ``PolicyFileError`` (file, field, reason) and changes nothing when the file is bad.
    The previous import for the city stays on record, inactive.
    """
    policy = parse_policy_text(text, file=filename)
    with transaction.atomic():
        PolicyFile.objects.select_for_update().filter(city=policy.city, is_active=True).update(
            is_active=False
        )
        record = PolicyFile.objects.create(
            city=policy.city,
            filename=filename,
            content=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            is_active=True,
            imported_by=user if user is not None and user.is_authenticated else None,
            note=note,
        )
    return record, policy


def policy_file_withdraw(*, city: str) -> int:
    """Stop using the imported file for ``city``; the bundled or override file applies again."""
    with transaction.atomic():
        return PolicyFile.objects.filter(city=city, is_active=True).update(is_active=False)
