"""Warnings: install a company's rules, raise and resolve by evaluating them (``alert_tick``),
and the transitions people make (acknowledge, assign, dismiss with a reason, resolve).

``alert_tick(now=...)`` is the single, idempotent entry point for everything time-driven: the
Celery beat schedule, the embedded server and the tests with a simulated clock all call it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from renshi import clock
from renshi.access.checks import Perm, recorded_user, require
from renshi.alerts.evaluators import EVALUATORS, Candidate
from renshi.alerts.models import (
    STANDING_STATES,
    Alert,
    AlertEvent,
    AlertState,
    TickState,
    WarningRule,
)
from renshi.alerts.rules import DEFAULT_RULES
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.people.models import Company

if TYPE_CHECKING:
    from renshi.access.checks import Actor


STATE_NAMES = {
    AlertState.OPEN: gettext_noop("open"),
    AlertState.NOTIFIED: gettext_noop("notified"),
    AlertState.ACKNOWLEDGED: gettext_noop("acknowledged"),
    AlertState.ESCALATED: gettext_noop("escalated"),
    AlertState.RESOLVED: gettext_noop("resolved"),
    AlertState.DISMISSED: gettext_noop("dismissed"),
}
ACTION_NAMES = {
    "acknowledge": gettext_noop("acknowledged"),
    "dismiss": gettext_noop("dismissed"),
    "resolve": gettext_noop("resolved"),
}


class AlertError(CoreError):
    """A warning transition refused; nothing changed."""


class AlertStateError(AlertError):
    template = gettext_noop("{field}: a warning that is {state} cannot be {action}")


class ReasonRequiredError(AlertError):
    template = gettext_noop("{field}: say why the warning is dismissed")


@dataclass(frozen=True, slots=True)
class TickReport:
    now: datetime.datetime
    raised: int
    resolved: int
    standing: int
    notices_created: int = 0
    notices_sent: int = 0
    letters: int = 0


def warning_rules_install_defaults(*, company: Company) -> list[WarningRule]:
    """Give the company the default rules it does not have yet (idempotent)."""
    have = set(WarningRule.objects.filter(company=company).values_list("kind", flat=True))
    created = [
        WarningRule(
            company=company,
            kind=default.kind,
            threshold=default.threshold,
            lead_days=default.lead_days,
            severity=default.severity,
            channels=list(default.channels),
            recipients=list(default.recipients),
            copy_hr_and_finance=default.copy_hr_and_finance,
            escalate_after_days=default.escalate_after_days,
        )
        for default in DEFAULT_RULES
        if default.kind not in have
    ]
    return WarningRule.objects.bulk_create(created)


def _event(
    alert: Alert, action: str, before: str, after: str, at: datetime.datetime, **kwargs: Any
) -> None:
    actor = kwargs.get("actor")
    AlertEvent.objects.create(
        alert=alert,
        action=action,
        from_state=before,
        to_state=after,
        actor=recorded_user(actor),
        note=str(kwargs.get("note", ""))[:500],
        at=at,
    )


def _raise(rule: WarningRule, candidate: Candidate, now: datetime.datetime) -> bool:
    """Raise a warning for a new cause; False if one already stands for it."""
    # A standing warning already covers the cause; a dismissed one was judged by a person, and
    # the same cause does not come back to them.
    if Alert.objects.filter(
        rule=rule, cause=candidate.cause, state__in=(*STANDING_STATES, AlertState.DISMISSED)
    ).exists():
        return False
    try:
        with transaction.atomic():  # the partial unique constraint settles a race
            alert = Alert.objects.create(
                company_id=rule.company_id,
                rule=rule,
                cause=candidate.cause,
                employee_id=candidate.employee_id,
                month=candidate.month,
                amount=candidate.amount,
                severity=rule.severity,
                template=candidate.template,
                params=candidate.params,
                links=candidate.links,
                raised_at=now,
                updated_at=now,
            )
            _event(alert, "raise", "", AlertState.OPEN, now)
    except IntegrityError:
        return False
    return True


def _resolve_gone(rule: WarningRule, causes: set[str], now: datetime.datetime) -> int:
    resolved = 0
    for alert in Alert.objects.filter(rule=rule, state__in=STANDING_STATES).exclude(
        cause__in=causes
    ):
        before = alert.state
        alert.state = AlertState.RESOLVED
        alert.updated_at = alert.closed_at = now
        alert.save(update_fields=["state", "updated_at", "closed_at"])
        _event(alert, "resolve", before, AlertState.RESOLVED, now, note="cause gone")
        resolved += 1
    return resolved


def _refresh(rule: WarningRule, candidate: Candidate, now: datetime.datetime) -> None:
    """A standing warning follows its cause's figures (a debt partly repaid, more leave)."""
    Alert.objects.filter(rule=rule, cause=candidate.cause, state__in=STANDING_STATES).exclude(
        amount=candidate.amount, params=candidate.params
    ).update(
        amount=candidate.amount, params=candidate.params, links=candidate.links, updated_at=now
    )


