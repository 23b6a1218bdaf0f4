"""Notices: create one for a warning, deliver it (with retries), log openings of its link,
record the employee's acknowledgement, escalate to a demand letter, record the postal dispatch.

``notices_tick(now=...)`` is called by ``alert_tick`` and does everything due at ``now``. Nothing
is marked sent that the provider did not accept; every try keeps its exact bytes and hash.

Each of these changes writes its evidence entry (built in ``renshi.notices.evidence``) in the
same transaction: ``notice.created``, ``notice.sent`` (every attempt, failed ones too; the
transaction holds the record of the attempt, not the network call), ``notice.opened``,
``notice.acknowledged``, ``letter.issued``, ``letter.dispatched``, and ``alert.changed`` for
the warning a notice moves.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from renshi.access.models import Role, RoleAssignment
from renshi.alerts.models import STANDING_STATES, Alert, AlertState, RuleKind
from renshi.alerts.services import alert_event_create
from renshi.clock import now as clock_now
from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, format_money
from renshi.evidence.services import EvidenceRecord, evidence_append_many
from renshi.notices.channels.base import (
    DeliveryFailure,
    Outgoing,
    is_last_attempt,
    retry_delays,
)
from renshi.notices.channels.registry import channel_for
from renshi.notices.evidence import (
    EMPLOYEE,
    STAFF,
    letter_dispatched_record,
    letter_issued_record,
    notice_acknowledged_record,
    notice_created_record,
    notice_opened_record,
    notice_sent_record,
    notice_shown_record,
    text_sha256,
)
from renshi.notices.letters import (
    DemandLetter as LetterDocument,
)
from renshi.notices.letters import (
    LetterLine,
    PaymentInstructions,
    letter_lines_from_items,
    render_demand_letter_pdf,
)
from renshi.notices.models import (
    Acknowledgement,
    ContactAddress,
    ContactKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DemandLetter,
    Notice,
    NoticeLink,
    NoticeOpening,
    NoticeSettings,
    NoticeState,
    PostalDispatch,
)
from renshi.payroll.models import ArrearsEntry, ArrearsKind
from renshi.people.identity import mask_id_number
from renshi.people.models import Company, Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor

# Warnings that are about money the employee owes, and so are worth a notice to them.
NOTICE_RULES = (RuleKind.ARREARS_OVER, RuleKind.SHARE_NOT_COVERED)
IN_APP = "in_app"
# Who is copied on a notice when the rule says so, in the order a role is named (hr+finance).
COPY_ROLES = (Role.HR, Role.FINANCE)


class NoticeError(CoreError):
    """A notice operation refused; nothing changed."""


class NotYourNoticeError(NoticeError):
    template = gettext_noop("{field}: only the employee the notice is addressed to can do this")


class NotEscalatedError(NoticeError):
    template = gettext_noop("{field}: the letter {value} does not exist")


class TrackingNumberRequiredError(NoticeError):
    template = gettext_noop("{field}: give the tracking number the post office issued")


@dataclass(frozen=True, slots=True)
class NoticesReport:
    created: int
    sent: int
    failed: int
    escalated: int


def _settings(company: Company) -> NoticeSettings:
    found, created = NoticeSettings.objects.get_or_create(company=company)
    return found


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bound_address(employee: Employee, kind: str) -> tuple[str, ContactAddress | None]:
    """The employee's verified address of this kind if any, else the one on file (unbound)."""
    contact = (
        ContactAddress.objects.filter(employee=employee, kind=kind, verified_at__isnull=False)
        .order_by("-verified_at")
        .first()
    )
    if contact is not None:
        return contact.address, contact
    return (employee.email if kind == ContactKind.EMAIL else employee.phone), None


