"""What payroll writes to the evidence log: the rows of a run and of the arrears ledger as
records, appended in the transaction of the change they record.

Kinds (other parts of Renshi and outside readers rely on these names):

``payroll.payslip`` (the payslip's employee)
    one per payslip when a run is approved: run, company, month, calculation, the employee's
    number and name, every line (code and amount; the component's name on earnings and
    deductions, the days and daily wage on time deductions), gross, the social insurance of each
    item (base used, employee rate, employee and employer amounts: the contribution record),
    the housing fund likewise, income tax with the year to date, net pay, the arrears advanced
    and recovered, and the policy periods the figures came from. Approved again after a
    reopening, each names the entry it replaces in ``corrects``.
``policy.used``
    one per city a run's payslips used: the periods in force (their figures, whose sources,
    provisional or not), where the policy came from (bundled, override or imported file and,
    for an import, its SHA-256) and the SHA-256 of the periods as written in the entry.
``arrears.posted`` (the employee)
    each ledger posting an approval makes (the share advanced, a recovery, a final settlement
    offset) and each reversal a reopening makes: posting id, kind, month, amount, items, the
    balance after it.
``payroll.approved``
    written last: run, month, calculation, payslip count, totals, who approved, and the batch
    it closes: the first and last index of the entries above and the SHA-256 of their leaf
    hashes concatenated in order, which ties the approval to exactly those entries.
``payroll.reopened``, ``payroll.paid``
    the run, the reason (reopened), who.
``arrears.repaid``, ``arrears.waived``, ``arrears.receivable``, ``arrears.prepaid``
    postings outside a run, with the reference and note given, who, and the balance after.

The resident ID and the bank account are encrypted personal data and never go into an entry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection

from renshi.core.errors import CoreError
from renshi.core.money import ZERO, round_cent
from renshi.core.months import Month
from renshi.core.policy import Figure, PolicySnapshot, Source
from renshi.evidence.canonical import canonical_json, decimal_at_scale, sha256_hex
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import evidence_entries, evidence_entry_document
from renshi.evidence.services import EvidenceRecord, evidence_append, evidence_append_many
from renshi.payroll.fetch import arrears_balances
from renshi.payroll.models import (
    ArrearsEntry,
    ArrearsKind,
    PayrollRun,
    PayrollRunEvent,
    Payslip,
    PayslipLine,
)
from renshi.payroll.save import PAYSLIP_RESULT_COLUMNS
from renshi.people.evidence import actor_username
from renshi.people.models import Employee
from renshi.policies.models import PolicyFile
from renshi.policies.selectors import IMPORTED_PREFIX, policy_library, policy_origin

if TYPE_CHECKING:
    from renshi.access.checks import Actor

KIND_PAYSLIP = "payroll.payslip"
KIND_APPROVED = "payroll.approved"
KIND_REOPENED = "payroll.reopened"
KIND_PAID = "payroll.paid"
KIND_POLICY_USED = "policy.used"
APPEND_CHUNK = 1000
KIND_POSTED = "arrears.posted"
KIND_REPAID = "arrears.repaid"
KIND_WAIVED = "arrears.waived"
KIND_RECEIVABLE = "arrears.receivable"
KIND_PREPAID = "arrears.prepaid"

# Postings made outside a run have a kind of their own; a run's postings are arrears.posted.
_POSTING_KINDS = {
    ArrearsKind.REPAYMENT: KIND_REPAID,
    ArrearsKind.WAIVER: KIND_WAIVED,
    ArrearsKind.RECEIVABLE: KIND_RECEIVABLE,
    ArrearsKind.PREPAYMENT: KIND_PREPAID,
}
_PAYSLIP_FIELDS = (
    "id",
    "employee_id",
    "employee__number",
    "employee__name",
    *PAYSLIP_RESULT_COLUMNS,
)
_CENT = Decimal("0.01")
_RATE = Decimal("0.000001")  # PayslipLine.rate's scale
_LINES = PayslipLine._meta.db_table
_PAYSLIPS = Payslip._meta.db_table
# A line's explanation is read only where it holds facts found nowhere else in the entry: the
# component's name, the days and the daily wage of a time deduction. The tables are our own.
_LINES_SQL = (
    "SELECT l.payslip_id, l.code, l.kind, l.amount, l.employer_amount, l.base, l.rate, "  # noqa: S608
    "l.period, CASE WHEN l.kind IN ('earning', 'deduction', 'time_deduction') THEN l.params END "
    f"FROM {_LINES} l JOIN {_PAYSLIPS} p ON p.id = l.payslip_id "
    "WHERE p.calculation_id = %s ORDER BY l.payslip_id, l.seq"
)
_IN_CHUNK = 1000
_TOTALS = ("gross", "net", "employee_share", "employer_share", "iit", "advanced", "recovered")
# The line whose period names the policy period of a section.
_PERIOD_LINES = {"si.pension": "social_insurance", "hf": "housing_fund"}


@dataclasses.dataclass(slots=True)
class PayslipDetail:
    """A payslip's lines as its entry shows them, and its contributions item by item.

    The lines are a mapping of code to amount (codes are unique on a payslip and say the kind
    of line): a mapping per line would double the entry's size and the time to write it."""

    lines: dict[str, Decimal | None] = dataclasses.field(default_factory=dict)
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    explanations: dict[str, Any] = dataclasses.field(default_factory=dict)
    social_insurance: dict[str, Any] = dataclasses.field(default_factory=dict)
    housing_fund: dict[str, Any] | None = None
    periods: dict[str, Any] = dataclasses.field(default_factory=dict)


