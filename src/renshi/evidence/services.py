"""Writing to the evidence log: append entries, sign checkpoints, have them timestamped.

``evidence_append`` (one entry) and ``evidence_append_many`` (a payroll run's payslips) run
inside the caller's transaction, so an entry exists exactly when the business change it records
was committed. They lock the one log-state row, which makes index assignment gapless and
serialises appenders: call them late in the transaction, after the slow work, to hold the lock
briefly. An append reads the state row and writes the new rows; it never reads the log.

``evidence_tick(now=...)`` is the scheduled part, run by ``alert_tick`` (``renshi tick``, Celery
beat, the embedded server): a checkpoint when the log has grown and the last is old enough, and
a timestamp for the latest checkpoint when an authority is configured and it has none yet.
Idempotent.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from renshi import clock
from renshi.core.merkle import leaf_hash
from renshi.evidence.canonical import (
    CanonicalValueError,
    canonical_json,
    canonical_object,
    sha256_hex,
)
from renshi.evidence.checkpoint_text import CheckpointText, checkpoint_time
from renshi.evidence.errors import (
    BlobNameError,
    CheckpointSizeDecreasesError,
    CheckpointTimeError,
    CorrectsError,
    EvidenceError,
    KindError,
    NaiveTimeError,
    TimestampConfigError,
)
from renshi.evidence.keys import signing_key
from renshi.evidence.log_state import log_state_lock, log_state_save
from renshi.evidence.models import (
    EvidenceBlob,
    EvidenceCheckpoint,
    EvidenceEntry,
    EvidenceTimestamp,
)
from renshi.evidence.selectors import evidence_checkpoint_text, evidence_log_size
from renshi.evidence.tsa import timestamp_fetch, timestamp_time
from renshi.people.models import Company, Employee

logger = logging.getLogger(__name__)
DOCUMENT_VERSION = 1
KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
KIND_MAX_LENGTH = 80
_BLOB_QUERY_CHUNK = 500
_INSERT_ENTRY = (
    "INSERT INTO evidence_entry (log_index, kind, company_id, employee_id, recorded_at, corrects, "
    "canonical, leaf_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One entry to append: what happened (``kind``), to whom, the facts, the exact bytes.

    ``data`` is any mapping ``canonical_json`` accepts (Decimal, aware datetimes, dates, str,
    int, bool, None, lists, mappings). ``blobs`` maps a name (``letter.pdf``) to bytes; the entry
    names them by SHA-256 and the bytes are stored once. ``corrects`` is the index of an earlier
    entry of the same company that this one corrects.
    """

    kind: str
    company_id: int
    data: Mapping[str, Any]
    employee_id: int | None = None
    blobs: Mapping[str, bytes] = field(default_factory=dict)
    corrects: int | None = None


@dataclass(frozen=True, slots=True)
class EvidenceTickReport:
    checkpoint: EvidenceCheckpoint | None
    timestamped: bool
    timestamp_error: str | None


def evidence_append(
    *,
    kind: str,
    company: Company,
    data: Mapping[str, Any],
    employee: Employee | None = None,
    blobs: Mapping[str, bytes] | None = None,
    corrects: int | None = None,
    at: datetime.datetime | None = None,
) -> EvidenceEntry:
    """Append one entry, in the caller's transaction if there is one."""
    record = EvidenceRecord(
        kind=kind,
        company_id=company.pk,
        data=data,
        employee_id=None if employee is None else employee.pk,
        blobs=blobs or {},
        corrects=corrects,
    )
    return evidence_append_many(records=[record], at=at)[0]


