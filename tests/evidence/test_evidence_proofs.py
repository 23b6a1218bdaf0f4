"""Inclusion and consistency proofs served from the database check out against signed roots."""

from __future__ import annotations

import pytest
from tests.evidence.logs import at, make_log, signing_key_file  # noqa: F401 - a fixture

from renshi.core.merkle import RootMismatchError, verify_consistency, verify_inclusion
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import (
    evidence_checkpoint_latest,
    evidence_consistency_proof,
    evidence_entries,
    evidence_inclusion_proof,
    evidence_inclusion_proofs,
)
from renshi.evidence.services import evidence_checkpoint_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]


def test_every_entry_of_an_employee_is_proved_in_the_latest_checkpoint_in_one_pass() -> None:
    entries = make_log(11)
    checkpoint = evidence_checkpoint_create(now=at(100))
    employee_id = entries[1].employee_id
    theirs = list(evidence_entries(employee=entries[1].employee))

    proofs = evidence_inclusion_proofs(
        indexes=[entry.index for entry in theirs], tree_size=checkpoint.size
    )

    assert [entry.index for entry in theirs] == [1, 3, 5, 7, 9]
    assert all(entry.employee_id == employee_id for entry in theirs)
    for entry in theirs:
        verify_inclusion(
            entry.index, checkpoint.size, bytes(entry.leaf_hash), proofs[entry.index],
            bytes(checkpoint.root),
        )  # fmt: skip


def test_an_inclusion_proof_does_not_prove_another_entry() -> None:
    make_log(6)
    checkpoint = evidence_checkpoint_create(now=at(100))
    proof = evidence_inclusion_proof(index=2, tree_size=6)
    other = bytes(EvidenceEntry.objects.get(index=3).leaf_hash)

    with pytest.raises(RootMismatchError):
        verify_inclusion(2, 6, other, proof, bytes(checkpoint.root))


def test_a_later_checkpoint_is_proved_to_extend_an_earlier_one() -> None:
    make_log(5)
    old = evidence_checkpoint_create(now=at(100))
    make_log(8, minute=10)
    new = evidence_checkpoint_create(now=at(200))

    proof = evidence_consistency_proof(size1=old.size, size2=new.size)

    verify_consistency(old.size, new.size, proof, bytes(old.root), bytes(new.root))
    assert evidence_checkpoint_latest() == new