def _copies(company_id: int, addresses: Iterable[str] | None = None) -> dict[str, str]:
    """HR and finance addresses for the copy the rule asks for (or only ``addresses``), each
    with the role it is named by in the evidence log: ``hr``, ``finance`` or ``hr+finance``."""
    rows = RoleAssignment.objects.filter(company_id=company_id, role__in=COPY_ROLES).exclude(
        user__email=""
    )
    if addresses is not None:
        rows = rows.filter(user__email__in=list(addresses))
    roles: dict[str, set[str]] = {}
    for email, role in rows.values_list("user__email", "role"):
        roles.setdefault(email, set()).add(role)
    return {
        email: "+".join(role for role in COPY_ROLES if role in roles[email])
        for email in sorted(roles)
    }


def notice_create(*, alert: Alert, now: datetime.datetime) -> tuple[Notice, str]:
    """The notice for a warning, rendered in Chinese, its personal link, and its deliveries.

    Returns the notice and the link's token (only its hash is stored).
    """
    employee = alert.employee
    assert employee is not None
    company = alert.company
    options = _settings(company)
    token = secrets.token_urlsafe(32)
    deadline = (now + datetime.timedelta(days=options.payment_days)).date()
    context = {
        "company": company,
        "employee": employee,
        "alert": alert,
        "amount": format_money(alert.amount or ZERO),
        "items": alert.links.get("items", {}),
        "deadline": deadline,
        "options": options,
        "link": f"{settings.RENSHI_PUBLIC_URL.rstrip('/')}/n/{token}/",
    }
    with translation.override("zh-hans"):  # notices go out in Chinese
        subject = render_to_string("notices/notice_subject.txt", context).strip()
        text = render_to_string("notices/notice_body.txt", context)
    with transaction.atomic():
        notice = Notice.objects.create(
            company=company,
            employee=employee,
            alert=alert,
            subject=subject,
            body_text=text,
            amount=alert.amount,
            deadline=deadline,
            created_at=now,
        )
        link = NoticeLink.objects.create(
            notice=notice,
            token_sha256=token_hash(token),
            expires_at=now + datetime.timedelta(days=options.link_days),
            created_at=now,
        )
        planned = [_plan_delivery(notice, channel, now) for channel in alert.rule.channels]
        deliveries = [delivery for delivery in planned if delivery is not None]
        copies = _copies(company.pk) if alert.rule.copy_hr_and_finance else {}
        for address in copies:
            deliveries.append(
                Delivery.objects.create(
                    notice=notice,
                    channel="email",
                    address=address,
                    is_copy=True,
                    next_attempt_at=now,
                )
            )
        created = notice_created_record(
            notice, token=token, link=link, deliveries=deliveries, copy_roles=copies
        )
        shown = [notice_shown_record(d) for d in deliveries if d.channel == IN_APP]
        evidence_append_many(records=[created, *shown], at=now)
    return notice, token


def _plan_delivery(notice: Notice, channel: str, now: datetime.datetime) -> Delivery | None:
    if channel == IN_APP:
        # Shown in the employee's portal: there is nothing to transmit, it is there.
        return Delivery.objects.create(
            notice=notice,
            channel=IN_APP,
            address=notice.employee.number,
            state=DeliveryState.SENT,
            sent_at=now,
        )
    kind = ContactKind.MOBILE if channel == "sms" else ContactKind.EMAIL
    address, contact = _bound_address(notice.employee, kind)
    if not address:
        return None  # no address of that kind on file: the in-app notice and the letter remain
    return Delivery.objects.create(
        notice=notice,
        channel=channel,
        address=address,
        contact=contact,
        next_attempt_at=now,
    )


