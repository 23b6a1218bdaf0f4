"""Who works in the workspace, and for which company.

A staff member is an account with a role in a company (HR, finance, the social insurance
clerk, a department manager, an auditor). One account may hold roles in several companies: the
page works in one of them at a time, chosen with ``?company=<code>`` and remembered in the
session, the first by code otherwise. An account with no role anywhere (an ordinary employee)
gets 403 with the reason; each page then checks what the roles allow with ``has_perm`` and the
services check again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renshi.access.checks import Perm, has_perm
from renshi.access.models import Role, RoleAssignment
from renshi.people.models import Company

SESSION_KEY = "workspace_company"
WorkspaceView = Callable[..., HttpResponse]


def staff_companies(user: Any) -> QuerySet[Company]:
    """Companies in which the account holds a staff role (every company for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return Company.objects.none()
    if user.is_superuser:
        return Company.objects.order_by("code")
    ids = RoleAssignment.objects.filter(user_id=user.pk).values("company_id")
    return Company.objects.filter(pk__in=ids).order_by("code")


@dataclass(frozen=True, slots=True)
class Desk:
    """The company the page works in, the others the account may switch to, and what the
    account's roles allow there (for choosing what to show; the services decide)."""

    company: Company
    companies: tuple[Company, ...]
    perms: frozenset[str]
    roles: frozenset[str]

    def __contains__(self, perm: str) -> bool:
        return perm in self.perms

    @property
    def sees_people(self) -> bool:
        """Whether the account may look people up: company-wide, or a manager's departments."""
        return Perm.PEOPLE_VIEW in self.perms or Role.MANAGER in self.roles


def desk_for(request: HttpRequest, company: Company | None = None) -> Desk | None:
    """The desk of the signed-in account: in ``company`` when given (a run's page), else the
    one chosen by ``?company=``, then the session, then the first; None without a role."""
    companies = tuple(staff_companies(request.user))
    if not companies:
        return None
    by_code = {c.code: c for c in companies}
    if company is None:
        chosen = request.GET.get("company", "") or request.session.get(SESSION_KEY, "")
        company = by_code.get(chosen, companies[0])
    elif company.code not in by_code:
        return None
    request.session[SESSION_KEY] = company.code
    perms = frozenset(perm.value for perm in Perm if has_perm(request.user, perm, company=company))
    roles = frozenset(
        RoleAssignment.objects.filter(user_id=request.user.pk, company=company).values_list(
            "role", flat=True
        )
    )
    return Desk(company=company, companies=companies, perms=perms, roles=roles)


def forbidden(request: HttpRequest) -> HttpResponse:
    """403 with the reason: the workspace is for staff roles."""
    return render(request, "workspace/forbidden.html", status=403)


def workspace_page(view: WorkspaceView) -> WorkspaceView:
    """A workspace page: ``view(request, desk, ...)``; an account with no staff role in any
    company gets the explanation with 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        desk = desk_for(request)
        if desk is None:
            return forbidden(request)
        return view(request, desk, *args, **kwargs)

    return wrapper
