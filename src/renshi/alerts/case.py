"""One employee's case, as a timeline of all their records: what they owe and why, what they
were told and how, what they answered, the letters and their posting, the leave behind it, their
payslips (for those who may see payroll) and every change of their social insurance enrolment.

The timeline is for the people who follow up arrears in a company (``Perm.ARREARS_VIEW`` there:
HR, finance, the social insurance clerk, auditors). It is not shown to the employee, since it
holds other people's notes and the technical proof of delivery; an employee's own notices are
in the portal. Addresses are masked: the proof is the hash of the exact bytes, kept in full.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from renshi.access.checks import Perm, companies_visible, has_perm, require
from renshi.alerts.evaluators import payday_of
from renshi.alerts.models import Alert, AlertEvent, AlertState, Channel
from renshi.attendance.models import LeaveRecord, LeaveStatus
from renshi.core.i18n import gettext_noop
from renshi.core.months import Month
from renshi.notices.models import (
    Acknowledgement,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DemandLetter,
    Notice,
    NoticeOpening,
    PostalDispatch,
)
from renshi.payroll.models import Payslip
from renshi.payroll.selectors import arrears_ledger, payslips_visible
from renshi.people.models import (
    Company,
    Employee,
    Enrolment,
    EnrolmentAction,
    EnrolmentChange,
    EnrolmentState,
)

if TYPE_CHECKING:
    from renshi.access.checks import Actor

# Titles of warning events that are not a move to a new state.
ACTION_TITLES = {
    "raise": gettext_noop("warning raised"),
    "assign": gettext_noop("owner assigned"),
}
# At one and the same moment, steps are shown in the order they happen (an escalation is
# recorded in the same instant as the letter it sends, but follows from it).
TIE_ORDER = ("leave", "enrolment", "payslip", "arrears", "alert.raise", "notice", "delivery",
             "notice.opened", "notice.acknowledged", "letter", "dispatch", "alert")  # fmt: skip
ATTEMPT_STATES = {
    "sent": DeliveryState.SENT,
    "temporary": DeliveryState.RETRYING,
    "permanent": DeliveryState.FAILED,
}


@dataclass(frozen=True, slots=True)
class Download:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime.datetime  # aware
    kind: str  # e.g. "arrears.advance", "alert.escalate", "delivery.sent", "letter"
    title: str
    detail: str = ""
    amount: Decimal | None = None
    balance: Decimal | None = None  # what the employee owes after an arrears entry
    links: tuple[Download, ...] = ()


def mask_address(address: str) -> str:
    """Enough of an address to recognise it, not to use it: ``w***@example.cn``,
    ``138****5678``, ``https://qyapi.weixin.qq.com/…``; an employee number stays as it is."""
    if "@" in address:
        local, domain = address.rsplit("@", 1)
        return f"{local[:1]}***@{domain}"
    digits = address.replace("+", "").replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    if address.startswith(("http://", "https://")):
        parts = urlsplit(address)
        return f"{parts.scheme}://{parts.hostname}/…"
    return address


def case_url(number: str, company_code: str) -> str:
    """The case page; the company is named since two companies may use the same number."""
    return f"{reverse('alerts:case', args=[number])}?{urlencode({'company': company_code})}"


def case_companies(actor: Actor) -> list[Company]:
    """Companies whose cases the actor may see; ``PermissionDenied`` if none."""
    companies = [
        company
        for company in companies_visible(actor)
        if has_perm(actor, Perm.ARREARS_VIEW, company=company)
    ]
    if not companies:
        raise PermissionDenied
    return companies


def case_employees(*, actor: Actor, number: str, company_code: str = "") -> list[Employee]:
    """The employees numbered ``number`` in the companies whose cases the actor may see: one,
    or none, or several when the actor works for several companies that use the number."""
    employees = Employee.objects.filter(company__in=case_companies(actor), number=number)
    if company_code:
        employees = employees.filter(company__code=company_code)
    return list(employees.select_related("company").order_by("company__code"))


def case_letter(*, actor: Actor, number: str, letter_id: int) -> DemandLetter:
    """A demand letter of the employee's case; ``DemandLetter.DoesNotExist`` otherwise."""
    return DemandLetter.objects.select_related("notice__employee").get(
        pk=letter_id,
        notice__employee__number=number,
        notice__company__in=case_companies(actor),
    )


