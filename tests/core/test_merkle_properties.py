"""Properties of the Merkle tree code, against the recursive definitions of RFC 6962 §2.1.

The reference functions below transcribe ``MTH``, ``PATH`` and ``PROOF`` as the RFC writes them,
recursion and all; the module computes the same values iteratively.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

MAX_LEAVES = 150


def rfc_split(count: int) -> int:
    """The largest power of two smaller than ``count``."""
    k = 1
    while k * 2 < count:
        k *= 2
    return k


def rfc_mth(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = rfc_split(len(hashes))
    return node_hash(rfc_mth(hashes[:k]), rfc_mth(hashes[k:]))


def rfc_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = rfc_split(len(hashes))
    if m < k:
        return [*rfc_path(m, hashes[:k]), rfc_mth(hashes[k:])]
    return [*rfc_path(m - k, hashes[k:]), rfc_mth(hashes[:k])]


def rfc_subproof(m: int, hashes: Sequence[bytes], is_whole_old_tree: bool) -> list[bytes]:
    if m == len(hashes):
        return [] if is_whole_old_tree else [rfc_mth(hashes)]
    k = rfc_split(len(hashes))
    if m <= k:
        return [*rfc_subproof(m, hashes[:k], is_whole_old_tree), rfc_mth(hashes[k:])]
    return [*rfc_subproof(m - k, hashes[k:], False), rfc_mth(hashes[:k])]


def flip_bit(value: bytes, bit: int) -> bytes:
    flipped = bytearray(value)
    flipped[bit // 8 % len(value)] ^= 1 << (bit % 8)
    return bytes(flipped)


def entries(min_size: int = 0) -> st.SearchStrategy[list[bytes]]:
    return st.lists(st.binary(max_size=12), min_size=min_size, max_size=MAX_LEAVES)


def hashes_of(data: list[bytes]) -> list[bytes]:
    return [leaf_hash(entry) for entry in data]


@given(entries())
def test_the_root_is_the_rfc_merkle_tree_hash(data: list[bytes]):
    hashes = hashes_of(data)
    assert root_from_leaf_hashes(hashes) == rfc_mth(hashes)


@pytest.mark.parametrize("size", [1023, 1024, 1025, 2047, 2048, 2049, 3000, 4097])
def test_the_root_is_the_rfc_merkle_tree_hash_across_block_boundaries(size: int):
    hashes = hashes_of([number.to_bytes(4, "big") for number in range(size)])
    compact = CompactRange()
    compact.extend(hashes)
    assert root_from_leaf_hashes(hashes) == rfc_mth(hashes) == compact.root()


@given(entries(min_size=1), st.data())
def test_the_inclusion_proof_is_the_rfc_audit_path(data: list[bytes], draw: st.DataObject):
    hashes = hashes_of(data)
    index = draw.draw(st.integers(0, len(hashes) - 1), label="index")
    assert inclusion_proof(index, hashes) == rfc_path(index, hashes)


@given(entries(min_size=1), st.data())
def test_the_consistency_proof_is_the_rfc_proof(data: list[bytes], draw: st.DataObject):
    hashes = hashes_of(data)
    size1 = draw.draw(st.integers(1, len(hashes)), label="size1")
    assert consistency_proof(size1, hashes) == rfc_subproof(size1, hashes, True)


@given(entries(min_size=1), st.data())
def test_any_single_bit_flipped_in_an_inclusion_proof_leaf_or_root_fails(
    data: list[bytes], draw: st.DataObject
):
    hashes = hashes_of(data)
    size = len(hashes)
    index = draw.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(index, hashes)
    root = root_from_leaf_hashes(hashes)
    leaf = hashes[index]
    verify_inclusion(index, size, leaf, proof, root)
    targets = ["leaf", "root"] + (["proof"] if proof else [])
    target = draw.draw(st.sampled_from(targets), label="target")
    bit = draw.draw(st.integers(0, 255), label="bit")
    if target == "leaf":
        leaf = flip_bit(leaf, bit)
    elif target == "root":
        root = flip_bit(root, bit)
    else:
        position = draw.draw(st.integers(0, len(proof) - 1), label="position")
        proof[position] = flip_bit(proof[position], bit)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, proof, root)


@given(entries(min_size=1), st.data())
def test_any_single_bit_flipped_in_a_consistency_proof_or_either_root_fails(
    data: list[bytes], draw: st.DataObject
):
    hashes = hashes_of(data)
    size2 = len(hashes)
    size1 = draw.draw(st.integers(1, size2), label="size1")
    proof = consistency_proof(size1, hashes)
    root1, root2 = root_from_leaf_hashes(hashes[:size1]), root_from_leaf_hashes(hashes)
    verify_consistency(size1, size2, proof, root1, root2)
    targets = ["root1", "root2"] + (["proof"] if proof else [])
    target = draw.draw(st.sampled_from(targets), label="target")
    bit = draw.draw(st.integers(0, 255), label="bit")
    if target == "root1":
        root1 = flip_bit(root1, bit)
    elif target == "root2":
        root2 = flip_bit(root2, bit)
    else:
        position = draw.draw(st.integers(0, len(proof) - 1), label="position")
        proof[position] = flip_bit(proof[position], bit)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root1, root2)


@given(entries(min_size=1), st.data())
def test_a_log_that_rewrote_an_old_entry_is_not_consistent_with_its_old_checkpoint(
    data: list[bytes], draw: st.DataObject
):
    size2 = len(data)
    size1 = draw.draw(st.integers(1, size2), label="size1")
    changed = draw.draw(st.integers(0, size1 - 1), label="changed")
    honest = hashes_of(data)
    old_root = root_from_leaf_hashes(honest[:size1])
    verify_consistency(
        size1, size2, consistency_proof(size1, honest), old_root, root_from_leaf_hashes(honest)
    )
    rewritten = list(honest)
    rewritten[changed] = leaf_hash(data[changed] + b" (rewritten)")
    new_root = root_from_leaf_hashes(rewritten)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, consistency_proof(size1, rewritten), old_root, new_root)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, consistency_proof(size1, honest), old_root, new_root)


@given(entries())
def test_the_compact_range_root_is_the_root_of_every_prefix(data: list[bytes]):
    hashes = hashes_of(data)
    compact = CompactRange()
    assert compact.root() == EMPTY_ROOT
    for size, digest in enumerate(hashes, start=1):
        compact.append(digest)
        assert compact.size == size
        assert compact.root() == root_from_leaf_hashes(hashes[:size])


@given(entries(), entries())
def test_a_restored_compact_range_keeps_its_root_and_grows_as_the_original(
    before: list[bytes], after: list[bytes]
):
    compact = CompactRange()
    compact.extend(hashes_of(before))
    state = compact.state()
    assert len(state.hashes) == len(before).bit_count()
    restored = CompactRange.from_state(state)
    assert restored.size == len(before)
    assert restored.root() == compact.root()
    compact.extend(hashes_of(after))
    restored.extend(hashes_of(after))
    assert restored.root() == compact.root() == root_from_leaf_hashes(hashes_of(before + after))
