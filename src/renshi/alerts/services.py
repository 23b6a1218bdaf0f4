"""Warnings: install a company's rules, raise and resolve by evaluating them (``alert_tick``),
and the transitions people make (acknowledge, assign, dismiss with a reason, resolve).

``alert_tick(now=...)`` is the single, idempotent entry point for everything time-driven: the
Celery beat schedule, the embedded server and the tests with a simulated clock all call it. It
ends with the evidence log's tick (a signed checkpoint when one is due).

Every step in a warning's history is also an evidence entry (``alert.raised``,
``alert.changed``; built in ``renshi.alerts.evidence``), appended in the transaction that makes
the step, so one exists exactly when the other does.
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
from renshi.alerts.evidence import alert_changed_record, alert_raised_record
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
from renshi.evidence.services import EvidenceRecord, evidence_append_many, evidence_tick
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
RAISE = "raise"
NOTE_LENGTH = 500


class AlertError(CoreError):
    """A warning transition refused; nothing changed."""


class AlertStateError(AlertError):
    template = gettext_noop("{field}: a warning that is {state} cannot be {action}")


class ReasonRequiredError(AlertError):
    template = gettext_noop("{field}: say why the warning is dismissed")


@dataclass(frozen=True, slots=True)
class TickReport:
    """What a tick did. ``checkpoint_size`` is the size of the evidence checkpoint it signed
    (None if none was due); ``timestamped`` whether a checkpoint got its outside timestamp, and
    ``timestamp_error`` why not, when the authority failed."""

    now: datetime.datetime
    raised: int
    resolved: int
    standing: int
    notices_created: int = 0
    notices_sent: int = 0
    letters: int = 0
    checkpoint_size: int | None = None
    timestamped: bool = False
    timestamp_error: str | None = None

    def counts(self) -> dict[str, Any]:
        """What ``renshi tick --json`` and the Celery task report, besides the time."""
        return {
            "raised": self.raised,
            "resolved": self.resolved,
            "standing": self.standing,
            "notices_created": self.notices_created,
            "notices_sent": self.notices_sent,
            "letters": self.letters,
            "checkpoint": self.checkpoint_size,
            "timestamped": self.timestamped,
            "timestamp_error": self.timestamp_error,
        }


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


def alert_event_create(
    *,
    alert: Alert,
    action: str,
    before: str,
    after: str,
    at: datetime.datetime,
    actor: Actor = None,
    note: str = "",
) -> EvidenceRecord:
    """Add a step to the warning's history. Returns its evidence record (``alert.raised`` for
    the first step, ``alert.changed`` for the others), which the caller appends in the same
    transaction: a tick appends all of a rule's records at once, late, to hold the log's lock
    briefly."""
    note = str(note)[:NOTE_LENGTH]
    AlertEvent.objects.create(
        alert=alert,
        action=action,
        from_state=before,
        to_state=after,
        actor=recorded_user(actor),
        note=note,
        at=at,
    )
    if action == RAISE:
        return alert_raised_record(alert)
    return alert_changed_record(
        alert, action=action, before=before, after=after, actor=actor, note=note, at=at
    )


def _raise(
    rule: WarningRule, candidate: Candidate, now: datetime.datetime
) -> EvidenceRecord | None:
    """Raise a warning for a new cause, and return its evidence record; None if one already
    stands for it."""
    # A standing warning already covers the cause; a dismissed one was judged by a person, and
    # the same cause does not come back to them.
    if Alert.objects.filter(
        rule=rule, cause=candidate.cause, state__in=(*STANDING_STATES, AlertState.DISMISSED)
    ).exists():
        return None
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
            record = alert_event_create(
                alert=alert, action=RAISE, before="", after=AlertState.OPEN, at=now
            )
    except IntegrityError:
        return None
    return record


def _resolve_gone(
    rule: WarningRule, causes: set[str], now: datetime.datetime
) -> list[EvidenceRecord]:
    """Resolve the rule's standing warnings whose cause is gone; their evidence records."""
    records = []
    for alert in Alert.objects.filter(rule=rule, state__in=STANDING_STATES).exclude(
        cause__in=causes
    ):
        before = alert.state
        alert.state = AlertState.RESOLVED
        alert.updated_at = alert.closed_at = now
        alert.save(update_fields=["state", "updated_at", "closed_at"])
        records.append(
            alert_event_create(
                alert=alert,
                action="resolve",
                before=before,
                after=AlertState.RESOLVED,
                at=now,
                note="cause gone",
            )
        )
    return records


def _refresh(rule: WarningRule, candidate: Candidate, now: datetime.datetime) -> None:
    """A standing warning follows its cause's figures (a debt partly repaid, more leave)."""
    Alert.objects.filter(rule=rule, cause=candidate.cause, state__in=STANDING_STATES).exclude(
        amount=candidate.amount, params=candidate.params
    ).update(
        amount=candidate.amount, params=candidate.params, links=candidate.links, updated_at=now
    )


def alert_tick(*, now: datetime.datetime | None = None) -> TickReport:
    """Evaluate every active rule of every company at ``now``; raise and resolve accordingly;
    then the notices due, then the evidence log's checkpoint (outside any other transaction:
    it may wait on a timestamp authority)."""
    now = now or clock.now()
    raised = resolved = 0
    for company in Company.objects.order_by("id"):
        warning_rules_install_defaults(company=company)
        for rule in WarningRule.objects.filter(company=company, is_active=True).order_by("kind"):
            candidates = EVALUATORS[rule.kind](company, rule, timezone.localtime(now))
            with transaction.atomic():
                records = []
                for candidate in candidates:
                    record = _raise(rule, candidate, now)
                    if record is None:
                        _refresh(rule, candidate, now)
                    else:
                        records.append(record)
                raised += len(records)
                gone = _resolve_gone(rule, {c.cause for c in candidates}, now)
                resolved += len(gone)
                evidence_append_many(records=[*records, *gone], at=now)
    from renshi.notices.services import notices_tick  # notices build on warnings

    notices = notices_tick(now=now)
    standing = Alert.objects.filter(state__in=STANDING_STATES).count()
    evidence = evidence_tick(now=now)
    return TickReport(
        now=now,
        raised=raised,
        resolved=resolved,
        standing=standing,
        notices_created=notices.created,
        notices_sent=notices.sent,
        letters=notices.escalated,
        checkpoint_size=None if evidence.checkpoint is None else evidence.checkpoint.size,
        timestamped=evidence.timestamped,
        timestamp_error=evidence.timestamp_error,
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
            alert.dismissed_reason = note[:NOTE_LENGTH]
            fields.append("dismissed_reason")
        alert.save(update_fields=fields)
        record = alert_event_create(
            alert=alert, action=action, before=before, after=to, at=now, actor=actor, note=note
        )
        evidence_append_many(records=[record], at=now)
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
    now = clock.now()
    with transaction.atomic():
        # The state as it is now, not as the caller last read it: the history records it.
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        alert.owner = owner
        alert.updated_at = now
        alert.save(update_fields=["owner", "updated_at"])
        record = alert_event_create(
            alert=alert,
            action="assign",
            before=alert.state,
            after=alert.state,
            at=now,
            actor=actor,
            note=str(owner),
        )
        evidence_append_many(records=[record], at=now)
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
