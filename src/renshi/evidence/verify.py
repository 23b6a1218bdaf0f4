"""Recompute the whole evidence log from its stored bytes and say where it differs.

One streaming pass over the entries in index order checks, for each: that the index follows the
previous one (a gap is a deleted entry), that its bytes hash to the recorded leaf hash, that its
document agrees with its columns (index, kind, company, employee, time, correction), and that
every attachment it names exists with bytes that hash to its name. The Merkle tree is rebuilt
from the recomputed leaf hashes as the pass goes, and each checkpoint's root is compared at the
moment the pass reaches its size; every checkpoint's signature (and timestamp token, if any) is
checked, and so is the order of checkpoints (sizes never decrease, times always increase).

Nothing here trusts the log-state row: it is compared, as one more witness, with what the
entries give. The first problem by entry index is what the command reports; the index is exact
for a changed, missing or reordered entry, and for a change that also rewrote the leaf hash
it is the first entry after the last checkpoint that still verifies.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from renshi.core.errors import Message
from renshi.core.i18n import gettext_noop
from renshi.core.merkle import HASH_SIZE, CompactRange
from renshi.evidence import triggers
from renshi.evidence.checkpoint_text import CheckpointText
from renshi.evidence.errors import EvidenceError
from renshi.evidence.keys import fingerprint, signature_is_valid, trusted_public_keys
from renshi.evidence.log_state import compact_range_of, log_state_read
from renshi.evidence.models import (
    LOG_STATE_ID,
    EvidenceBlob,
    EvidenceCheckpoint,
    EvidenceEntry,
    EvidenceLogState,
    EvidenceTimestamp,
)
from renshi.evidence.tsa import timestamp_verify

CHUNK_SIZE = 10_000
BLOB_CHUNK_SIZE = 50
_BLOB_QUERY_CHUNK = 500
MAX_PROBLEMS = 100
_LEAF_PREFIX = b"\x00"

ENTRY_MISSING = gettext_noop(
    "entry {index} is missing: the log goes from entry {previous} to entry {next}"
)
ENTRY_MISSING_AT_START = gettext_noop("entry {index} is missing: the log starts at entry {next}")
ENTRY_TAIL_MISSING = gettext_noop(
    "entry {index} is missing: a checkpoint signed at {time} covers {size} entries, and the log "
    "ends after {count}"
)
ENTRY_CHANGED = gettext_noop(
    "entry {index} was changed: its bytes hash to {computed}, not to its recorded leaf hash "
    "{recorded}"
)
ENTRY_NOT_JSON = gettext_noop("entry {index} was changed: its bytes are not a JSON document")
ENTRY_COLUMN = gettext_noop(
    "entry {index} was changed or moved: its {column} is {stored} but its bytes say {document}"
)
ENTRY_CORRECTS_LATER = gettext_noop(
    "entry {index} claims to correct entry {corrects}, which is not an earlier entry"
)
BLOB_MISSING = gettext_noop("entry {index}: its attachment {sha256} is missing")
BLOB_CHANGED = gettext_noop(
    "entry {index}: its attachment {sha256} was changed; its bytes hash to {computed}"
)
ROOT_MISMATCH = gettext_noop(
    "entry {index} or a later one up to {last} was changed, removed or inserted: the checkpoint "
    "signed at {time} over {size} entries has the root {signed}, the entries give {computed}"
)
SIGNATURE_INVALID = gettext_noop(
    "the checkpoint signed at {time} over {size} entries: its signature does not verify"
)
KEY_UNTRUSTED = gettext_noop(
    "the checkpoint signed at {time} over {size} entries is signed by key {key}, which is "
    "neither the signing key nor one of RENSHI_EVIDENCE_TRUSTED_KEYS"
)
CHECKPOINT_MALFORMED = gettext_noop(
    "the checkpoint signed at {time} over {size} entries is malformed: {reason}"
)
CHECKPOINT_ORDER = gettext_noop(
    "the checkpoint signed at {time} over {size} entries follows one signed at {previous_time} "
    "over {previous_size}: sizes never decrease and times always increase"
)
TIMESTAMP_INVALID = gettext_noop(
    "the timestamp of the checkpoint signed at {time} over {size} entries does not verify: {reason}"
)
STATE_MISMATCH = gettext_noop(
    "the log state records {state_size} entries with root {state_root}, but the entries give "
    "{computed} at that size"
)
STATE_TRUNCATED = gettext_noop(
    "entry {index} is missing: the log state records {state_size} entries and the log ends "
    "after {count}"
)
STATE_BEHIND = gettext_noop(
    "entry {index} was inserted behind the log's back: the log state records {state_size} entries"
)
TRIGGERS_MISSING = gettext_noop(
    "the database does not refuse changes to the evidence tables: triggers missing: {names}"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the stored log does not bear out. ``index`` is the entry at fault, or None
    when the problem is in a checkpoint or timestamp, not in an entry. A root that does not
    match says only that some entry from ``index`` on is at fault: ``is_exact`` is then False.
    """

    index: int | None
    message: Message
    is_exact: bool = True