def evidence_append_many(
    *, records: Sequence[EvidenceRecord], at: datetime.datetime | None = None
) -> list[EvidenceEntry]:
    """Append entries in order, with consecutive indexes, all recorded at the same moment.

    One lock, one batch of inserts for the entries and one for the new blobs, whatever their
    number. A refusal (a bad kind, a value with no canonical form, a correction of an entry that
    does not exist) raises before the lock is taken and leaves the caller's transaction usable;
    the caller should then not commit the change the entry was to record.
    """
    if not records:
        return []
    moment = timezone.localtime(_recorded_at(at))
    recorded_at = canonical_json(moment)
    # Everything that can be refused is checked before the lock, so that a refusal leaves the
    # caller's transaction usable; inside, only the database itself can fail.
    prepared = [_prepare(record, path=f"records[{n}]") for n, record in enumerate(records)]
    with transaction.atomic(savepoint=False):
        compact = log_state_lock()
        first = compact.size
        entries: list[EvidenceEntry] = []
        blobs: dict[str, bytes] = {}
        for offset, (record, data, names, contents) in enumerate(prepared):
            index = first + offset
            blobs.update(contents)
            # Put together from parts in canonical form: the data was encoded before the lock.
            canonical = canonical_object(
                {
                    "v": b"%d" % DOCUMENT_VERSION,
                    "index": b"%d" % index,
                    "kind": canonical_json(record.kind),
                    "company": b"%d" % record.company_id,
                    "employee": _json_int(record.employee_id),
                    "recorded_at": recorded_at,
                    "corrects": _json_int(record.corrects),
                    "data": data,
                    "blobs": canonical_json(names),
                }
            )
            digest = leaf_hash(canonical)
            compact.append(digest)
            entries.append(
                EvidenceEntry(
                    index=index,
                    kind=record.kind,
                    company_id=record.company_id,
                    employee_id=record.employee_id,
                    recorded_at=moment,
                    corrects=record.corrects,
                    canonical=canonical,
                    leaf_hash=digest,
                )
            )
        _store_blobs(blobs)
        _insert_entries(entries, moment=moment)
        log_state_save(compact, moment=moment)
    return entries


def evidence_checkpoint_create(*, now: datetime.datetime | None = None) -> EvidenceCheckpoint:
    """Sign the log's current size and root. Refused when the log is smaller than the last
    checkpoint says, or when the time (whole seconds, UTC) is not after the last one's."""
    moment = checkpoint_time(now or clock.now())
    key = signing_key()
    with transaction.atomic():
        # The lock orders checkpoints with appends and with each other.
        compact = log_state_lock()
        last = EvidenceCheckpoint.objects.order_by("-id").first()
        if last is not None:
            if compact.size < last.size:
                raise CheckpointSizeDecreasesError(
                    field="checkpoint", size=compact.size, last_size=last.size
                )
            if moment <= last.signed_at:
                raise CheckpointTimeError(
                    field="now", last_time=last.signed_at.isoformat(), time=moment.isoformat()
                )
        text = CheckpointText(
            origin=log_origin(), size=compact.size, root=compact.root(), time=moment
        )
        return EvidenceCheckpoint.objects.create(
            origin=text.origin,
            size=text.size,
            root=text.root,
            signed_at=moment,
            signature=key.sign(text.message()),
            public_key=key.public_raw,
        )


def evidence_checkpoint_timestamp(*, checkpoint: EvidenceCheckpoint) -> EvidenceTimestamp:
    """Have the configured authority (``RENSHI_TSA_URL``) stamp the checkpoint's signed text and
    keep the token. Call it outside a transaction: it waits on the network."""
    url = settings.RENSHI_TSA_URL
    ca_file = settings.RENSHI_TSA_CA_FILE
    if not ca_file:
        raise TimestampConfigError(field="RENSHI_TSA_CA_FILE", url=url)
    token = timestamp_fetch(
        url=url,
        data=evidence_checkpoint_text(checkpoint).message(),
        ca_file=ca_file,
        timeout=settings.RENSHI_TSA_TIMEOUT_SECONDS,
    )
    return EvidenceTimestamp.objects.create(
        checkpoint=checkpoint, tsa_url=url, token=token, stamped_at=timestamp_time(token=token)
    )


def evidence_tick(*, now: datetime.datetime | None = None) -> EvidenceTickReport:
    """What is due at ``now``: a checkpoint when the log has grown since the last one and that
    one is at least ``RENSHI_EVIDENCE_CHECKPOINT_SECONDS`` old, then a timestamp for the latest
    checkpoint if it has none. A failing authority is logged and retried at the next tick."""
    now = now or clock.now()
    last = EvidenceCheckpoint.objects.order_by("-id").first()
    size = evidence_log_size()
    interval = datetime.timedelta(seconds=settings.RENSHI_EVIDENCE_CHECKPOINT_SECONDS)
    created = None
    is_due = (size or 0) > (0 if last is None else last.size) and (
        last is None or now - last.signed_at >= interval
    )
    if is_due:
        try:
            created = evidence_checkpoint_create(now=now)
        except CheckpointTimeError:  # another worker signed one this second
            created = None
    if not settings.RENSHI_TSA_URL:
        return EvidenceTickReport(checkpoint=created, timestamped=False, timestamp_error=None)
    latest = created or EvidenceCheckpoint.objects.order_by("-id").first()
    if latest is None or latest.timestamps.exists():
        return EvidenceTickReport(checkpoint=created, timestamped=False, timestamp_error=None)
    try:
        evidence_checkpoint_timestamp(checkpoint=latest)
    except EvidenceError as error:
        logger.warning("evidence checkpoint %s not timestamped: %s", latest.pk, error)
        return EvidenceTickReport(checkpoint=created, timestamped=False, timestamp_error=str(error))
    return EvidenceTickReport(checkpoint=created, timestamped=True, timestamp_error=None)