def delivery_attempt(*, delivery: Delivery, now: datetime.datetime) -> DeliveryAttempt:
    """One try: the channel builds the bytes, sends them, and we keep what it reports. The
    sending is not in the transaction; what was sent, or failed, is kept with its evidence."""
    notice = delivery.notice
    options = _settings(notice.company)
    outgoing = Outgoing(
        channel=delivery.channel,
        address=delivery.address,
        subject=notice.subject,
        text=notice.body_text,
        sender=options.sender_email or settings.DEFAULT_FROM_EMAIL,
        reference=f"notice-{notice.pk}-delivery-{delivery.pk}",
    )
    attempt_number = delivery.attempts + 1
    role = EMPLOYEE
    if delivery.is_copy:
        role = _copies(notice.company_id, [delivery.address]).get(delivery.address, STAFF)
    try:
        sent = channel_for(delivery.channel).send(outgoing)
    except DeliveryFailure as failure:
        is_final = not failure.is_temporary or is_last_attempt(attempt_number)
        with transaction.atomic():
            attempt = DeliveryAttempt.objects.create(
                delivery=delivery,
                payload=failure.payload,
                sha256=failure.sha256,
                outcome="temporary" if failure.is_temporary else "permanent",
                provider_response=failure.provider_response or failure.render(),
                at=now,
            )
            delivery.attempts = attempt_number
            delivery.state = DeliveryState.FAILED if is_final else DeliveryState.RETRYING
            delivery.next_attempt_at = None if is_final else now + retry_delays(attempt_number)
            delivery.save(update_fields=["attempts", "state", "next_attempt_at"])
            record = notice_sent_record(
                attempt,
                delivery=delivery,
                number=attempt_number,
                recipient_role=role,
                error=failure.render(),
            )
            evidence_append_many(records=[record], at=now)
        return attempt
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery,
            payload=sent.payload,
            sha256=sent.sha256,
            outcome="sent",
            provider_message_id=sent.provider_message_id or "",
            provider_response=sent.provider_response,
            at=sent.sent_at,
        )
        delivery.attempts = attempt_number
        delivery.state = DeliveryState.SENT
        delivery.sent_at = sent.sent_at
        delivery.next_attempt_at = None
        delivery.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at"])
        record = notice_sent_record(
            attempt, delivery=delivery, number=attempt_number, recipient_role=role
        )
        evidence_append_many(records=[record], at=now)
    return attempt


def _settle_notice(notice: Notice, now: datetime.datetime) -> None:
    """A notice is sent once one delivery to the employee went out, failed once all did."""
    if notice.state != NoticeState.PENDING:
        return
    own = notice.deliveries.filter(is_copy=False)
    if own.filter(state=DeliveryState.SENT).exists():
        notice.state = NoticeState.SENT
    elif own.exists() and not own.exclude(state=DeliveryState.FAILED).exists():
        notice.state = NoticeState.FAILED
    else:
        return
    with transaction.atomic():
        notice.save(update_fields=["state"])
        alert = notice.alert
        if (
            notice.state == NoticeState.SENT
            and alert is not None
            and alert.state == AlertState.OPEN
        ):
            record = _alert_move(alert, AlertState.NOTIFIED, "notify", now, f"notice {notice.pk}")
            evidence_append_many(records=[record], at=now)


def _alert_move(
    alert: Alert, to: str, action: str, now: datetime.datetime, note: str = "", actor: Actor = None
) -> EvidenceRecord:
    """Move the warning a notice is about; its ``alert.changed`` record, to append."""
    before = alert.state
    alert.state = to
    alert.updated_at = now
    alert.save(update_fields=["state", "updated_at"])
    return alert_event_create(
        alert=alert, action=action, before=before, after=to, at=now, actor=actor, note=note
    )


def notice_open(
    *, token: str, now: datetime.datetime, ip: str | None, user_agent: str
) -> Notice | None:
    """Log an opening of a personal link and return its notice, or None if the token is
    unknown or expired (an expired opening is still logged). Opening proves the link was
    used, not who used it."""
    link = NoticeLink.objects.filter(token_sha256=token_hash(token)).select_related("notice")
    found = link.first()
    if found is None:
        return None
    is_expired = now >= found.expires_at
    with transaction.atomic():
        opening = NoticeOpening.objects.create(
            link=found, at=now, ip=ip or None, user_agent=user_agent[:500], is_expired=is_expired
        )
        evidence_append_many(records=[notice_opened_record(opening, notice=found.notice)], at=now)
    return None if is_expired else found.notice


