"""Payroll runs: create, calculate, approve, mark paid, reopen; and the arrears ledger.

A run goes draft → calculated → approved → paid. Calculating is allowed in draft and
calculated; it is refused while another calculation of the run is under way (a lock set by a
conditional update, so it holds across processes and on both databases). Approval freezes the
run and posts its arrears movements to the ledger; reopening an approved run reverses them.
Approving, reopening, paying and every ledger posting are written to the evidence log in the
transaction of the change (``payroll.evidence``).
"""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from renshi.access.checks import Perm, recorded_user, require
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, parse_money
from renshi.core.months import Month
from renshi.payroll import evidence as run_evidence
from renshi.payroll.compute import Calculator
from renshi.payroll.fetch import (
    arrears_balances,
    eligible_employee_ids,
    fetch_chunk,
    run_context,
)
from renshi.payroll.models import (
    ArrearsEntry,
    ArrearsKind,
    CalculationFailure,
    CalculationState,
    FinalSettlement,
    PayrollCalculation,
    PayrollRun,
    PayrollRunEvent,
    Payslip,
    RunState,
)
from renshi.payroll.save import save_chunk
from renshi.payroll.selectors import message_from_json
from renshi.people.models import Company, Employee
from renshi.policies.selectors import policy_library

if TYPE_CHECKING:
    from renshi.access.checks import Actor

DEFAULT_CHUNK_SIZE = 1000
# A lock older than this is taken to belong to a process that died.
LOCK_TIMEOUT = datetime.timedelta(hours=1)

Progress = Callable[[int, int], None]  # (employees done, employees in all)


class PayrollError(CoreError):
    """A payroll operation refused; nothing was changed."""


STATE_NAMES = {
    RunState.DRAFT: gettext_noop("draft"),
    RunState.CALCULATED: gettext_noop("calculated"),
    RunState.APPROVED: gettext_noop("approved"),
    RunState.PAID: gettext_noop("paid"),
}


def _state(state: str) -> Message:
    """A run state as a message, so an error names it in the reader's language."""
    return Message(STATE_NAMES[RunState(state)])


class RunStateError(PayrollError):
    template = gettext_noop("{field}: the {month} payroll is {state}; it cannot be {action}")


class RunBusyError(PayrollError):
    template = gettext_noop(
        "{field}: the {month} payroll is already being calculated (since {since}); try again "
        "when it has finished"
    )


class EarlierRunOpenError(PayrollError):
    template = gettext_noop(
        "{field}: the {earlier} payroll is not approved yet; approve it before calculating "
        "{month}, since income tax is cumulative over the year"
    )


class RunFailedError(PayrollError):
    template = gettext_noop(
        "{field}: {count} employees could not be calculated; the previous results are kept"
    )

    def __init__(self, *, failures: Sequence[dict[str, Any]], **params: Any) -> None:
        self.failures = list(failures)
        super().__init__(**params)


class ArrearsChangedError(PayrollError):
    template = gettext_noop(
        "{field}: what {count} employees owe changed since the run was calculated "
        "(first: {employee}); recalculate before approving"
    )


class NotInRunError(PayrollError):
    template = gettext_noop("{field}: the run has no payslips; calculate it first")


class PaidRunError(PayrollError):
    template = gettext_noop(
        "{field}: the {month} payroll was paid and cannot be reopened; correct it in a later month"
    )


class RepaymentError(PayrollError):
    template = gettext_noop("{field}: {value} is more than the {balance} the employee owes")


class AmountNotPositiveError(PayrollError):
    template = gettext_noop("{field}: the amount must be greater than zero")


@dataclass(frozen=True, slots=True)
class FailureReport:
    employee_id: int
    number: str
    name: str
    field: str
    message: Message


# --- creating and locking ------------------------------------------------------------------


def payroll_run_create(*, actor: Actor, company: Company, month: Month) -> PayrollRun:
    """The company's run for ``month``; created in draft if there is none (one per month)."""
    require(actor, Perm.PAYROLL_CALCULATE, company=company)
    run, created = PayrollRun.objects.get_or_create(company=company, month=str(month))
    if created:
        _event(run, actor, "create", "", RunState.DRAFT)
    return run


def _event(
    run: PayrollRun, actor: Actor, action: str, before: str, after: str, note: str = ""
) -> None:
    PayrollRunEvent.objects.create(
        run=run,
        action=action,
        from_state=before,
        to_state=after,
        actor=recorded_user(actor),
        note=note[:500],
    )