def alert_tick(*, now: datetime.datetime | None = None) -> TickReport:
    """Evaluate every active rule of every company at ``now``; raise and resolve accordingly."""
    now = now or clock.now()
    raised = resolved = 0
    for company in Company.objects.order_by("id"):
        warning_rules_install_defaults(company=company)
        for rule in WarningRule.objects.filter(company=company, is_active=True).order_by("kind"):
            candidates = EVALUATORS[rule.kind](company, rule, timezone.localtime(now))
            with transaction.atomic():
                for candidate in candidates:
                    if _raise(rule, candidate, now):
                        raised += 1
                    else:
                        _refresh(rule, candidate, now)
                resolved += _resolve_gone(rule, {c.cause for c in candidates}, now)
    from renshi.notices.services import notices_tick  # notices build on warnings

    notices = notices_tick(now=now)
    standing = Alert.objects.filter(state__in=STANDING_STATES).count()
    return TickReport(
        now=now,
        raised=raised,
        resolved=resolved,
        standing=standing,
        notices_created=notices.created,
        notices_sent=notices.sent,
        letters=notices.escalated,
    )


def _transition(
    *,
    actor: Actor,
    alert: Alert,
    to: AlertState,
    allowed: tuple[str, ...],
    action: str,
    note: str = "",
) -> Alert:
    require(actor, Perm.PEOPLE_VIEW, company=alert.company)
    now = clock.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state not in allowed:
            raise AlertStateError(
                field="state",
                state=Message(STATE_NAMES[alert.state]),
                action=Message(ACTION_NAMES[action]),
            )
        before = alert.state
        alert.state = to
        alert.updated_at = now
        fields = ["state", "updated_at"]
        if to in (AlertState.RESOLVED, AlertState.DISMISSED):
            alert.closed_at = now
            fields.append("closed_at")
        if to == AlertState.DISMISSED:
            alert.dismissed_reason = note[:500]
            fields.append("dismissed_reason")
        alert.save(update_fields=fields)
        _event(alert, action, before, to, now, actor=actor, note=note)
    return alert


def alert_acknowledge(*, actor: Actor, alert: Alert, note: str = "") -> Alert:
    return _transition(
        actor=actor,
        alert=alert,
        to=AlertState.ACKNOWLEDGED,
        allowed=(AlertState.OPEN, AlertState.NOTIFIED, AlertState.ESCALATED),
        action="acknowledge",
        note=note,
    )


def alert_dismiss(*, actor: Actor, alert: Alert, reason: str) -> Alert:
    if not reason.strip():
        raise ReasonRequiredError(field="reason")
    return _transition(
        actor=actor,
        alert=alert,
        to=AlertState.DISMISSED,
        allowed=STANDING_STATES,
        action="dismiss",
        note=reason,
    )


def alert_resolve(*, actor: Actor, alert: Alert, note: str = "") -> Alert:
    return _transition(
        actor=actor,
        alert=alert,
        to=AlertState.RESOLVED,
        allowed=STANDING_STATES,
        action="resolve",
        note=note,
    )


def alert_assign(*, actor: Actor, alert: Alert, owner: Any) -> Alert:
    require(actor, Perm.PEOPLE_VIEW, company=alert.company)
    alert.owner = owner
    alert.updated_at = clock.now()
    alert.save(update_fields=["owner", "updated_at"])
    _event(
        alert, "assign", alert.state, alert.state, alert.updated_at, actor=actor, note=str(owner)
    )
    return alert


def tick_if_due(*, now: datetime.datetime | None = None, every: datetime.timedelta) -> bool:
    """Run ``alert_tick`` unless it ran less than ``every`` ago; claimed by a conditional
    update, so two processes asking at once run it once. Returns whether it ran."""
    now = now or clock.now()  # the demo clock (RENSHI_NOW) too, not only the real one
    state, _ = TickState.objects.get_or_create(name="tick")
    claimed = (
        TickState.objects.filter(pk=state.pk)
        .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - every))
        .update(last_run_at=now)
    )
    if not claimed:
        return False
    alert_tick(now=now)
    return True