# --- approving a run ---------------------------------------------------------------------


def approval_append(
    *, run: PayrollRun, actor: Actor, postings: Sequence[ArrearsEntry]
) -> list[EvidenceEntry]:
    """Write an approval to the log: the policies used, one entry per payslip and one per
    ledger posting, then ``payroll.approved`` naming that batch; returns the approval entry.

    Call it inside the approval's transaction, after the slow work: the appends hold the log's
    lock until the transaction ends, so the batch's indexes are consecutive even though it is
    appended ``APPEND_CHUNK`` payslips at a time (which keeps memory flat at any run size).
    """
    assert run.calculation_id is not None
    with _no_cycle_collection():
        payslips = list(
            Payslip.objects.filter(calculation_id=run.calculation_id)
            .order_by("employee__number", "id")
            .values(*_PAYSLIP_FIELDS)
        )
        details = payslip_details(run.calculation_id)
        earlier = _earlier_approval(run)
        replaced = _payslip_entries_of(earlier)
        batch = _appended(policy_records(run, payslips, details))
        for start in range(0, len(payslips), APPEND_CHUNK):
            chunk = payslips[start : start + APPEND_CHUNK]
            batch += _appended(payslip_records(run, chunk, details, replaced=replaced))
        batch += _appended(posting_records(postings, actor=actor, names=_names(payslips)))
        corrects = None if earlier is None else earlier.index
        approved = approved_record(run, payslips, actor=actor, batch=batch, corrects=corrects)
        return evidence_append_many(records=[approved])


@dataclasses.dataclass(frozen=True, slots=True)
class Appended:
    """What ``payroll.approved`` keeps of each entry of its batch."""

    index: int
    leaf_hash: bytes