@dataclass(frozen=True, slots=True)
class VerifyReport:
    size: int
    root: bytes
    checkpoints: int
    timestamps: int
    blobs: int
    problems: tuple[Problem, ...]
    warnings: tuple[Message, ...]
    seconds: float
    problem_count: int

    @property
    def is_intact(self) -> bool:
        return not self.problems

    @property
    def first_bad_index(self) -> int | None:
        """The first entry known to be at fault; failing that, the first that may be."""
        exact = [p.index for p in self.problems if p.index is not None and p.is_exact]
        if exact:
            return min(exact)
        ranges = [p.index for p in self.problems if p.index is not None]
        return min(ranges) if ranges else None


@dataclass(slots=True)
class _Problems:
    items: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, at: int | None, template: str, /, **params: Any) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            problem = Problem(
                index=at, message=Message(template, params), is_exact=template != ROOT_MISMATCH
            )
            self.items.append(problem)

    def sorted(self) -> tuple[Problem, ...]:
        # Entries known to be at fault first, by index; then ranges; then the rest as found.
        def key(item: tuple[int, Problem]) -> tuple[int, int, int]:
            position, problem = item
            rank = 2 if problem.index is None else 0 if problem.is_exact else 1
            return rank, problem.index or 0, position

        return tuple(problem for _, problem in sorted(enumerate(self.items), key=key))


@dataclass(slots=True)
class _Checkpoint:
    size: int
    root: bytes
    time: str


def evidence_log_verify(*, chunk_size: int = CHUNK_SIZE) -> VerifyReport:
    """Check everything; return what was found (``is_intact`` when nothing)."""
    started = time.perf_counter()
    problems = _Problems()
    warnings: list[Message] = []
    missing_triggers = triggers.missing(connection)
    if missing_triggers:
        warnings.append(Message(TRIGGERS_MISSING, {"names": ", ".join(missing_triggers)}))
    # Read before the entries: rows appended meanwhile only lengthen the log past these.
    state_before = _state()
    checkpoints, timestamps = _check_checkpoints(problems)
    bad_blobs, blob_count = _check_blobs()

    compact = CompactRange()
    roots = _RootChecks(checkpoints, problems)
    roots.reached(compact)  # checkpoints of the empty log
    state_root_at_size: bytes | None = compact.root() if state_before[0] == 0 else None
    expected = 0
    references = _References(bad_blobs, problems)
    for row in _entries(chunk_size):
        index = row[0]
        if index != expected:
            if expected == 0:
                problems.add(expected, ENTRY_MISSING_AT_START, index=expected, next=index)
            else:
                problems.add(
                    expected, ENTRY_MISSING, index=expected, previous=expected - 1, next=index
                )
        expected = index + 1
        compact.append(_check_entry(row, problems, references))
        if compact.size == state_before[0]:
            state_root_at_size = compact.root()
        roots.reached(compact)
    references.flush()
    count = compact.size
    for checkpoint in roots.unreached():
        problems.add(
            count, ENTRY_TAIL_MISSING, index=count, time=checkpoint.time,
            size=checkpoint.size, count=count,
        )  # fmt: skip
    _compare_state(state_before, state_root_at_size, count, problems)
    return VerifyReport(
        size=count,
        root=compact.root(),
        checkpoints=len(checkpoints),
        timestamps=timestamps,
        blobs=blob_count,
        problems=problems.sorted(),
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
        problem_count=problems.count,
    )


def _entries(chunk_size: int) -> Iterator[tuple[Any, ...]]:
    return (
        EvidenceEntry.objects.order_by("index")
        .values_list(
            "index",
            "kind",
            "company_id",
            "employee_id",
            "recorded_at",
            "corrects",
            "canonical",
            "leaf_hash",
        )  # fmt: skip
        .iterator(chunk_size=chunk_size)
    )