def case_dispatch(*, actor: Actor, number: str, dispatch_id: int) -> PostalDispatch:
    """A postal dispatch of the employee's case; ``PostalDispatch.DoesNotExist`` otherwise."""
    return PostalDispatch.objects.get(
        pk=dispatch_id,
        letter__notice__employee__number=number,
        letter__notice__company__in=case_companies(actor),
    )


def _label(model: type[models.Model], field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _details(*pairs: tuple[str, Any]) -> str:
    """``label: value`` pairs, leaving out the empty ones."""
    return " · ".join(f"{label}: {value}" for label, value in pairs if value not in ("", None))


def _leave_events(employee: Employee) -> list[TimelineEvent]:
    events = []
    leaves = LeaveRecord.objects.filter(employee=employee).select_related(
        "leave_type", "decided_by"
    )
    for leave in leaves:
        detail = _details(
            (_label(LeaveRecord, "start_date"), leave.start_date),
            (_label(LeaveRecord, "end_date"), leave.end_date),
            (_label(LeaveRecord, "days"), leave.days),
            (_label(LeaveRecord, "reason"), leave.reason),
        )
        events.append(
            TimelineEvent(
                at=leave.created_at,
                kind="leave.requested",
                title=f"{leave.leave_type.name}: {LeaveStatus.REQUESTED.label}",
                detail=detail,
            )
        )
        if leave.decided_at is not None:
            events.append(
                TimelineEvent(
                    at=leave.decided_at,
                    kind=f"leave.{leave.status}",
                    title=f"{leave.leave_type.name}: {leave.get_status_display()}",
                    detail=_details((_label(LeaveRecord, "decided_by"), leave.decided_by or "")),
                )
            )
    return events


def _arrears_events(actor: Actor, employee: Employee) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            at=row.entry.created_at,
            kind=f"arrears.{row.entry.kind}",
            title=row.entry.get_kind_display(),
            detail=_details(
                (_label(type(row.entry), "month"), row.entry.month),
                (_label(type(row.entry), "reference"), row.entry.reference),
                (_label(type(row.entry), "note"), row.entry.note),
            ),
            amount=row.entry.amount,
            balance=row.balance,
        )
        for row in arrears_ledger(actor=actor, employee=employee)
    ]


def _payslip_events(actor: Actor, employee: Employee) -> list[TimelineEvent]:
    """The employee's current payslips, for those who may see payroll: the month's net pay and
    what the company advanced or recovered, on the month's payday (when the wages are due; a
    calculation's own time says only when someone pressed the button). Only current payslips:
    a calculation replaced by a later one is evidence, not the month's pay."""
    payslips = (
        payslips_visible(actor=actor, company=employee.company)
        .filter(employee=employee)
        .order_by("month")
    )
    return [
        TimelineEvent(
            at=timezone.make_aware(
                datetime.datetime.combine(
                    payday_of(employee.company, Month.parse(payslip.month)), datetime.time.min
                )
            ),
            kind="payslip",
            title=(
                f"{Payslip._meta.verbose_name} {payslip.month} ({payslip.run.get_state_display()})"
            ),
            detail=_details(
                (_label(Payslip, "net"), payslip.net),
                (_label(Payslip, "advanced"), payslip.advanced or ""),
                (_label(Payslip, "recovered"), payslip.recovered or ""),
                (_label(Payslip, "is_final"), "✓" if payslip.is_final else ""),
            ),
        )
        for payslip in payslips
    ]


def _state_label(state: str) -> str:
    return str(EnrolmentState(state).label) if state in EnrolmentState.values else state


def _field_changes(changes: dict[str, Any]) -> str:
    """``{"base": {"old": .., "new": ..}}`` (the people services) or ``{"base": [old, new]}``
    (the annual base adjustment), as ``contribution base 7088.75 → 7500.00``."""
    parts = []
    for name, values in changes.items():
        old, new = (values.get("old"), values.get("new")) if isinstance(values, dict) else values
        try:
            label = _label(Enrolment, name)
        except FieldDoesNotExist:
            label = name
        parts.append(f"{label} {old or '—'} → {new or '—'}")
    return "; ".join(parts)


