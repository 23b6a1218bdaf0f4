"""Reads of the policy library: bundled files, the override directory, then imports."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max

from renshi.core.policy import CityPolicy, PolicyLibrary
from renshi.core.policy_loader import BUNDLED_DIR, load_library, parse_policy_text
from renshi.policies.models import PolicyFile

IMPORTED_PREFIX = "database:"
_lock = threading.Lock()
_cache: dict[str, object] = {}


def _imported_state() -> tuple[int, int] | None:
    try:
        state = PolicyFile.objects.filter(is_active=True).aggregate(n=Count("id"), last=Max("id"))
    except DatabaseError:
        # No tables yet (a fresh database before `renshi migrate`): nothing has been imported.
        return None
    return state["n"], state["last"] or 0


def imported_policies() -> list[CityPolicy]:
    return [
        parse_policy_text(record.content, file=f"{IMPORTED_PREFIX}{record.pk}:{record.filename}")
        for record in PolicyFile.objects.filter(is_active=True).order_by("city")
    ]


def policy_library() -> PolicyLibrary:
    """The library in force, rebuilt only when the imports or the override directory change."""
    state = _imported_state()
    key = (state, settings.RENSHI_POLICY_DIR)
    with _lock:
        if _cache.get("key") == key:
            library = _cache["library"]
            assert isinstance(library, PolicyLibrary)
            return library
        library = load_library(
            override_dir=settings.RENSHI_POLICY_DIR or None,
            extra=imported_policies() if state else (),
        )
        _cache.update(key=key, library=library)
        return library


def policy_origin(policy: CityPolicy) -> str:
    """Where a city's policy came from: ``bundled``, ``override`` or ``imported``.

    Read off the origin the loader recorded, so nothing is loaded again to tell.
    """
    if policy.origin.startswith(IMPORTED_PREFIX):
        return "imported"
    if Path(policy.origin).parent == BUNDLED_DIR:
        return "bundled"
    return "override"
