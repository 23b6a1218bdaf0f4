"""The red-flag board: standing warnings by severity, age and amount, with filters."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from renshi import clock
from renshi.access.checks import Perm, has_perm
from renshi.alerts.case import case_url
from renshi.alerts.models import AlertState, RuleKind, Severity
from renshi.alerts.selectors import alert_data, alerts_visible

SEVERITY_ORDER = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text.strip() else None
    except InvalidOperation:
        return None


@login_required
def board(request: HttpRequest) -> HttpResponse:
    params = request.GET
    show_closed = params.get("closed") == "1"
    alerts = alerts_visible(actor=request.user, standing_only=not show_closed)
    if severity := params.get("severity", ""):
        alerts = alerts.filter(severity=severity)
    if rule := params.get("rule", ""):
        alerts = alerts.filter(rule__kind=rule)
    if state := params.get("state", ""):
        alerts = alerts.filter(state=state)
    if (minimum := _decimal(params.get("min_amount", ""))) is not None:
        alerts = alerts.filter(amount__gte=minimum)
    now = clock.now()
    if (older := params.get("older_than_days", "")).isdigit():
        alerts = alerts.filter(raised_at__lte=now - datetime.timedelta(days=int(older)))
    rows = []
    sees_cases: dict[int, bool] = {}  # by company: whether the user may open its cases
    for alert in alerts.annotate(severity_rank=SEVERITY_ORDER).order_by(
        "severity_rank", "raised_at", "-amount"
    ):
        data = alert_data(alert, gettext)
        if alert.company_id not in sees_cases:
            sees_cases[alert.company_id] = has_perm(
                request.user, Perm.ARREARS_VIEW, company=alert.company
            )
        if alert.employee is not None and sees_cases[alert.company_id]:
            data["case_url"] = case_url(alert.employee.number, alert.company.code)
        data["age_days"] = (now - alert.raised_at).days
        data["rule_label"] = alert.rule.get_kind_display()
        data["state_label"] = alert.get_state_display()
        data["severity_label"] = alert.get_severity_display()
        rows.append(data)
    return render(
        request,
        "alerts/board.html",
        {
            "rows": rows,
            "filters": params,
            "severities": Severity.choices,
            "rules": RuleKind.choices,
            "states": AlertState.choices,
            "total": sum((Decimal(r["amount"]) for r in rows if r["amount"]), Decimal("0")),
        },
    )