def log_origin() -> str:
    """The log's name in its checkpoints: ``RENSHI_EVIDENCE_ORIGIN``, or the public host."""
    configured = str(getattr(settings, "RENSHI_EVIDENCE_ORIGIN", "") or "").strip()
    if configured:
        return configured
    host = urlsplit(getattr(settings, "RENSHI_PUBLIC_URL", "")).netloc or "renshi"
    return f"{host}/evidence"


def _recorded_at(at: datetime.datetime | None) -> datetime.datetime:
    moment = at or clock.now()
    if timezone.is_naive(moment):
        raise NaiveTimeError(field="at", value=moment.isoformat())
    return moment


def _require_kind(kind: str) -> None:
    if not isinstance(kind, str) or len(kind) > KIND_MAX_LENGTH or not KIND.fullmatch(kind):
        raise KindError(field="kind", value=kind)


def _prepare(
    record: EvidenceRecord, *, path: str
) -> tuple[EvidenceRecord, bytes, dict[str, str], dict[str, bytes]]:
    """Check a record; its data's canonical bytes, its attachments' names and bytes."""
    _require_kind(record.kind)
    if record.corrects is not None:
        _require_correctable(record)
    try:
        data = canonical_json(record.data)
    except CanonicalValueError as error:
        field = str(error.params.get("field", "$")).replace("$", "$.data", 1)
        raise type(error)(**{**error.params, "field": field}) from None
    names: dict[str, str] = {}
    contents: dict[str, bytes] = {}
    for name, content in record.blobs.items():
        if not isinstance(name, str) or not name.strip():
            raise BlobNameError(field=f"{path}.blobs")
        content = bytes(content)
        names[name] = sha256_hex(content)
        contents[names[name]] = content
    return record, data, names, contents


def _json_int(value: int | None) -> bytes:
    return b"null" if value is None else b"%d" % value


def _require_correctable(record: EvidenceRecord) -> None:
    """A correction names an entry that exists (so it is earlier) of the same company."""
    target = record.corrects
    company_id = None
    if target is not None and target >= 0:
        company_id = (
            EvidenceEntry.objects.filter(index=target).values_list("company_id", flat=True).first()
        )
    if company_id is None or company_id != record.company_id:
        raise CorrectsError(field="corrects", value=target, size=evidence_log_size())


def _insert_entries(entries: list[EvidenceEntry], *, moment: datetime.datetime) -> None:
    """One plain INSERT per entry, sent as a batch: the ORM's ``bulk_create`` spent more time
    building the statement than the database spent running it."""
    recorded_at = connection.ops.adapt_datetimefield_value(moment)
    rows = [
        (
            entry.index, entry.kind, entry.company_id, entry.employee_id, recorded_at,
            entry.corrects, bytes(entry.canonical), bytes(entry.leaf_hash),
        )
        for entry in entries
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(_INSERT_ENTRY, rows)
    for entry in entries:  # as if the ORM had saved them
        entry._state.adding = False
        entry._state.db = connection.alias


def _store_blobs(blobs: Mapping[str, bytes]) -> None:
    """Insert the blobs not stored yet. Under the log lock no other append can insert the same
    one between the check and the insert."""
    if not blobs:
        return
    hashes = list(blobs)
    stored: set[str] = set()
    for start in range(0, len(hashes), _BLOB_QUERY_CHUNK):
        chunk = hashes[start : start + _BLOB_QUERY_CHUNK]
        stored.update(
            EvidenceBlob.objects.filter(sha256__in=chunk).values_list("sha256", flat=True)
        )
    EvidenceBlob.objects.bulk_create(
        [EvidenceBlob(sha256=sha, data=data) for sha, data in blobs.items() if sha not in stored]
    )