def _enrolment_events(employee: Employee) -> list[TimelineEvent]:
    """Every change of the employee's social insurance enrolments (增员, 减员, bases)."""
    changes = (
        EnrolmentChange.objects.filter(enrolment__employee=employee)
        .select_related("enrolment", "actor")
        .order_by("created_at", "id")
    )
    events = []
    for change in changes:
        action = dict(EnrolmentAction.choices).get(change.action, change.action)
        states = ""
        if change.from_state != change.to_state:
            states = " → ".join(
                _state_label(state) for state in (change.from_state, change.to_state) if state
            )
        events.append(
            TimelineEvent(
                at=change.created_at,
                kind=f"enrolment.{change.action}",
                title=f"{EnrolmentChange._meta.verbose_name} ({change.enrolment.city}): {action}",
                detail=_details(
                    (_label(Enrolment, "state"), states),
                    (_label(EnrolmentChange, "changes"), _field_changes(change.changes or {})),
                    (_label(EnrolmentChange, "reason"), change.reason),
                    (_label(EnrolmentChange, "actor"), change.actor or ""),
                ),
            )
        )
    return events


def _alert_event(alert: Alert, event: AlertEvent) -> TimelineEvent:
    if event.action in ACTION_TITLES:
        action = gettext(ACTION_TITLES[event.action])
    else:
        action = str(AlertState(event.to_state).label)
    message = ""
    if event.action == "raise":
        from renshi.alerts.selectors import alert_data

        message = str(alert_data(alert, gettext)["message"])
    return TimelineEvent(
        at=event.at,
        kind=f"alert.{event.action}",
        title=f"{alert.rule.get_kind_display()}: {action}",
        detail=_details(
            (_label(Alert, "template"), message),
            (_label(AlertEvent, "actor"), event.actor or ""),
            (_label(AlertEvent, "note"), event.note),
        ),
        amount=alert.amount if event.action == "raise" else None,
    )


def _alert_events(employee: Employee) -> list[TimelineEvent]:
    alerts = (
        Alert.objects.filter(employee=employee)
        .select_related("rule", "company", "employee")
        .prefetch_related(Prefetch("events", AlertEvent.objects.select_related("actor")))
    )
    return [_alert_event(alert, event) for alert in alerts for event in alert.events.all()]


def _attempt_event(delivery: Delivery, attempt: DeliveryAttempt, is_last: bool) -> TimelineEvent:
    state = ATTEMPT_STATES.get(attempt.outcome, DeliveryState.FAILED)
    if is_last and delivery.state == DeliveryState.FAILED:
        state = DeliveryState.FAILED  # the last temporary failure was not retried
    return TimelineEvent(
        at=attempt.at,
        kind=f"delivery.{state}",
        title=_delivery_title(delivery, state),
        detail=_details(
            (_label(Delivery, "address"), mask_address(delivery.address)),
            (_label(Delivery, "is_copy"), "✓" if delivery.is_copy else ""),
            (_label(DeliveryAttempt, "provider_response"), attempt.provider_response),
            (_label(DeliveryAttempt, "provider_message_id"), attempt.provider_message_id),
            (_label(DeliveryAttempt, "sha256"), attempt.sha256),
        ),
    )


def _delivery_title(delivery: Delivery, state: DeliveryState) -> str:
    channel = dict(Channel.choices).get(delivery.channel, delivery.channel)
    return f"{_label(DeliveryAttempt, 'delivery')} ({channel}): {state.label}"


def _delivery_events(delivery: Delivery) -> list[TimelineEvent]:
    tries = list(delivery.tries.all())
    if not tries and delivery.sent_at is not None:  # shown in the portal: nothing transmitted
        state = DeliveryState.SENT
        title = _delivery_title(delivery, state)
        return [TimelineEvent(at=delivery.sent_at, kind=f"delivery.{state}", title=title)]
    return [
        _attempt_event(delivery, attempt, index == len(tries) - 1)
        for index, attempt in enumerate(tries)
    ]


def _opening_event(opening: NoticeOpening) -> TimelineEvent:
    return TimelineEvent(
        at=opening.at,
        kind="notice.opened",
        title=str(NoticeOpening._meta.verbose_name),
        detail=_details(
            (_label(NoticeOpening, "ip"), opening.ip),
            (_label(NoticeOpening, "user_agent"), opening.user_agent),
            (_label(NoticeOpening, "is_expired"), "✓" if opening.is_expired else ""),
        ),
    )