def _appended(records: Sequence[EvidenceRecord]) -> list[Appended]:
    return [
        Appended(entry.index, bytes(entry.leaf_hash))
        for entry in evidence_append_many(records=records)
    ]


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a run's entries are built. They are a hundred small
    objects a payslip, none in a cycle, and the collector scanning them again and again as they
    pile up cost a quarter of the time the log adds to an approval (10,000 payslips: 1.6 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def payslip_details(calculation_id: int) -> dict[int, PayslipDetail]:
    """The lines of a calculation's payslips, by payslip id, in one query.

    Read as plain rows, not through the ORM: its per-value Decimal converters took longer than
    everything else approval reads, at a dozen lines a payslip."""
    details: dict[int, PayslipDetail] = {}
    with connection.cursor() as cursor:
        cursor.execute(_LINES_SQL, [calculation_id])
        rows = cursor.fetchall()
    for payslip_id, code, kind, amount, employer_amount, base, rate, period, params in rows:
        detail = details.get(payslip_id)
        if detail is None:
            detail = details[payslip_id] = PayslipDetail()
        detail.lines[code] = decimal_at_scale(amount, _CENT)
        if params is not None:
            explanation = json.loads(params) if isinstance(params, str) else params
            if kind == "time_deduction":
                detail.explanations[code] = explanation
            else:
                detail.labels[code] = explanation.get("name", "")
        if code.startswith("si.") or code == "hf":
            item = {
                "base": decimal_at_scale(base, _CENT),
                "rate": decimal_at_scale(rate, _RATE),
                "employee": detail.lines[code],
                "employer": decimal_at_scale(employer_amount, _CENT),
            }
            if code == "hf":
                detail.housing_fund = item
            else:
                detail.social_insurance[code.removeprefix("si.")] = item
        if code in _PERIOD_LINES:
            start, _, end = period.partition("..")
            detail.periods[_PERIOD_LINES[code]] = {"start": start, "end": end}
    return details


def _earlier_approval(run: PayrollRun) -> EvidenceEntry | None:
    """The run's latest ``payroll.approved`` entry when it is being approved again after a
    reopening. Reads the company's approvals, which is acceptable only that rarely."""
    if not PayrollRunEvent.objects.filter(run=run, action="reopen").exists():
        return None
    approvals = evidence_entries(company=run.company, kinds=[KIND_APPROVED]).order_by("-index")
    for entry in approvals.only("index", "canonical").iterator():
        if evidence_entry_document(entry)["data"]["run"] == run.pk:
            return entry
    return None


def _payslip_entries_of(approval: EvidenceEntry | None) -> dict[int, int]:
    """The payslip entries an approval's batch holds, by employee id."""
    if approval is None:
        return {}
    batch = evidence_entry_document(approval)["data"]["batch"]
    rows = EvidenceEntry.objects.filter(
        index__gte=batch["first"], index__lte=batch["last"], kind=KIND_PAYSLIP
    ).values_list("employee_id", "index")
    return dict(rows)


def _names(payslips: Sequence[Mapping[str, Any]]) -> dict[int, tuple[str, str]]:
    return {
        row["employee_id"]: (row["employee__number"], row["employee__name"]) for row in payslips
    }


def _employee_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    names: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(sorted(ids)):
        rows = Employee.objects.filter(pk__in=chunk).values_list("id", "number", "name")
        names.update((pk, (number, name)) for pk, number, name in rows)
    return names


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    """Ids a query's IN list at a time, within SQLite's limit on parameters."""
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def payslip_records(
    run: PayrollRun,
    payslips: Sequence[Mapping[str, Any]],
    details: Mapping[int, PayslipDetail],
    *,
    replaced: Mapping[int, int],
) -> list[EvidenceRecord]:
    """One ``payroll.payslip`` per payslip; ``replaced`` maps an employee to the entry of the
    payslip approved before the run was reopened, which the new one corrects."""
    company = run.company.code
    empty = PayslipDetail()
    return [
        EvidenceRecord(
            kind=KIND_PAYSLIP,
            company_id=run.company_id,
            employee_id=row["employee_id"],
            data=payslip_data(run, company, row, details.get(row["id"], empty)),
            corrects=replaced.get(row["employee_id"]),
        )
        for row in payslips
    ]


def payslip_data(
    run: PayrollRun, company: str, row: Mapping[str, Any], detail: PayslipDetail
) -> dict[str, Any]:
    return {
        "run": run.pk,
        "company": company,
        "month": run.month,
        "calculation": run.calculation_id,
        "payslip": row["id"],
        "employee": {"number": row["employee__number"], "name": row["employee__name"]},
        "is_final": row["is_final"],
        "lines": detail.lines,
        "line_labels": detail.labels,
        "line_details": detail.explanations,
        "gross": row["gross"],
        "time_deductions": row["time_deductions"],
        "social_insurance": detail.social_insurance,
        "housing_fund": detail.housing_fund,
        "employee_share": row["employee_share"],
        "employer_share": row["employer_share"],
        "iit": {"withheld": row["iit"], "year_to_date": row["iit_cumulative"]},
        "share_covered": row["share_covered"],
        "arrears": {
            "before": row["arrears_before"],
            "advanced": row["advanced"],
            "advanced_items": row["advanced_items"],
            "recovered": row["recovered"],
            "after": row["arrears_after"],
        },
        "net": row["net"],
        "policy": {"city": row["city"], **detail.periods},
    }


def approved_record(
    run: PayrollRun,
    payslips: Sequence[Mapping[str, Any]],
    *,
    actor: Actor,
    batch: Sequence[Appended],
    corrects: int | None,
) -> EvidenceRecord:
    """``payroll.approved``: the run's totals, and the batch of entries the approval wrote,
    named by its first and last index and the SHA-256 of its leaf hashes in order."""
    totals = {name: sum((row[name] for row in payslips), ZERO) for name in _TOTALS}
    return EvidenceRecord(
        kind=KIND_APPROVED,
        company_id=run.company_id,
        data={
            **_run_facts(run),
            "payslips": len(payslips),
            "totals": totals,
            "actor": actor_username(actor),
            "batch": batch_digest(batch),
        },
        corrects=corrects,
    )


def batch_digest(batch: Sequence[Appended]) -> dict[str, Any]:
    """First and last index, how many, and SHA-256 over the leaf hashes in order."""
    digest = hashlib.sha256(b"".join(bytes(entry.leaf_hash) for entry in batch)).hexdigest()
    return {
        "first": batch[0].index if batch else None,
        "last": batch[-1].index if batch else None,
        "entries": len(batch),
        "leaf_hashes_sha256": digest,
    }


def _run_facts(run: PayrollRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "company": run.company.code,
        "month": run.month,
        "calculation": run.calculation_id,
    }


# --- the policies a run used -------------------------------------------------------------


def policy_records(
    run: PayrollRun,
    payslips: Sequence[Mapping[str, Any]],
    details: Mapping[int, PayslipDetail],
) -> list[EvidenceRecord]:
    """One ``policy.used`` per city the payslips name, with the periods in the library now
    (what the run was calculated with, unless the library changed since) and the periods the
    payslips name, so that any difference shows."""
    on_payslips: dict[str, dict[str, set[str]]] = {}
    counts: dict[str, int] = {}
    for row in payslips:
        city = row["city"]
        if not city:
            continue
        counts[city] = counts.get(city, 0) + 1
        named = on_payslips.setdefault(city, {})
        detail = details.get(row["id"])
        for section, period in (detail.periods if detail else {}).items():
            named.setdefault(section, set()).add(f"{period['start']}..{period['end']}")
    library = policy_library()
    month = Month.parse(run.month)
    records = []
    for city in sorted(counts):
        data: dict[str, Any] = {
            **_run_facts(run),
            "city": city,
            "payslips": counts[city],
            "periods_on_payslips": {
                section: sorted(periods) for section, periods in on_payslips[city].items()
            },
        }
        try:
            snapshot = library.lookup(city, month)
        except CoreError as error:  # the library lost the city or period since the run
            data["library"] = None
            data["library_error"] = str(error)
        else:
            data["library"] = policy_facts(snapshot)
        records.append(EvidenceRecord(kind=KIND_POLICY_USED, company_id=run.company_id, data=data))
    return records


def policy_facts(snapshot: PolicySnapshot) -> dict[str, Any]:
    """Where a city's policy came from, the periods in force, their sources and hash."""
    policy = snapshot.policy
    periods = {
        "social_insurance": _plain(snapshot.social_insurance),
        "housing_fund": _plain(snapshot.housing_fund),
        "minimum_wage": _plain(snapshot.minimum_wage),
        "contribution_rules": _plain(snapshot.contribution_rules),
    }
    used = _source_ids(periods)
    origin = policy_origin(policy)
    return {
        "origin": origin,
        "file": _file_name(policy.origin),
        "file_sha256": _imported_sha256(policy.origin) if origin == "imported" else None,
        "periods": periods,
        "periods_sha256": sha256_hex(canonical_json(periods)),
        "sources": {
            source_id: _plain(source)
            for source_id, source in sorted(policy.sources.items())
            if source_id in used
        },
    }


def _plain(value: Any) -> Any:
    """A policy period as plain data: a figure is its value, source id, confidence and note."""
    if isinstance(value, Figure):
        source = None if value.source is None else value.source.id
        return {
            "value": value.value,
            "source": source,
            "confidence": value.confidence.value,
            "note": value.note,
        }
    if isinstance(value, Source):
        return {
            "title": value.title,
            "publisher": value.publisher,
            "url": value.url,
            "date": value.date,
            "note": value.note,
        }
    if isinstance(value, Month):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _source_ids(value: Any) -> set[str]:
    if isinstance(value, Mapping):
        found = {value["source"]} if isinstance(value.get("source"), str) else set()
        for item in value.values():
            found |= _source_ids(item)
        return found
    if isinstance(value, list):
        return set().union(*(_source_ids(item) for item in value)) if value else set()
    return set()


def _file_name(origin: str) -> str:
    if origin.startswith(IMPORTED_PREFIX):
        return origin.removeprefix(IMPORTED_PREFIX).partition(":")[2]
    return Path(origin).name


def _imported_sha256(origin: str) -> str | None:
    """The SHA-256 of an imported policy file's text, as recorded when it was imported."""
    pk = origin.removeprefix(IMPORTED_PREFIX).partition(":")[0]
    if not pk.isdigit():
        return None
    return PolicyFile.objects.filter(pk=int(pk)).values_list("sha256", flat=True).first()


# --- reopening and paying ----------------------------------------------------------------


def reopen_append(
    *, run: PayrollRun, actor: Actor, reason: str, reversals: Sequence[ArrearsEntry]
) -> list[EvidenceEntry]:
    """``payroll.reopened``, then one ``arrears.posted`` per reversal of the run's postings."""
    reopened = EvidenceRecord(
        kind=KIND_REOPENED,
        company_id=run.company_id,
        data={
            **_run_facts(run),
            "reason": reason,
            "reversals": len(reversals),
            "actor": actor_username(actor),
        },
    )
    names = _employee_names({entry.employee_id for entry in reversals})
    postings = posting_records(reversals, actor=actor, names=names)
    return evidence_append_many(records=[reopened, *postings])


def paid_append(*, run: PayrollRun, actor: Actor) -> EvidenceEntry:
    return evidence_append(
        kind=KIND_PAID,
        company=run.company,
        data={
            **_run_facts(run),
            "payslips": run.employee_count,
            "total_net": run.total_net,
            "actor": actor_username(actor),
        },
    )


# --- ledger postings ---------------------------------------------------------------------


def posting_records(
    postings: Sequence[ArrearsEntry],
    *,
    actor: Actor,
    names: Mapping[int, tuple[str, str]],
) -> list[EvidenceRecord]:
    """One entry per posting, with the employee's balance after it; ``names`` gives each
    employee's number and name. Call it once the postings are saved: the balances are read
    once, as they are after the last posting, and walked back to each one."""
    balance: dict[int, Decimal] = {}
    for chunk in _chunks(sorted({entry.employee_id for entry in postings})):
        balance.update(arrears_balances(chunk))
    after = [ZERO] * len(postings)
    for position in range(len(postings) - 1, -1, -1):
        entry = postings[position]
        after[position] = balance.get(entry.employee_id, ZERO)
        balance[entry.employee_id] = after[position] - entry.amount
    return [
        posting_record(entry, actor=actor, name=names.get(entry.employee_id), balance_after=value)
        for entry, value in zip(postings, after, strict=True)
    ]


def posting_record(
    entry: ArrearsEntry,
    *,
    actor: Actor,
    name: tuple[str, str] | None,
    balance_after: Decimal,
    extra: Mapping[str, Any] | None = None,
) -> EvidenceRecord:
    """A ledger posting: ``arrears.posted`` for a run's, the kind of its own for the others."""
    number, full_name = name if name is not None else (None, None)
    return EvidenceRecord(
        kind=_POSTING_KINDS.get(ArrearsKind(entry.kind), KIND_POSTED),
        company_id=entry.company_id,
        employee_id=entry.employee_id,
        data={
            "posting": entry.pk,
            "kind": entry.kind,
            "employee": {"number": number, "name": full_name},
            "month": entry.month,
            "amount": round_cent(entry.amount),
            "items": entry.items,
            "run": entry.run_id,
            "payslip": entry.payslip_id,
            "reverses": entry.reverses_id,
            "reference": entry.reference,
            "note": entry.note,
            "balance_after": round_cent(balance_after),
            "actor": actor_username(actor),
            **(extra or {}),
        },
    )


def ledger_append(
    entry: ArrearsEntry,
    *,
    actor: Actor,
    balance_after: Decimal,
    extra: Mapping[str, Any] | None = None,
) -> EvidenceEntry:
    """Append one posting made outside a run (a repayment, waiver, receivable, prepayment)."""
    employee = entry.employee
    record = posting_record(
        entry,
        actor=actor,
        name=(employee.number, employee.name),
        balance_after=balance_after,
        extra=extra,
    )
    return evidence_append_many(records=[record])[0]
