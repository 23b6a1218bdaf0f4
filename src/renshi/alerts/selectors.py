"""Reads of warnings, limited to what the actor may see, and in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from renshi.access.checks import Perm, companies_visible, employees_visible, has_perm
from renshi.alerts.models import STANDING_STATES, Alert
from renshi.core.errors import Message
from renshi.core.money import format_money

if TYPE_CHECKING:
    from renshi.access.checks import Actor


def alerts_visible(
    *, actor: Actor, company_code: str | None = None, standing_only: bool = True
) -> QuerySet[Alert]:
    """Warnings the actor may see: a company's HR, finance, clerks and auditors see all of its
    warnings; a manager those of their department; an employee their own."""
    alerts = Alert.objects.select_related("company", "rule", "employee")
    if company_code:
        alerts = alerts.filter(company__code=company_code)
    if standing_only:
        alerts = alerts.filter(state__in=STANDING_STATES)
    condition = Q(pk__in=[])
    for company in companies_visible(actor):
        if has_perm(actor, Perm.PAYROLL_VIEW, company=company) or has_perm(
            actor, Perm.ENROLMENT_EDIT, company=company
        ):
            condition |= Q(company=company)
        else:
            visible = employees_visible(actor, company, Perm.PEOPLE_VIEW)
            condition |= Q(company=company, employee__in=visible)
    return alerts.filter(condition).order_by("-raised_at", "-id")


def alert_data(alert: Alert, translate: Callable[[str], str] = str) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "company": alert.company.code,
        "employee": alert.employee.number if alert.employee else None,
        "name": alert.employee.name if alert.employee else None,
        "rule": alert.rule.kind,
        "severity": alert.severity,
        "state": alert.state,
        "month": alert.month,
        "amount": None if alert.amount is None else format_money(alert.amount),
        "cause": alert.cause,
        "message": Message(alert.template, alert.params).render(translate),
        "raised_at": alert.raised_at.isoformat(),
        "links": alert.links,
    }