def _lock(run: PayrollRun) -> str:
    token = secrets.token_hex(16)
    now = timezone.now()
    taken = (
        PayrollRun.objects.filter(pk=run.pk)
        .filter(Q(lock_token="") | Q(locked_at__lt=now - LOCK_TIMEOUT))
        .update(lock_token=token, locked_at=now)
    )
    if not taken:
        run.refresh_from_db(fields=["locked_at"])
        raise RunBusyError(field="month", month=run.month, since=run.locked_at)
    return token


def _unlock(run: PayrollRun, token: str) -> None:
    PayrollRun.objects.filter(pk=run.pk, lock_token=token).update(lock_token="", locked_at=None)


def _check_earlier_runs(run: PayrollRun) -> None:
    month = Month.parse(run.month)
    earlier = (
        PayrollRun.objects.filter(
            company_id=run.company_id, month__gte=f"{month.year:04d}-01", month__lt=run.month
        )
        .exclude(state__in=[RunState.APPROVED, RunState.PAID])
        .order_by("month")
        .first()
    )
    if earlier is not None:
        raise EarlierRunOpenError(field="month", earlier=earlier.month, month=run.month)


# --- calculating ---------------------------------------------------------------------------


def calculation_chunk_run(*, calculation_id: int, employee_ids: Sequence[int]) -> int:
    """Calculate and save one chunk of a calculation; the unit of work of a Celery task.

    Idempotent: a chunk already saved (a redelivered task) is not saved twice. Returns the
    number of employees handled.
    """
    calculation = PayrollCalculation.objects.select_related("run__company").get(pk=calculation_id)
    if calculation.state != CalculationState.RUNNING or not employee_ids:
        return 0
    run = calculation.run
    context = run_context(company=run.company, month=Month.parse(run.month))
    calculator = Calculator(context, policy_library())
    rows = fetch_chunk(context, employee_ids)
    computed = []
    failures = []
    for row in rows:
        outcome = calculator.compute(row)
        if hasattr(outcome, "result"):
            computed.append(outcome)
        else:
            failures.append(outcome)
    with transaction.atomic():
        first = employee_ids[0]
        if (
            Payslip.objects.filter(calculation_id=calculation_id, employee_id=first).exists()
            or CalculationFailure.objects.filter(
                calculation_id=calculation_id, employee_id=first
            ).exists()
        ):
            return 0
        save_chunk(
            calculation_id=calculation_id,
            run_id=run.pk,
            month=run.month,
            computed=computed,  # type: ignore[arg-type]
            failures=failures,  # type: ignore[arg-type]
        )
        PayrollCalculation.objects.filter(pk=calculation_id).update(
            chunks_done=F("chunks_done") + 1
        )
    return len(rows)