def _acknowledgement_event(acknowledgement: Acknowledgement) -> TimelineEvent:
    return TimelineEvent(
        at=acknowledgement.at,
        kind="notice.acknowledged",
        title=str(Acknowledgement._meta.verbose_name),
        detail=_details(
            (_label(Acknowledgement, "ip"), acknowledgement.ip),
            (_label(Acknowledgement, "user_agent"), acknowledgement.user_agent),
            (_label(Acknowledgement, "text_sha256"), acknowledgement.text_sha256),
        ),
    )


def _letter_events(employee: Employee, letter: DemandLetter) -> list[TimelineEvent]:
    pdf = reverse("alerts:case-letter", args=[employee.number, letter.pk])
    events = [
        TimelineEvent(
            at=letter.created_at,
            kind="letter",
            title=f"{DemandLetter._meta.verbose_name} {letter.number}",
            detail=_details(
                (_label(DemandLetter, "deadline"), letter.deadline),
                (_label(DemandLetter, "sha256"), letter.sha256),
            ),
            amount=letter.amount,
            links=(Download(_label(DemandLetter, "pdf"), pdf),),
        )
    ]
    for dispatch in letter.dispatches.all():
        receipt = reverse("alerts:case-receipt", args=[employee.number, dispatch.pk])
        events.append(
            TimelineEvent(
                at=dispatch.recorded_at,
                kind="dispatch",
                title=(
                    f"{PostalDispatch._meta.verbose_name}: {dispatch.carrier} "
                    f"{dispatch.tracking_number}"
                ),
                detail=_details(
                    (_label(PostalDispatch, "letter"), letter.number),
                    (_label(PostalDispatch, "dispatched_on"), dispatch.dispatched_on),
                    (_label(PostalDispatch, "receipt_sha256"), dispatch.receipt_sha256),
                    (_label(PostalDispatch, "recorded_by"), dispatch.recorded_by or ""),
                ),
                links=(Download(_label(PostalDispatch, "receipt"), receipt),)
                if dispatch.receipt
                else (),
            )
        )
    return events


def _notice_events(employee: Employee) -> list[TimelineEvent]:
    notices = (
        Notice.objects.filter(employee=employee)
        .select_related("acknowledgement")
        .prefetch_related(
            # The bytes themselves stay in the database: the page shows their hashes.
            Prefetch("deliveries__tries", DeliveryAttempt.objects.defer("payload")),
            "links__openings",
            Prefetch("letters", DemandLetter.objects.defer("pdf").order_by("created_at")),
            Prefetch("letters__dispatches", PostalDispatch.objects.select_related("recorded_by")),
        )
        .order_by("created_at", "id")
    )
    events: list[TimelineEvent] = []
    for notice in notices:
        events.append(
            TimelineEvent(
                at=notice.created_at,
                kind="notice",
                title=f"{Notice._meta.verbose_name}: {notice.subject}",
                detail=_details((_label(Notice, "deadline"), notice.deadline)),
                amount=notice.amount,
            )
        )
        for delivery in notice.deliveries.all():
            events.extend(_delivery_events(delivery))
        for link in notice.links.all():
            events.extend(_opening_event(opening) for opening in link.openings.all())
        acknowledgement = getattr(notice, "acknowledgement", None)
        if acknowledgement is not None:
            events.append(_acknowledgement_event(acknowledgement))
        for letter in notice.letters.all():
            events.extend(_letter_events(employee, letter))
    return events


def case_timeline(*, actor: Actor, employee: Employee) -> list[TimelineEvent]:
    """Everything in the employee's case, oldest first."""
    require(actor, Perm.ARREARS_VIEW, company=employee.company)
    events = [
        *_leave_events(employee),
        *_enrolment_events(employee),
        *_payslip_events(actor, employee),
        *_arrears_events(actor, employee),
        *_alert_events(employee),
        *_notice_events(employee),
    ]
    return sorted(events, key=lambda event: (event.at, _tie_rank(event.kind)))


def _tie_rank(kind: str) -> int:
    for name in (kind, kind.split(".")[0]):
        if name in TIE_ORDER:
            return TIE_ORDER.index(name)
    return len(TIE_ORDER)


def case_balance(timeline: list[TimelineEvent]) -> Decimal:
    """What the employee owes now: the balance after the last ledger entry."""
    balances = [event.balance for event in timeline if event.balance is not None]
    return balances[-1] if balances else Decimal("0.00")
