"""Reading the evidence log: entries, attachments, checkpoints and Merkle proofs.

Proofs are built from the stored leaf hashes in one streaming pass (``tree``), so memory stays
small at any log size. They are not trusted because of where they come from: whoever receives
one checks it against a signed checkpoint's root (``renshi.core.merkle.verify_inclusion`` and
``verify_consistency``), which is what makes them worth handing to a court or an employee.

A case package for one employee is meant to be: that employee's entries
(``evidence_entries(employee=...)``) with their canonical bytes and attachments, an inclusion
proof of each (``evidence_inclusion_proofs``) against the latest checkpoint, and that
checkpoint's bundle (``evidence_checkpoint_bundle``: signed text, signature, public key,
timestamp tokens).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from renshi.evidence.checkpoint_text import CheckpointText
from renshi.evidence.keys import fingerprint, public_pem
from renshi.evidence.models import (
    LOG_STATE_ID,
    EvidenceBlob,
    EvidenceCheckpoint,
    EvidenceEntry,
    EvidenceLogState,
)
from renshi.evidence.tree import (
    LeavesMissingError,
    SubtreeRoots,
    consistency_ranges,
    inclusion_ranges,
)
from renshi.people.models import Company, Employee

CHUNK_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class TimestampToken:
    tsa_url: str
    token: bytes
    stamped_at: Any


@dataclass(frozen=True, slots=True)
class CheckpointBundle:
    """What an outsider needs to check a checkpoint: the exact signed text (``checkpoint.txt``),
    the raw Ed25519 signature (``checkpoint.sig``), the public key PEM and any RFC 3161 tokens
    (``checkpoint.tst``) over the same text."""

    text: CheckpointText
    message: bytes
    signature: bytes
    public_key_pem: bytes
    key_fingerprint: str
    timestamps: tuple[TimestampToken, ...]


def evidence_log_size() -> int:
    """How many entries the log has, by its state row (cheap; ``verify`` does not trust it)."""
    size = EvidenceLogState.objects.filter(pk=LOG_STATE_ID).values_list("size", flat=True).first()
    return size or 0


def evidence_entries(
    *,
    company: Company | None = None,
    employee: Employee | None = None,
    kinds: Iterable[str] | None = None,
) -> QuerySet[EvidenceEntry]:
    """Entries in log order, optionally of one company, one employee, some kinds."""
    entries = EvidenceEntry.objects.order_by("index")
    if company is not None:
        entries = entries.filter(company=company)
    if employee is not None:
        entries = entries.filter(employee=employee)
    if kinds is not None:
        entries = entries.filter(kind__in=list(kinds))
    return entries


def evidence_entry_document(entry: EvidenceEntry) -> dict[str, Any]:
    """The entry's document, parsed from its canonical bytes (the columns are only an index)."""
    document: dict[str, Any] = json.loads(bytes(entry.canonical))
    return document


def evidence_corrections(entry: EvidenceEntry) -> QuerySet[EvidenceEntry]:
    """The later entries that correct this one, in log order."""
    return EvidenceEntry.objects.filter(corrects=entry.index).order_by("index")


def evidence_blob_bytes(*, sha256: str) -> bytes | None:
    data = EvidenceBlob.objects.filter(sha256=sha256).values_list("data", flat=True).first()
    return None if data is None else bytes(data)


def evidence_checkpoint_latest() -> EvidenceCheckpoint | None:
    return EvidenceCheckpoint.objects.order_by("-id").first()


def evidence_checkpoint_text(checkpoint: EvidenceCheckpoint) -> CheckpointText:
    return CheckpointText(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root=bytes(checkpoint.root),
        time=checkpoint.signed_at,
    )


def evidence_checkpoint_bundle(*, checkpoint: EvidenceCheckpoint) -> CheckpointBundle:
    text = evidence_checkpoint_text(checkpoint)
    public_key = bytes(checkpoint.public_key)
    return CheckpointBundle(
        text=text,
        message=text.message(),
        signature=bytes(checkpoint.signature),
        public_key_pem=public_pem(public_key),
        key_fingerprint=fingerprint(public_key),
        timestamps=tuple(
            TimestampToken(tsa_url=row.tsa_url, token=bytes(row.token), stamped_at=row.stamped_at)
            for row in checkpoint.timestamps.order_by("id")
        ),
    )


def evidence_leaf_hashes(*, size: int, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The stored leaf hashes of entries ``0 .. size-1``, in order, streamed."""
    rows = (
        EvidenceEntry.objects.filter(index__lt=size)
        .order_by("index")
        .values_list("leaf_hash", flat=True)
        .iterator(chunk_size=chunk_size)
    )
    for digest in rows:
        yield bytes(digest)


def evidence_inclusion_proofs(*, indexes: Iterable[int], tree_size: int) -> dict[int, list[bytes]]:
    """Inclusion proofs (RFC 6962 audit paths) of several entries in the tree of the first
    ``tree_size`` entries, from one pass over the log."""
    paths = {index: inclusion_ranges(index, tree_size) for index in set(indexes)}
    roots = _subtree_roots(tree_size, [node for path in paths.values() for node in path])
    return {index: [roots[node] for node in path] for index, path in paths.items()}


def evidence_inclusion_proof(*, index: int, tree_size: int) -> list[bytes]:
    return evidence_inclusion_proofs(indexes=[index], tree_size=tree_size)[index]


def evidence_consistency_proof(*, size1: int, size2: int) -> list[bytes]:
    """The proof that the tree of ``size2`` entries extends the tree of ``size1`` entries."""
    nodes = consistency_ranges(size1, size2)
    roots = _subtree_roots(size2, nodes)
    return [roots[node] for node in nodes]


def _subtree_roots(size: int, nodes: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not nodes:
        return {}
    stream = SubtreeRoots(size, nodes)
    stream.extend(evidence_leaf_hashes(size=size))
    try:
        return stream.roots()
    except LeavesMissingError:
        raise LeavesMissingError(field="tree_size", size=size, count=evidence_log_size()) from None
