"""Proofs from one streaming pass equal the core's proofs built from every leaf in memory."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
)
from renshi.evidence.tree import (
    LeavesMissingError,
    NotANodeError,
    SubtreeRoots,
    consistency_ranges,
    inclusion_ranges,
)


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def _streamed(size: int, ranges: list[tuple[int, int]], leaves: list[bytes]) -> list[bytes]:
    stream = SubtreeRoots(size, ranges)
    stream.extend(leaves)
    roots = stream.roots()
    return [roots[node] for node in ranges]


@given(st.integers(1, 300).flatmap(lambda size: st.tuples(st.just(size), st.integers(0, size - 1))))
def test_inclusion_proofs_match_the_core(case: tuple[int, int]) -> None:
    size, index = case
    leaves = _leaves(size)

    assert _streamed(size, inclusion_ranges(index, size), leaves) == inclusion_proof(index, leaves)


@given(st.integers(1, 300).flatmap(lambda size: st.tuples(st.integers(1, size), st.just(size))))
def test_consistency_proofs_match_the_core(case: tuple[int, int]) -> None:
    size1, size2 = case
    leaves = _leaves(size2)

    assert _streamed(size2, consistency_ranges(size1, size2), leaves) == consistency_proof(
        size1, leaves
    )


def test_the_whole_tree_is_a_node_whose_root_is_the_core_root() -> None:
    leaves = _leaves(77)

    assert _streamed(77, [(0, 77)], leaves) == [root_from_leaf_hashes(leaves)]


def test_a_range_that_is_no_node_and_a_short_stream_are_refused() -> None:
    with pytest.raises(NotANodeError):
        _streamed(8, [(1, 3)], _leaves(8))
    with pytest.raises(LeavesMissingError):
        _streamed(8, [(0, 4)], _leaves(7))