def _chunks(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def _use_celery(executor: str) -> bool:
    if executor == "auto":
        return bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER
    return executor == "celery"


def _run_inline(
    calculation: PayrollCalculation, chunks: list[list[int]], total: int, progress: Progress
) -> None:
    done = 0
    for chunk in chunks:
        calculation_chunk_run(calculation_id=calculation.pk, employee_ids=chunk)
        done += len(chunk)
        progress(done, total)


def _run_on_workers(
    calculation: PayrollCalculation, chunks: list[list[int]], total: int, progress: Progress
) -> None:
    from celery import group

    from renshi.payroll.tasks import calculate_chunk

    sizes = [len(chunk) for chunk in chunks]
    result = group(
        calculate_chunk.si(calculation_id=calculation.pk, employee_ids=chunk) for chunk in chunks
    ).apply_async()
    while True:
        done_chunks = (
            PayrollCalculation.objects.filter(pk=calculation.pk)
            .values_list("chunks_done", flat=True)
            .get()
        )
        progress(sum(sizes[:done_chunks]), total)
        if done_chunks >= len(chunks):
            return
        if result.failed():
            result.get(propagate=True)  # raises the worker's exception here
        time.sleep(0.1)


def payroll_run_calculate(
    *,
    actor: Actor,
    run: PayrollRun,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    executor: str = "auto",
    progress: Progress | None = None,
) -> PayrollCalculation:
    """Calculate every employee of the run; replace the previous results only if all succeed.

    ``executor`` is "inline" (this process), "celery" (chunks as tasks on the workers) or
    "auto" (Celery when a broker is configured). Raises ``RunFailedError`` listing every
    employee that failed; the run then keeps its previous results and state.
    """
    require(actor, Perm.PAYROLL_CALCULATE, company=run.company)
    run.refresh_from_db()  # the state as it is now, not as the caller last saw it
    if run.state not in (RunState.DRAFT, RunState.CALCULATED):
        raise RunStateError(
            field="month",
            month=run.month,
            state=_state(run.state),
            action=Message(gettext_noop("recalculated")),
        )
    _check_earlier_runs(run)
    token = _lock(run)
    try:
        ids = eligible_employee_ids(company=run.company, month=Month.parse(run.month))
        chunks = _chunks(ids, max(chunk_size, 1))
        calculation = PayrollCalculation.objects.create(
            run=run, employee_count=len(ids), chunk_count=len(chunks)
        )
        report = progress or (lambda done, total: None)
        report(0, len(ids))
        try:
            if _use_celery(executor):
                _run_on_workers(calculation, chunks, len(ids), report)
            else:
                _run_inline(calculation, chunks, len(ids), report)
        except BaseException:
            _discard(calculation)
            raise
        return _finish(run=run, calculation=calculation, actor=actor)
    finally:
        _unlock(run, token)


def _discard(calculation: PayrollCalculation) -> None:
    with transaction.atomic():
        Payslip.objects.filter(calculation=calculation).delete()
        PayrollCalculation.objects.filter(pk=calculation.pk).update(
            state=CalculationState.FAILED, finished_at=timezone.now()
        )


def failure_reports(calculation: PayrollCalculation) -> list[FailureReport]:
    return [
        FailureReport(
            employee_id=failure.employee_id,
            number=failure.employee.number,
            name=failure.employee.name,
            field=failure.field,
            message=message_from_json(failure.template, failure.params),
        )
        for failure in calculation.failures.select_related("employee").order_by("employee__number")
    ]


def _finish(
    *, run: PayrollRun, calculation: PayrollCalculation, actor: Actor
) -> PayrollCalculation:
    failures = failure_reports(calculation)
    if failures:
        _discard(calculation)
        raise RunFailedError(
            field="month",
            count=len(failures),
            failures=[
                {
                    "employee": report.number,
                    "name": report.name,
                    "field": report.field,
                    "message": report.message,
                }
                for report in failures
            ],
        )
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        previous = run.calculation
        totals = Payslip.objects.filter(calculation=calculation).aggregate(
            count=Count("id"),
            gross=Sum("gross"),
            net=Sum("net"),
            advanced=Sum("advanced"),
            recovered=Sum("recovered"),
        )
        before = run.state
        run.calculation = calculation
        run.state = RunState.CALCULATED
        run.employee_count = totals["count"]
        run.total_gross = totals["gross"] or ZERO
        run.total_net = totals["net"] or ZERO
        run.total_advanced = totals["advanced"] or ZERO
        run.total_recovered = totals["recovered"] or ZERO
        run.save(
            update_fields=[
                "calculation",
                "state",
                "employee_count",
                "total_gross",
                "total_net",
                "total_advanced",
                "total_recovered",
                "updated_at",
            ]
        )
        calculation.state = CalculationState.SUCCEEDED
        calculation.finished_at = timezone.now()
        calculation.save(update_fields=["state", "finished_at"])
        if previous is not None:
            _retire(previous)
        _event(run, actor, "calculate", before, RunState.CALCULATED, f"{totals['count']}")
    return calculation


def _retire(calculation: PayrollCalculation) -> None:
    """Drop a replaced calculation, unless the ledger refers to its payslips (a run that was
    approved and reopened): those stay as evidence, marked superseded."""
    if ArrearsEntry.objects.filter(payslip__calculation=calculation).exists():
        calculation.state = CalculationState.SUPERSEDED
        calculation.save(update_fields=["state"])
    else:
        calculation.delete()


# --- approving, paying, reopening ----------------------------------------------------------


def _locked_run(run: PayrollRun) -> PayrollRun:
    locked = PayrollRun.objects.select_for_update().select_related("company").get(pk=run.pk)
    if locked.lock_token:
        raise RunBusyError(field="month", month=locked.month, since=locked.locked_at)
    return locked


def payroll_run_approve(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Freeze the run and post its advances, recoveries and settlements to the ledger; the
    payslips, postings and policies used go into the evidence log in the same transaction."""
    require(actor, Perm.PAYROLL_APPROVE, company=run.company)
    with transaction.atomic():
        run = _locked_run(run)
        if run.state != RunState.CALCULATED:
            raise RunStateError(
                field="month",
                month=run.month,
                state=_state(run.state),
                action=Message(gettext_noop("approved")),
            )
        if run.calculation_id is None:
            raise NotInRunError(field="month")
        payslips = Payslip.objects.filter(calculation_id=run.calculation_id)
        _check_arrears_unchanged(run, payslips)
        postings = _post_ledger(run, payslips, actor)
        _settle_leavers(run, payslips)
        run.state = RunState.APPROVED
        run.save(update_fields=["state", "updated_at"])
        _event(run, actor, "approve", RunState.CALCULATED, RunState.APPROVED)
        # Last: the append locks the log until commit.
        run_evidence.approval_append(run=run, actor=actor, postings=postings)
    return run


def _check_arrears_unchanged(run: PayrollRun, payslips: Any) -> None:
    balances = {
        row["employee_id"]: row["balance"]
        for row in ArrearsEntry.objects.filter(company_id=run.company_id)
        .values("employee_id")
        .annotate(balance=Sum("amount"))
    }
    changed = [
        number
        for employee_id, number, before in payslips.values_list(
            "employee_id", "employee__number", "arrears_before"
        ).order_by("employee__number")
        if max(balances.get(employee_id, ZERO), ZERO) != before
    ]
    if changed:
        raise ArrearsChangedError(field="month", count=len(changed), employee=changed[0])


def _post_ledger(run: PayrollRun, payslips: Any, actor: Actor) -> list[ArrearsEntry]:
    by = recorded_user(actor)
    entries = []
    for payslip in payslips.filter(Q(advanced__gt=0) | Q(recovered__gt=0)).order_by("employee_id"):
        if payslip.advanced > 0:
            entries.append(
                ArrearsEntry(
                    company_id=run.company_id,
                    employee_id=payslip.employee_id,
                    month=run.month,
                    kind=ArrearsKind.ADVANCE,
                    amount=payslip.advanced,
                    items=payslip.advanced_items,
                    payslip=payslip,
                    run=run,
                    actor=by,
                )
            )
        if payslip.recovered > 0:
            entries.append(
                ArrearsEntry(
                    company_id=run.company_id,
                    employee_id=payslip.employee_id,
                    month=run.month,
                    kind=ArrearsKind.SETTLEMENT if payslip.is_final else ArrearsKind.RECOVERY,
                    amount=-payslip.recovered,
                    payslip=payslip,
                    run=run,
                    actor=by,
                )
            )
    return ArrearsEntry.objects.bulk_create(entries, batch_size=1000)


def _settle_leavers(run: PayrollRun, payslips: Any) -> None:
    for payslip in payslips.filter(is_final=True).select_related("employee"):
        employee = payslip.employee
        assert employee.leave_date is not None
        FinalSettlement.objects.update_or_create(
            employee=employee,
            defaults={
                "payslip": payslip,
                "month": run.month,
                "last_working_day": employee.leave_date,
                "final_net_before_offset": payslip.net + payslip.recovered,
                "arrears_before": payslip.arrears_before + payslip.advanced,
                "offset": payslip.recovered,
                "payable_to_employee": payslip.net,
                "owed_by_employee": payslip.arrears_after,
            },
        )


def payroll_run_mark_paid(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    require(actor, Perm.PAYROLL_PAY, company=run.company)
    with transaction.atomic():
        run = _locked_run(run)
        if run.state != RunState.APPROVED:
            raise RunStateError(
                field="month",
                month=run.month,
                state=_state(run.state),
                action=Message(gettext_noop("paid")),
            )
        run.state = RunState.PAID
        run.save(update_fields=["state", "updated_at"])
        _event(run, actor, "pay", RunState.APPROVED, RunState.PAID)
        run_evidence.paid_append(run=run, actor=actor)
    return run


def payroll_run_reopen(*, actor: Actor, run: PayrollRun, reason: str) -> PayrollRun:
    """Unfreeze an approved run: its ledger entries are reversed (never deleted), its final
    settlements withdrawn, and it is back to calculated."""
    require(actor, Perm.PAYROLL_REOPEN, company=run.company)
    with transaction.atomic():
        run = _locked_run(run)
        if run.state == RunState.PAID:
            raise PaidRunError(field="month", month=run.month)
        if run.state != RunState.APPROVED:
            raise RunStateError(
                field="month",
                month=run.month,
                state=_state(run.state),
                action=Message(gettext_noop("reopened")),
            )
        later = PayrollRun.objects.filter(
            company_id=run.company_id,
            month__gt=run.month,
            state__in=[RunState.APPROVED, RunState.PAID],
        ).first()
        if later is not None:
            raise RunStateError(
                field="month",
                month=later.month,
                state=_state(later.state),
                action=Message(gettext_noop("left approved while an earlier month is reopened")),
            )
        by = recorded_user(actor)
        open_entries = ArrearsEntry.objects.filter(run=run, reversed_by__isnull=True).exclude(
            kind=ArrearsKind.REVERSAL
        )
        reversals = ArrearsEntry.objects.bulk_create(
            [
                ArrearsEntry(
                    company_id=entry.company_id,
                    employee_id=entry.employee_id,
                    month=entry.month,
                    kind=ArrearsKind.REVERSAL,
                    amount=-entry.amount,
                    items=entry.items,
                    payslip_id=entry.payslip_id,
                    run=run,
                    reverses=entry,
                    note=reason[:500],
                    actor=by,
                )
                for entry in open_entries
            ]
        )
        FinalSettlement.objects.filter(payslip__calculation_id=run.calculation_id).delete()
        run.state = RunState.CALCULATED
        run.save(update_fields=["state", "updated_at"])
        _event(run, actor, "reopen", RunState.APPROVED, RunState.CALCULATED, reason)
        run_evidence.reopen_append(run=run, actor=actor, reason=reason, reversals=reversals)
    return run


# --- the arrears ledger outside payroll ----------------------------------------------------


def _ledger_entry(
    *,
    actor: Actor,
    employee: Employee,
    kind: ArrearsKind,
    amount: object,
    day: datetime.date,
    reference: str,
    note: str,
) -> ArrearsEntry:
    require(actor, Perm.ARREARS_RECORD, company=employee.company, employee=employee)
    value = parse_money(amount, field="amount")
    if value <= 0:
        raise AmountNotPositiveError(field="amount")
    with transaction.atomic():
        # Serialise movements of one employee so two repayments cannot both pass the check.
        Employee.objects.select_for_update().filter(pk=employee.pk).get()
        balance = arrears_balances([employee.pk]).get(employee.pk, ZERO)
        if value > balance:
            raise RepaymentError(field="amount", value=value, balance=balance)
        entry = ArrearsEntry.objects.create(
            company_id=employee.company_id,
            employee=employee,
            month=f"{day.year:04d}-{day.month:02d}",
            kind=kind,
            amount=-value,
            reference=reference[:100],
            note=note[:500],
            actor=recorded_user(actor),
        )
        run_evidence.ledger_append(entry, actor=actor, balance_after=balance - value)
    return entry


def arrears_repayment_record(
    *,
    actor: Actor,
    employee: Employee,
    amount: object,
    paid_on: datetime.date,
    reference: str = "",
    note: str = "",
) -> ArrearsEntry:
    """Record money the employee paid back (bank transfer, cash); never more than owed."""
    return _ledger_entry(
        actor=actor,
        employee=employee,
        kind=ArrearsKind.REPAYMENT,
        amount=amount,
        day=paid_on,
        reference=reference,
        note=note,
    )


def arrears_waive(
    *, actor: Actor, employee: Employee, amount: object, on: datetime.date, reason: str
) -> ArrearsEntry:
    """The company gives up (part of) what is owed; recorded, never silently dropped."""
    return _ledger_entry(
        actor=actor,
        employee=employee,
        kind=ArrearsKind.WAIVER,
        amount=amount,
        day=on,
        reference="",
        note=reason,
    )


def receivable_record(
    *,
    actor: Actor,
    employee: Employee,
    amount: object,
    on: datetime.date,
    reason: str,
    reference: str = "",
) -> ArrearsEntry:
    """Another amount the employee owes (a loan, unreturned equipment, an overpayment): on the
    same ledger, so later wages within the safeguard and the final settlement recover it."""
    require(actor, Perm.ARREARS_RECORD, company=employee.company, employee=employee)
    value = parse_money(amount, field="amount")
    if value <= 0:
        raise AmountNotPositiveError(field="amount")
    with transaction.atomic():
        # Serialised like the other movements, so the balance recorded after it is exact.
        Employee.objects.select_for_update().filter(pk=employee.pk).get()
        balance = arrears_balances([employee.pk]).get(employee.pk, ZERO)
        entry = ArrearsEntry.objects.create(
            company_id=employee.company_id,
            employee=employee,
            month=f"{on.year:04d}-{on.month:02d}",
            kind=ArrearsKind.RECEIVABLE,
            amount=value,
            reference=reference[:100],
            note=reason[:500],
            actor=recorded_user(actor),
        )
        run_evidence.ledger_append(entry, actor=actor, balance_after=balance + value)
    return entry


def arrears_balance(employee: Employee) -> Decimal:
    return arrears_balances([employee.pk]).get(employee.pk, ZERO)