def notice_acknowledge(
    *, actor: Actor, notice: Notice, now: datetime.datetime, ip: str | None, user_agent: str
) -> Acknowledgement:
    """The employee, signed in, confirms having read the notice as it was shown to them."""
    employee = notice.employee
    if actor is None or not actor.is_authenticated or employee.user_id != actor.pk:
        raise NotYourNoticeError(field="notice")
    with transaction.atomic():
        existing = Acknowledgement.objects.filter(notice=notice).first()
        if existing is not None:
            return existing
        acknowledgement = Acknowledgement.objects.create(
            notice=notice,
            user=actor,
            text_shown=notice.body_text,
            text_sha256=text_sha256(notice.body_text),
            at=now,
            ip=ip or None,
            user_agent=user_agent[:500],
        )
        notice.state = NoticeState.ACKNOWLEDGED
        notice.acknowledged_at = now
        notice.save(update_fields=["state", "acknowledged_at"])
        records = [notice_acknowledged_record(acknowledgement, notice=notice, actor=actor)]
        alert = notice.alert
        if alert is not None and alert.state in STANDING_STATES:
            records.append(
                _alert_move(
                    alert, AlertState.ACKNOWLEDGED, "acknowledge", now, "by employee", actor=actor
                )
            )
        evidence_append_many(records=records, at=now)
    return acknowledgement


def _letter_lines(employee: Employee) -> tuple[list[LetterLine], list[tuple[str, Decimal]]]:
    """What the employee owes, as a letter states it: advances by month and item, other
    amounts owed, and every amount that reduced the debt. Reversed pairs cancel out."""
    entries = list(ArrearsEntry.objects.filter(employee=employee).order_by("created_at", "id"))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    labels = dict(ArrearsKind.choices)
    lines: list[LetterLine] = []
    offsets: list[tuple[str, Decimal]] = []
    for entry in entries:
        if entry.pk in reversed_ids or entry.kind == ArrearsKind.REVERSAL:
            continue
        if entry.kind == ArrearsKind.ADVANCE:
            lines.extend(letter_lines_from_items(entry.month, entry.items))
        elif entry.amount > 0:
            lines.append(LetterLine(entry.month, entry.note or "其他欠款", entry.amount))
        else:
            with translation.override("zh-hans"):
                offsets.append((f"{entry.month} {labels[entry.kind]}", entry.amount))
    return lines, offsets


def demand_letter_create(*, notice: Notice, now: datetime.datetime) -> DemandLetter:
    """The 催缴函 for a notice nobody acknowledged: the PDF is generated once and kept."""
    employee = notice.employee
    company = notice.company
    options = _settings(company)
    lines, offsets = _letter_lines(employee)
    total = sum((line.amount for line in lines), ZERO) + sum((a for _, a in offsets), ZERO)
    issue = timezone.localtime(now).date()
    deadline = issue + datetime.timedelta(days=options.payment_days)
    count = DemandLetter.objects.filter(notice__company=company).count() + 1
    number = f"{company.code.upper()}-催-{issue.year}-{count:04d}"
    document = LetterDocument(
        letter_number=number,
        company_name=company.name,
        company_address=company.address or "—",
        company_phone=company.phone or "—",
        company_credit_code=company.credit_code or "—",
        employee_name=employee.name,
        employee_number=employee.number,
        employee_id_masked=mask_id_number(employee.id_number_last4),
        lines=lines,
        offsets=offsets,
        total_owed=total,
        deadline=deadline,
        payment=PaymentInstructions(
            bank_name=options.bank_name or "—",
            account_name=options.bank_account_name or company.name,
            account_number=options.bank_account_number or "—",
            reference=f"{employee.number} {employee.name}",
        ),
        contact_person=options.contact_person or "人力资源部",
        contact_phone=options.contact_phone or company.phone or "—",
        issue_date=issue,
    )
    pdf = render_demand_letter_pdf(document)
    with transaction.atomic():
        letter = DemandLetter.objects.create(
            notice=notice,
            number=number,
            amount=total,
            deadline=deadline,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            created_at=now,
        )
        record = letter_issued_record(letter, lines=lines, offsets=offsets, issued_on=issue)
        evidence_append_many(records=[record], at=now)
    return letter


