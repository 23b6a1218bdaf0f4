"""Back-payment requests: the estimate the employee reads, the request, HR's decision.

``backpay_estimate`` works out, for the months asked, what is missing and the late fees (the
core's ``calculate_backpay``: payroll's own contribution function and rounding), with the
statement shown to the employee and the SHA-256 of the figures. ``backpay_request_submit``
works it out again and refuses when the digest differs from the one shown (a base, a payslip or
a policy changed, or a day passed and the late fee grew): what is stored is what was read, as
the leave cost confirmation does (``renshi.payroll.leave_cost``). Every write appends its
evidence entry in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from renshi.access.checks import Perm, has_perm, recorded_user
from renshi.backpay import evidence
from renshi.backpay.models import (
    PENDING_STATES,
    BackPayAction,
    BackPayEvent,
    BackPayRequest,
    BackPayState,
)
from renshi.backpay.selectors import (
    contributed_by_month,
    covering_enrolment,
    employee_enrolments,
    enrolment_basis,
    month_of,
    months_in_requests,
)
from renshi.clock import now as clock_now
from renshi.core.backpay import (
    BackPayResult,
    BaseOrigin,
    MonthBasis,
    calculate_backpay,
    check_months,
)
from renshi.core.errors import CoreError
from renshi.core.money import format_money, parse_non_negative
from renshi.core.months import Month
from renshi.evidence.canonical import canonical_json, sha256_hex
from renshi.evidence.services import evidence_append_many
from renshi.people.models import Employee
from renshi.people.selectors import employee_has_left
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor

# Late fees are estimated up to this many days after today: the time HR is assumed to take to
# decide and pay the bureau. Each later day adds to the fee; the bureau's figure decides.
PAY_BY_DAYS = 30
_NOTE_MAX_LENGTH = 500  # BackPayRequest.reason, .decision_note; BackPayEvent.note


class BackPayRequestError(CoreError):
    """A request or decision refused as asked; nothing was written."""


class NoBaseError(BackPayRequestError):
    template = gettext_noop(
        "{field}: no contribution base is known for {month} (no enrolment); enter the base to use"
    )


class FormerEmployeeError(BackPayRequestError):
    template = gettext_noop(
        "{field}: {name} has left the company; their records are read-only and no new request "
        "can be made"
    )


class NotConfirmedError(BackPayRequestError):
    template = gettext_noop(
        "{field}: please confirm that you have read the amounts before submitting"
    )


class StatementChangedError(BackPayRequestError):
    template = gettext_noop(
        "{field}: the figures changed since they were shown (a base, a payslip, a policy or the "
        "date changed); please read them again and confirm"
    )


class MonthPendingError(BackPayRequestError):
    template = gettext_noop(
        "{field}: {month} is already asked in request {request}, which is not completed yet"
    )


class NothingMissingError(BackPayRequestError):
    template = gettext_noop(
        "{field}: nothing is missing in the months chosen: every item was contributed in full"
    )


class NoteRequiredError(BackPayRequestError):
    template = gettext_noop("{field}: say why the request is rejected")


class WrongStateError(BackPayRequestError):
    template = gettext_noop("{field}: the request is {state}; this needs it {expected}")


STATEMENT_HEAD = gettext_noop(
    "Back-payment asked by {name} ({number}) for {months}, computed with the city's rules in "
    "force in each month:"
)
STATEMENT_MONTH = gettext_noop(
    "{month} ({city}): the company's share {employer}, your share {employee}, late fee {fee} "
    "for {days} days after the due date {due}."
)
STATEMENT_BASE = gettext_noop(
    "{month}: no enrolment covered this month; the base used is {base} ({origin})."
)
BASE_REQUESTED = gettext_noop("the base you entered")
BASE_LATEST = gettext_noop("your latest enrolment's base")
STATEMENT_TOTAL = gettext_noop(
    "In all: the company's share {employer}, your share {employee}, late fees {fee}, total {total}."
)
STATEMENT_RULES = gettext_noop(
    "Late fees are counted up to {pay_date}, the date by which HR is assumed to pay; each later "
    "day adds {rate} per cent a day of the unpaid social insurance ({rule}). The company bears "
    "the late fee. The housing fund has no daily late fee. Your share stays yours: the company "
    "pays it to the bureau with its own and recovers it from you."
)
STATEMENT_ESTIMATE = gettext_noop(
    "These are estimates; the bureau's own computation decides the amounts, and HR decides "
    "whether to accept the request. By confirming you state that you have read this before "
    "submitting."
)


@dataclass(frozen=True, slots=True)
class BackPayEstimate:
    employee_id: int
    months: tuple[str, ...]
    result: BackPayResult
    figures: dict[str, Any]
    digest: str
    statement: str


def backpay_today() -> datetime.date:
    return timezone.localdate(clock_now())


def backpay_pay_by(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=PAY_BY_DAYS)


def _parse_months(months: Sequence[str | Month]) -> list[Month]:
    return [
        month if isinstance(month, Month) else Month.parse(month, field=f"months[{index}]")
        for index, month in enumerate(months)
    ]


def _bases(
    employee: Employee, months: Sequence[Month], requested_base: Decimal | None
) -> list[MonthBasis]:
    enrolments = employee_enrolments(employee)
    latest = enrolments[-1] if enrolments else None
    paid = contributed_by_month(employee, [str(month) for month in months])
    bases: list[MonthBasis] = []
    for index, month in enumerate(months):
        month_paid = paid.get(str(month), {})
        enrolment = covering_enrolment(enrolments, month)
        if enrolment is not None:
            bases.append(enrolment_basis(enrolment, month, month_paid))
            continue
        if requested_base is not None:
            base, origin = requested_base, BaseOrigin.REQUESTED
        elif latest is not None:
            base, origin = latest.base, BaseOrigin.LATEST
        else:
            raise NoBaseError(field=f"months[{index}]", month=str(month))
        bases.append(
            MonthBasis(
                month=month,
                city=latest.city if latest is not None else employee.work_city,
                base=base,
                origin=origin,
                housing_fund_rate=None if latest is None else latest.housing_fund_rate,
                work_injury_class=None if latest is None else latest.work_injury_class or None,
                paid=month_paid,
            )
        )
    return bases


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}"


def _statement(employee: Employee, result: BackPayResult, bases: Sequence[MonthBasis]) -> str:
    money = format_money
    lines = [
        gettext(STATEMENT_HEAD).format(
            name=employee.name,
            number=employee.number,
            months=", ".join(str(month.month) for month in result.months),
        )
    ]
    origins = {basis.month: basis for basis in bases}
    rate = None
    for month in result.months:
        basis = origins[month.month]
        if basis.origin is not BaseOrigin.ENROLMENT:
            origin = BASE_REQUESTED if basis.origin is BaseOrigin.REQUESTED else BASE_LATEST
            lines.append(
                gettext(STATEMENT_BASE).format(
                    month=str(month.month), base=money(basis.base), origin=gettext(origin)
                )
            )
        lines.append(
            gettext(STATEMENT_MONTH).format(
                month=str(month.month),
                city=month.city,
                employer=money(month.employer),
                employee=money(month.employee),
                fee=money(month.late_fee),
                days=month.late_days,
                due=month.due.date.isoformat(),
            )
        )
        rate = month.late_fee_rate
    lines.append(
        gettext(STATEMENT_TOTAL).format(
            employer=money(result.employer_total),
            employee=money(result.employee_total),
            fee=money(result.late_fee_total),
            total=money(result.grand_total),
        )
    )
    if rate is not None:
        lines.append(
            gettext(STATEMENT_RULES).format(
                pay_date=result.pay_date.isoformat(),
                rate=_percent(rate),
                rule="《社会保险法》第八十六条",
            )
        )
    lines.append(gettext(STATEMENT_ESTIMATE))
    return "\n".join(lines)


def backpay_estimate(
    *,
    employee: Employee,
    months: Sequence[str | Month],
    pay_date: datetime.date,
    requested_base: object = None,
    today: datetime.date | None = None,
) -> BackPayEstimate:
    """What back-paying ``months`` costs if paid on ``pay_date``: per month and item, and in all.

    ``requested_base`` is used for months no enrolment covered (else the latest enrolment's
    base). Writes nothing; raises a ``CoreError`` naming the field for a month that cannot be
    back-paid (none, a duplicate, not over yet, outside the employment, no policy figures).
    """
    today = today or backpay_today()
    parsed = _parse_months(months)
    check_months(
        parsed,
        hire_month=month_of(employee.hire_date),
        last_employed=None if employee.leave_date is None else month_of(employee.leave_date),
        today=today,
    )
    base = (
        None
        if requested_base in (None, "")
        else parse_non_negative(requested_base, field="requested_base")
    )
    bases = _bases(employee, parsed, base)
    result = calculate_backpay(
        policy_library(),
        bases,
        hire_month=month_of(employee.hire_date),
        last_employed=None if employee.leave_date is None else month_of(employee.leave_date),
        today=today,
        pay_date=pay_date,
    )
    figures = {"employee": employee.number, **result.figures()}
    return BackPayEstimate(
        employee_id=employee.pk,
        months=tuple(str(month.month) for month in result.months),
        result=result,
        figures=figures,
        digest=sha256_hex(canonical_json(figures)),
        statement=_statement(employee, result, bases),
    )


def _is_own(actor: Actor, employee: Employee) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and bool(getattr(actor, "is_active", True))
        and employee.user_id is not None
        and employee.user_id == actor.pk
    )


def _event(
    request: BackPayRequest, *, action: str, from_state: str, actor: Actor, note: str = ""
) -> None:
    BackPayEvent.objects.create(
        request=request,
        action=action,
        from_state=from_state,
        to_state=request.state,
        actor=recorded_user(actor),
        note=note[:_NOTE_MAX_LENGTH],
        created_at=clock_now(),
    )


def backpay_request_submit(
    *,
    actor: Actor,
    employee: Employee,
    months: Sequence[str | Month],
    reason: str = "",
    shown_digest: str,
    is_confirmed: bool,
    requested_base: object = None,
) -> BackPayRequest:
    """Send the request to HR after the employee has read the figures.

    The employee asks for themselves (HR and the SI clerk may file it for them). The figures
    are worked out again and must hash to ``shown_digest``. Refused for a former employee, a
    month already in a request not completed, and months where nothing is missing.
    """
    if not (
        _is_own(actor, employee)
        or has_perm(actor, Perm.ENROLMENT_EDIT, company=employee.company, employee=employee)
    ):
        raise PermissionDenied(gettext("You may only ask a back-payment for yourself."))
    today = backpay_today()
    if employee_has_left(employee, today=today):
        raise FormerEmployeeError(field="employee", name=employee.name)
    if not is_confirmed:
        raise NotConfirmedError(field="is_confirmed")
    with transaction.atomic():
        # One request at a time per employee: the pending-month check below stays true.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        estimate = backpay_estimate(
            employee=employee,
            months=months,
            pay_date=backpay_pay_by(today),
            requested_base=requested_base,
            today=today,
        )
        if estimate.digest != shown_digest:
            raise StatementChangedError(field="is_confirmed")
        pending = months_in_requests(employee, PENDING_STATES)
        for month in estimate.months:
            if month in pending:
                raise MonthPendingError(field="months", month=month, request=pending[month])
        if estimate.result.is_empty:
            raise NothingMissingError(field="months")
        result = estimate.result
        request = BackPayRequest.objects.create(
            company_id=employee.company_id,
            employee=employee,
            months=list(estimate.months),
            reason=reason.strip()[:_NOTE_MAX_LENGTH],
            figures=estimate.figures,
            figures_sha256=estimate.digest,
            statement=estimate.statement,
            pay_date=result.pay_date,
            employer_total=result.employer_total,
            employee_total=result.employee_total,
            late_fee_total=result.late_fee_total,
            grand_total=result.grand_total,
            state=BackPayState.SUBMITTED,
            created_by=recorded_user(actor),
            created_at=clock_now(),
        )
        _event(
            request, action=BackPayAction.SUBMIT, from_state="", actor=actor, note=request.reason
        )
        evidence_append_many(records=[evidence.requested_record(request, actor=actor)])
    return request


def _locked(request: BackPayRequest, expected: BackPayState) -> BackPayRequest:
    locked = BackPayRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != expected:
        raise WrongStateError(
            field="state",
            state=BackPayState(locked.state).label,
            expected=expected.label,
        )
    return locked


def _copy_back(request: BackPayRequest, locked: BackPayRequest, fields: Sequence[str]) -> None:
    for name in fields:
        setattr(request, name, getattr(locked, name))


def backpay_request_decide(
    *, actor: Actor, request: BackPayRequest, is_accepted: bool, note: str = ""
) -> BackPayRequest:
    """Accept or reject a submitted request (HR or the SI clerk); a rejection says why."""
    if not has_perm(actor, Perm.ENROLMENT_EDIT, company=request.company, employee=request.employee):
        raise PermissionDenied(gettext("You may not decide back-payment requests."))
    note = note.strip()[:_NOTE_MAX_LENGTH]
    if not is_accepted and not note:
        raise NoteRequiredError(field="note")
    with transaction.atomic():
        locked = _locked(request, BackPayState.SUBMITTED)
        locked.state = BackPayState.ACCEPTED if is_accepted else BackPayState.REJECTED
        locked.decided_by = recorded_user(actor)
        locked.decided_at = clock_now()
        locked.decision_note = note
        fields = ["state", "decided_by", "decided_at", "decision_note"]
        locked.save(update_fields=fields)
        _event(
            locked,
            action=BackPayAction.ACCEPT if is_accepted else BackPayAction.REJECT,
            from_state=BackPayState.SUBMITTED,
            actor=actor,
            note=note,
        )
        evidence_append_many(records=[evidence.decided_record(locked, actor=actor)])
    _copy_back(request, locked, fields)
    return request


def backpay_request_withdraw(*, actor: Actor, request: BackPayRequest) -> BackPayRequest:
    """The employee takes back a request HR has not decided yet."""
    if not _is_own(actor, request.employee):
        raise PermissionDenied(gettext("Only the employee may withdraw their request."))
    with transaction.atomic():
        locked = _locked(request, BackPayState.SUBMITTED)
        locked.state = BackPayState.WITHDRAWN
        locked.save(update_fields=["state"])
        _event(
            locked, action=BackPayAction.WITHDRAW, from_state=BackPayState.SUBMITTED, actor=actor
        )
        evidence_append_many(records=[evidence.withdrawn_record(locked, actor=actor)])
    request.state = locked.state
    return request


def backpay_request_complete(
    *, actor: Actor, request: BackPayRequest, note: str = ""
) -> BackPayRequest:
    """HR has paid the accepted back-payment to the bureau."""
    if not has_perm(actor, Perm.ENROLMENT_EDIT, company=request.company, employee=request.employee):
        raise PermissionDenied(gettext("You may not complete back-payment requests."))
    note = note.strip()[:_NOTE_MAX_LENGTH]
    with transaction.atomic():
        locked = _locked(request, BackPayState.ACCEPTED)
        locked.state = BackPayState.DONE
        locked.completed_by = recorded_user(actor)
        locked.completed_at = clock_now()
        fields = ["state", "completed_by", "completed_at"]
        locked.save(update_fields=fields)
        _event(
            locked,
            action=BackPayAction.COMPLETE,
            from_state=BackPayState.ACCEPTED,
            actor=actor,
            note=note,
        )
        evidence_append_many(records=[evidence.completed_record(locked, actor=actor, note=note)])
    _copy_back(request, locked, fields)
    return request
