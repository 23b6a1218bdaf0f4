"""What the people services write to the evidence log, as records to append.

Kinds (other parts of Renshi and outside readers rely on these names):

``employee.onboarded``
    number, name, hire date, work city, employment type, department and position codes, the
    pending 增员 opened with it (city, first month, bases) and who did it.
``employee.resigned``
    number, name, last working day, reason, each 减员 requested (or enrolment cancelled) and who.
``enrolment.confirmed``
    the bureau's acceptance of a 增员 or 减员: the enrolment, its state before and after, the
    reason and who recorded it; for a 减员, whether the employee has now left.

The resident ID and the bank account are encrypted personal data and never go into an entry;
neither do the lookup hash and the last four digits, which identify the person as well.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from renshi.evidence.canonical import decimal_at_scale
from renshi.evidence.services import EvidenceRecord
from renshi.people.models import ENROLMENT_BASE_FIELDS, Employee, Enrolment

if TYPE_CHECKING:
    from renshi.access.checks import Actor

KIND_ONBOARDED = "employee.onboarded"
KIND_RESIGNED = "employee.resigned"
KIND_ENROLMENT_CONFIRMED = "enrolment.confirmed"


def actor_username(actor: Actor) -> str | None:
    """Who did it, as the log names them: the username, or None for the system."""
    if actor is None or not actor.is_authenticated:
        return None
    return str(actor.get_username())


def enrolment_facts(enrolment: Enrolment) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "enrolment": enrolment.pk,
        "city": enrolment.city,
        "state": enrolment.state,
        "start_month": enrolment.start_month,
        "end_month": enrolment.end_month,
        "removal_due_date": enrolment.removal_due_date,
        "work_injury_class": enrolment.work_injury_class,
    }
    facts.update((name, _stored(enrolment, name)) for name in ENROLMENT_BASE_FIELDS)
    return facts


def _stored(row: Enrolment, name: str) -> Decimal | None:
    places = row._meta.get_field(name).decimal_places  # type: ignore[union-attr]
    return decimal_at_scale(getattr(row, name), Decimal(1).scaleb(-places))


def onboarded_record(
    employee: Employee, *, enrolment: Enrolment | None, actor: Actor, source: str
) -> EvidenceRecord:
    """``source`` says how: ``form`` (one employee) or ``import`` (a spreadsheet)."""
    return EvidenceRecord(
        kind=KIND_ONBOARDED,
        company_id=employee.company_id,
        employee_id=employee.pk,
        data={
            "number": employee.number,
            "name": employee.name,
            "hire_date": employee.hire_date,
            "work_city": employee.work_city,
            "employment_type": employee.employment_type,
            "department": None if employee.department is None else employee.department.code,
            "position": None if employee.position is None else employee.position.code,
            "enrolment_added": None if enrolment is None else enrolment_facts(enrolment),
            "source": source,
            "actor": actor_username(actor),
        },
    )


def resigned_record(
    employee: Employee, *, removals: list[tuple[str, Enrolment]], actor: Actor
) -> EvidenceRecord:
    """``removals``: (the ``EnrolmentAction`` taken, the enrolment after it) for each enrolment
    the leaving ended: a 减员 requested, or a 增员 cancelled before its first month."""
    return EvidenceRecord(
        kind=KIND_RESIGNED,
        company_id=employee.company_id,
        employee_id=employee.pk,
        data={
            "number": employee.number,
            "name": employee.name,
            "leave_date": employee.leave_date,
            "reason": employee.leave_reason,
            "status": employee.status,
            "removals": [
                {"action": action, **enrolment_facts(enrolment)} for action, enrolment in removals
            ],
            "actor": actor_username(actor),
        },
    )


def enrolment_confirmed_record(
    enrolment: Enrolment,
    *,
    action: str,
    from_state: str,
    reason: str,
    actor: Actor,
    has_left: bool | None = None,
) -> EvidenceRecord:
    """``has_left``: for a confirmed 减员, whether the employee is now marked as left."""
    employee = enrolment.employee
    data: dict[str, Any] = {
        "number": employee.number,
        "name": employee.name,
        "action": action,
        "from_state": from_state,
        **enrolment_facts(enrolment),
        "reason": reason,
        "actor": actor_username(actor),
    }
    if has_left is not None:
        data["employee_has_left"] = has_left
    return EvidenceRecord(
        kind=KIND_ENROLMENT_CONFIRMED,
        company_id=employee.company_id,
        employee_id=employee.pk,
        data=data,
    )
