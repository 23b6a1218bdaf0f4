"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_from_path


def language_neutral_path(request: HttpRequest) -> dict[str, str]:
    """The current path without its language prefix, as the language switch's ``next``.

    ``set_language`` translates ``next`` under the default language; a ``/en/...`` path does
    not resolve there and would send the user back to the English page.
    """
    path = request.get_full_path()
    language = get_language_from_path(request.path_info)
    if language and language != settings.LANGUAGE_CODE:
        path = path[len(language) + 1 :] or "/"
    return {"language_neutral_path": path}


@dataclass(frozen=True, slots=True)
class Navigation:
    """What the header offers the visitor: their own records if their account is linked to an
    employee, and the workspace pages their roles open. It only chooses links; every page
    checks its own rights."""

    is_employee: bool
    perms: frozenset[str]

    @property
    def is_staff_role(self) -> bool:
        return bool(self.perms)

    def __contains__(self, perm: str) -> bool:
        return perm in self.perms


def _navigation(request: HttpRequest) -> Navigation:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return Navigation(is_employee=False, perms=frozenset())
    from renshi.access.checks import ROLE_PERMISSIONS, Perm
    from renshi.access.models import RoleAssignment
    from renshi.people.models import Employee

    if user.is_superuser:
        perms = frozenset(perm.value for perm in Perm)
    else:
        roles = RoleAssignment.objects.filter(user_id=user.pk).values_list("role", flat=True)
        perms = frozenset(
            perm.value for role in set(roles) for perm in ROLE_PERMISSIONS.get(role, ())
        )
    is_employee = Employee.objects.filter(user_id=user.pk).exists()
    return Navigation(is_employee=is_employee, perms=perms)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