def _check_entry(row: tuple[Any, ...], problems: _Problems, references: _References) -> bytes:
    """The leaf hash of the entry's bytes as they are now; problems found on the way."""
    index, kind, company_id, employee_id, recorded_at, corrects, canonical, stored = row
    canonical = bytes(canonical)
    digest = hashlib.sha256(_LEAF_PREFIX + canonical).digest()
    stored = bytes(stored)
    if digest != stored:
        problems.add(
            index, ENTRY_CHANGED, index=index, computed=digest.hex(), recorded=stored.hex()
        )
        return digest
    try:
        document = json.loads(canonical)
    except ValueError:
        problems.add(index, ENTRY_NOT_JSON, index=index)
        return digest
    if not isinstance(document, dict):
        problems.add(index, ENTRY_NOT_JSON, index=index)
        return digest
    columns = (
        ("index", index, document.get("index")),
        ("kind", kind, document.get("kind")),
        ("company", company_id, document.get("company")),
        ("employee", employee_id, document.get("employee")),
        ("corrects", corrects, document.get("corrects")),
    )
    for column, stored_value, document_value in columns:
        if stored_value != document_value:
            problems.add(
                index, ENTRY_COLUMN, index=index, column=column, stored=stored_value,
                document=document_value,
            )  # fmt: skip
            return digest
    if not _same_moment(recorded_at, document.get("recorded_at")):
        problems.add(
            index, ENTRY_COLUMN, index=index, column="recorded_at",
            stored=recorded_at.isoformat(), document=document.get("recorded_at"),
        )  # fmt: skip
    if corrects is not None and corrects >= index:
        problems.add(index, ENTRY_CORRECTS_LATER, index=index, corrects=corrects)
    blobs = document.get("blobs") or {}
    if isinstance(blobs, dict):
        for sha in blobs.values():
            references.add(str(sha), index)
    return digest


