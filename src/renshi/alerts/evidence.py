"""What the evidence log keeps of warnings: ``alert.raised`` when a rule raises one, and
``alert.changed`` for each change after that, whoever made it (a person, the tick when the
cause is gone, a notice sent or escalated).

These functions only build the records, from the rows just written; the services append them
in the transaction of the change (``renshi.evidence.services.evidence_append_many``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from renshi.evidence.services import EvidenceRecord

if TYPE_CHECKING:
    from renshi.access.checks import Actor
    from renshi.alerts.models import Alert

ALERT_RAISED = "alert.raised"
ALERT_CHANGED = "alert.changed"
# Who made a change that no signed-in person made: the tick, a command, a notice's delivery.
SYSTEM = "system"
# Where a rule's figures give the date the warning is about, first found wins.
DUE_PARAMS = ("deadline", "due", "payday")


def actor_name(actor: Actor) -> str:
    if actor is None or not actor.is_authenticated:
        return SYSTEM
    return str(actor.get_username())


def alert_raised_record(alert: Alert) -> EvidenceRecord:
    params: dict[str, Any] = dict(alert.params)
    return EvidenceRecord(
        kind=ALERT_RAISED,
        company_id=alert.company_id,
        employee_id=alert.employee_id,
        data={
            "alert": alert.pk,
            "rule": alert.rule.kind,
            "severity": alert.severity,
            "cause": alert.cause,
            "month": alert.month,
            "amount": alert.amount,
            "due": next((params[name] for name in DUE_PARAMS if params.get(name)), None),
            "message": alert.template,
            "params": params,
            "state": alert.state,
            "raised_at": alert.raised_at,
        },
    )


def alert_changed_record(
    alert: Alert,
    *,
    action: str,
    before: str,
    after: str,
    actor: Actor,
    note: str,
    at: datetime.datetime,
) -> EvidenceRecord:
    return EvidenceRecord(
        kind=ALERT_CHANGED,
        company_id=alert.company_id,
        employee_id=alert.employee_id,
        data={
            "alert": alert.pk,
            "action": action,
            "from": before,
            "to": after,
            "actor": actor_name(actor),
            "note": note,
            "at": at,
        },
    )
