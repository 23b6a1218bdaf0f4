"""What the back-payment workflow writes to the evidence log, as records to append.

Kinds (other parts of Renshi and outside readers rely on these names), each about the
employee whose request it is:

``backpay.requested``
    the months, the reason, the figures the employee was shown and confirmed (per month and
    item: base, rates, shares, late fee, the policy period and sources), their SHA-256, the
    statement, the date late fees were counted to, and who asked.
``backpay.decided``
    accepted or rejected, HR's note, and who decided.
``backpay.withdrawn``
    withdrawn by the employee while submitted.
``backpay.completed``
    HR paid the bureau; the note, and who recorded it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renshi.backpay.models import BackPayRequest
from renshi.evidence.canonical import decimal_at_scale
from renshi.evidence.services import EvidenceRecord
from renshi.people.evidence import actor_username

if TYPE_CHECKING:
    from collections.abc import Mapping

    from renshi.access.checks import Actor

KIND_REQUESTED = "backpay.requested"
KIND_DECIDED = "backpay.decided"
KIND_WITHDRAWN = "backpay.withdrawn"
KIND_COMPLETED = "backpay.completed"
_CENT = Decimal("0.01")


def request_facts(request: BackPayRequest) -> dict[str, Any]:
    """What identifies a request in every entry about it."""
    employee = request.employee
    return {
        "request": request.pk,
        "number": employee.number,
        "name": employee.name,
        "months": list(request.months),
        "grand_total": decimal_at_scale(request.grand_total, _CENT),
        "state": request.state,
    }


def _record(kind: str, request: BackPayRequest, data: Mapping[str, Any]) -> EvidenceRecord:
    return EvidenceRecord(
        kind=kind,
        company_id=request.company_id,
        employee_id=request.employee_id,
        data={**request_facts(request), **data},
    )


def requested_record(request: BackPayRequest, *, actor: Actor) -> EvidenceRecord:
    return _record(
        KIND_REQUESTED,
        request,
        {
            "reason": request.reason,
            "figures": request.figures,
            "figures_sha256": request.figures_sha256,
            "statement": request.statement,
            "pay_date": request.pay_date,
            "employer_total": decimal_at_scale(request.employer_total, _CENT),
            "employee_total": decimal_at_scale(request.employee_total, _CENT),
            "late_fee_total": decimal_at_scale(request.late_fee_total, _CENT),
            "actor": actor_username(actor),
        },
    )


def decided_record(request: BackPayRequest, *, actor: Actor) -> EvidenceRecord:
    return _record(
        KIND_DECIDED,
        request,
        {
            "is_accepted": request.state == "accepted",
            "note": request.decision_note,
            "figures_sha256": request.figures_sha256,
            "actor": actor_username(actor),
        },
    )


def withdrawn_record(request: BackPayRequest, *, actor: Actor) -> EvidenceRecord:
    return _record(KIND_WITHDRAWN, request, {"actor": actor_username(actor)})


def completed_record(request: BackPayRequest, *, actor: Actor, note: str) -> EvidenceRecord:
    return _record(
        KIND_COMPLETED,
        request,
        {
            "note": note,
            "figures_sha256": request.figures_sha256,
            "actor": actor_username(actor),
        },
    )