def _same_moment(column: datetime.datetime, text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        return datetime.datetime.fromisoformat(text) == column
    except (ValueError, TypeError):
        return False


class _References:
    """Attachments named by entries, checked against the blob table a chunk at a time, so
    memory does not grow with the log."""

    __slots__ = ("_bad", "_pending", "_problems", "_reported")

    def __init__(self, bad: dict[str, str], problems: _Problems) -> None:
        self._bad = bad
        self._problems = problems
        self._pending: dict[str, int] = {}
        self._reported: set[str] = set()

    def add(self, sha: str, index: int) -> None:
        if sha in self._bad:
            if sha not in self._reported:
                self._reported.add(sha)
                self._problems.add(
                    index, BLOB_CHANGED, index=index, sha256=sha, computed=self._bad[sha]
                )
            return
        self._pending.setdefault(sha, index)
        if len(self._pending) >= _BLOB_QUERY_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        present = set(
            EvidenceBlob.objects.filter(sha256__in=list(self._pending)).values_list(
                "sha256", flat=True
            )
        )
        for sha, index in self._pending.items():
            if sha not in present:
                self._problems.add(index, BLOB_MISSING, index=index, sha256=sha)
        self._pending.clear()


def _check_blobs() -> tuple[dict[str, str], int]:
    """Rehash every blob: the ones whose bytes no longer match their name, and the count."""
    bad: dict[str, str] = {}
    count = 0
    rows = EvidenceBlob.objects.values_list("sha256", "data").iterator(chunk_size=BLOB_CHUNK_SIZE)
    for sha, data in rows:
        count += 1
        computed = hashlib.sha256(bytes(data)).hexdigest()
        if computed != sha:
            bad[sha] = computed
    return bad, count


def _check_checkpoints(problems: _Problems) -> tuple[list[_Checkpoint], int]:
    """Signatures, keys, order and timestamp tokens; the checkpoints to compare roots with."""
    try:
        trusted = trusted_public_keys()
    except EvidenceError:
        trusted = set()
    checkpoints: list[_Checkpoint] = []
    tokens: dict[int, list[bytes]] = {}
    for checkpoint_id, token in EvidenceTimestamp.objects.values_list("checkpoint_id", "token"):
        tokens.setdefault(checkpoint_id, []).append(bytes(token))
    previous: tuple[int, datetime.datetime] | None = None
    rows = EvidenceCheckpoint.objects.order_by("id").values_list(
        "id", "origin", "size", "root", "signed_at", "signature", "public_key"
    )
    for checkpoint_id, origin, size, root, signed_at, signature, public_key in rows.iterator():
        root, signature, public_key = bytes(root), bytes(signature), bytes(public_key)
        when = signed_at.isoformat()
        try:
            message = CheckpointText(origin=origin, size=size, root=root, time=signed_at).message()
        except ValueError as error:  # a CoreError: the row cannot be a checkpoint's text
            problems.add(None, CHECKPOINT_MALFORMED, time=when, size=size, reason=str(error))
            continue
        if not signature_is_valid(public_key=public_key, signature=signature, message=message):
            problems.add(None, SIGNATURE_INVALID, time=when, size=size)
        elif public_key not in trusted:
            problems.add(None, KEY_UNTRUSTED, time=when, size=size, key=fingerprint(public_key))
        if previous is not None and (size < previous[0] or signed_at <= previous[1]):
            problems.add(
                None, CHECKPOINT_ORDER, time=when, size=size,
                previous_time=previous[1].isoformat(), previous_size=previous[0],
            )  # fmt: skip
        previous = (size, signed_at)
        for token in tokens.get(checkpoint_id, []):
            _check_token(token, message, when, size, problems)
        if len(root) == HASH_SIZE:
            checkpoints.append(_Checkpoint(size=size, root=root, time=when))
    return checkpoints, sum(len(found) for found in tokens.values())


def _check_token(token: bytes, message: bytes, when: str, size: int, problems: _Problems) -> None:
    ca_file = settings.RENSHI_TSA_CA_FILE
    if not ca_file:
        reason = "RENSHI_TSA_CA_FILE is not set"
        problems.add(None, TIMESTAMP_INVALID, time=when, size=size, reason=reason)
        return
    try:
        timestamp_verify(token=token, data=message, ca_file=ca_file)
    except EvidenceError as error:
        reason = error.params.get("reason", str(error))
        problems.add(None, TIMESTAMP_INVALID, time=when, size=size, reason=reason)


class _RootChecks:
    """Each checkpoint's root, compared when the recomputed tree reaches its size: one pass for
    all of them, not one per checkpoint."""

    __slots__ = ("_pending", "_position", "_problems", "_verified_size")

    def __init__(self, checkpoints: list[_Checkpoint], problems: _Problems) -> None:
        self._pending = sorted(checkpoints, key=lambda checkpoint: checkpoint.size)
        self._position = 0
        self._problems = problems
        self._verified_size = 0  # the size of the last checkpoint whose root matched

    def reached(self, compact: CompactRange) -> None:
        pending = self._pending
        while self._position < len(pending) and pending[self._position].size == compact.size:
            checkpoint = pending[self._position]
            root = compact.root()
            if checkpoint.root == root:
                self._verified_size = compact.size
            else:
                # Everything up to the last checkpoint that matched is as it was signed.
                first = self._verified_size
                self._problems.add(
                    first, ROOT_MISMATCH, index=first, last=max(checkpoint.size - 1, 0),
                    time=checkpoint.time, size=checkpoint.size, signed=checkpoint.root.hex(),
                    computed=root.hex(),
                )  # fmt: skip
            self._position += 1

    def unreached(self) -> list[_Checkpoint]:
        return self._pending[self._position :]


def _state() -> tuple[int, bytes | None]:
    """The state row's size and root (None when there is no row)."""
    stored = log_state_read()
    if stored is None:
        return 0, None
    try:
        return stored[0], compact_range_of(size=stored[0], frontier=stored[1]).root()
    except ValueError:  # a frontier no log could have: compared, it will not match
        return stored[0], b""


def _compare_state(
    before: tuple[int, bytes | None], root_at_size: bytes | None, count: int, problems: _Problems
) -> None:
    state_size, state_root = before
    if state_root is None:  # no state row: nothing was ever appended through the service
        if count:
            problems.add(0, STATE_BEHIND, index=0, state_size=0)
        return
    if count < state_size:
        problems.add(count, STATE_TRUNCATED, index=count, state_size=state_size, count=count)
        return
    if root_at_size is not None and root_at_size != state_root:
        problems.add(
            None, STATE_MISMATCH, state_size=state_size, state_root=state_root.hex(),
            computed=root_at_size.hex(),
        )  # fmt: skip
    if count > state_size:
        # Appends that committed while we read lengthen both; re-read before suspecting one.
        state_after = (
            EvidenceLogState.objects.filter(pk=LOG_STATE_ID).values_list("size", flat=True).first()
            or 0
        )
        if count > state_after:
            problems.add(state_after, STATE_BEHIND, index=state_after, state_size=state_after)