def _escalate_due(now: datetime.datetime) -> int:
    """Notices about money owed, sent and not acknowledged within the rule's days: a letter."""
    escalated = 0
    candidates = (
        Notice.objects.filter(
            state=NoticeState.SENT,
            alert__rule__kind=RuleKind.ARREARS_OVER,
            alert__state__in=[AlertState.OPEN, AlertState.NOTIFIED],
            letters__isnull=True,
        )
        .select_related("alert__rule", "employee", "company")
        .order_by("id")
    )
    for notice in candidates:
        alert = notice.alert
        assert alert is not None
        if now < notice.created_at + datetime.timedelta(days=alert.rule.escalate_after_days):
            continue
        with transaction.atomic():
            letter = demand_letter_create(notice=notice, now=now)
            record = _alert_move(alert, AlertState.ESCALATED, "escalate", now, letter.number)
            evidence_append_many(records=[record], at=now)
        escalated += 1
    return escalated


def postal_dispatch_record(
    *,
    actor: Actor,
    letter: DemandLetter,
    tracking_number: str,
    dispatched_on: datetime.date,
    receipt: Any = None,
    carrier: str = "EMS",
    address: str = "",
) -> PostalDispatch:
    """HR posted the letter: the tracking number, the date and the scanned receipt. The
    address it was posted to, when given, is kept in the evidence entry."""
    from renshi.access.checks import Perm, recorded_user, require

    require(actor, Perm.PEOPLE_EDIT, company=letter.notice.company, employee=letter.notice.employee)
    if not tracking_number.strip():  # without it the dispatch proves nothing
        raise TrackingNumberRequiredError(field="tracking_number")
    content, name = None, ""
    if receipt is not None:
        content, name = receipt.read(), str(receipt.name)
        receipt.seek(0)
    now = clock_now()
    with transaction.atomic():
        dispatch = PostalDispatch.objects.create(
            letter=letter,
            carrier=carrier,
            tracking_number=tracking_number.strip(),
            dispatched_on=dispatched_on,
            receipt=receipt or "",
            receipt_sha256="" if content is None else hashlib.sha256(content).hexdigest(),
            recorded_by=recorded_user(actor),
            recorded_at=now,
        )
        record = letter_dispatched_record(
            dispatch,
            letter=letter,
            actor=actor,
            address=address.strip(),
            receipt=content,
            receipt_name=name,
        )
        try:
            evidence_append_many(records=[record], at=now)
        except Exception:
            # The row goes with the transaction; the file it stored would stay behind.
            if dispatch.receipt:
                dispatch.receipt.delete(save=False)
            raise
    return dispatch


def _new_notices(now: datetime.datetime) -> int:
    alerts = Alert.objects.filter(
        rule__kind__in=NOTICE_RULES,
        state=AlertState.OPEN,
        employee__isnull=False,
        notices__isnull=True,
    ).select_related("rule", "employee", "company")
    created = 0
    for alert in alerts.order_by("id"):
        if "employee" not in alert.rule.recipients:
            continue
        notice_create(alert=alert, now=now)
        created += 1
    return created


def _due_deliveries(now: datetime.datetime) -> Iterable[Delivery]:
    return (
        Delivery.objects.filter(
            state__in=[DeliveryState.QUEUED, DeliveryState.RETRYING],
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("notice__company", "notice__employee")
        .order_by("id")
    )


def notices_tick(*, now: datetime.datetime) -> NoticesReport:
    """Everything about notices that is due at ``now``: new notices, deliveries and retries,
    escalation to demand letters."""
    created = _new_notices(now)
    sent = failed = 0
    for delivery in _due_deliveries(now):
        attempt = delivery_attempt(delivery=delivery, now=now)
        if attempt.outcome == "sent":
            sent += 1
        elif delivery.state == DeliveryState.FAILED:
            failed += 1
        _settle_notice(delivery.notice, now)
    for notice in Notice.objects.filter(state=NoticeState.PENDING):
        _settle_notice(notice, now)
    return NoticesReport(created=created, sent=sent, failed=failed, escalated=_escalate_due(now))
