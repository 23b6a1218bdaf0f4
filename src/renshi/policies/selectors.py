"""Reads of the policy library: bundled files, the override directory, then imports."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max

from renshi.core.policy import CityPolicy, PolicyLibrary
from renshi.core.policy_loader import load_directory, load_library, parse_policy_text
from renshi.policies.models import PolicyFile

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
        parse_policy_text(record.content, file=f"database:{record.pk}:{record.filename}")
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


def policy_origin_layers() -> dict[str, str]:
    """Where each city's policy comes from: ``bundled``, ``override`` or ``imported``."""
    library = policy_library()
    origins: dict[str, str] = {}
    override = (
        {p.city for p in load_directory(settings.RENSHI_POLICY_DIR)}
        if settings.RENSHI_POLICY_DIR
        else set()
    )
    for code, policy in library.cities.items():
        if policy.origin.startswith("database:"):
            origins[code] = "imported"
        elif code in override:
            origins[code] = "override"
        else:
            origins[code] = "bundled"
    return origins
