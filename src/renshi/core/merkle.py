"""Merkle tree hashing and proofs of RFC 6962 (Certificate Transparency), for an evidence log.

An append-only log is tamper-evident when anyone holding an old checkpoint (size, root) can check
that a later checkpoint extends it (a consistency proof) and that an entry belongs to it (an
inclusion proof), without trusting whoever keeps the log. This module is the pure part of that:
hashing, roots, proofs and their verification, over leaf hashes the caller has already computed.

Hashing follows RFC 6962 §2.1: a leaf is ``SHA-256(0x00 || data)`` and an inner node
``SHA-256(0x01 || left || right)``. The two prefixes keep a leaf from ever being passed off as
an inner node (a second preimage attack on the tree). The tree over ``n`` leaves splits at the
largest power of two smaller than ``n``, so a log's tree only ever grows on its right edge and
every old tree is a prefix of every newer one.

Proofs are built as RFC 6962 §2.1.1 (``PATH``) and §2.1.2 (``PROOF``) define them and checked with
the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, with the edge cases of the Go verifier of
transparency-dev/merkle (``tests/core/test_merkle_vectors.py`` runs its probes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root of the tree with no leaves (RFC 6962 §2.1: the hash of the empty string)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
# Leaves are hashed into roots in aligned blocks of this many (a power of two), level by level in
# list comprehensions, which costs the interpreter less per hash than a stack push per leaf,
# while the memory used beyond the input stays one block plus one hash per level.
_BLOCK = 1 << 10

NEGATIVE_COUNT = gettext_noop("{field}: {value} is negative; sizes and indexes count leaves")
LEAF_INDEX_BEYOND_SIZE = gettext_noop(
    "{field}: leaf {value} is beyond a tree of {tree_size} leaves (indexes start at 0)"
)
LEAF_HASH_LENGTH = gettext_noop("{field}: a leaf hash has 32 bytes, this one has {length}")
SIZE_DECREASES = gettext_noop(
    "{field}: the old tree size {size1} is larger than the new one, {size2}; a log only grows"
)
OLD_TREE_EMPTY = gettext_noop(
    "{field}: the old tree is empty; every log extends the empty tree, so a consistency proof "
    "from size 0 proves nothing"
)
PROOF_TOO_SHORT = gettext_noop(
    "{field}: the proof is too short: {length} of the {expected} hashes that a proof for these "
    "tree sizes has"
)
PROOF_TOO_LONG = gettext_noop(
    "{field}: the proof is too long: {length} hashes, where a proof for these tree sizes has "
    "{expected}"
)
ROOT_MISMATCH = gettext_noop(
    "{field}: the proof leads to the root {computed}, not to the given root {expected}"
)
COMPACT_RANGE_HASH_COUNT = gettext_noop(
    "{field}: {count} hashes cannot be the state of a log of {size} leaves, which keeps one "
    "hash per bit set in its size"
)
HASH_LENGTH = gettext_noop("{field}: a SHA-256 hash has 32 bytes, this one has {length}")


class MerkleError(CoreError):
    """Base of the errors of this module."""


class ProofError(MerkleError):
    """A proof that does not verify, or that cannot exist for the sizes asked for.

    The subclass says what is wrong; ``template`` and ``params`` say it in words.
    """


class NegativeCountError(ProofError):
    template = NEGATIVE_COUNT


class LeafIndexBeyondSizeError(ProofError):
    template = LEAF_INDEX_BEYOND_SIZE


class LeafHashLengthError(ProofError):
    template = LEAF_HASH_LENGTH


class SizeDecreasesError(ProofError):
    template = SIZE_DECREASES


class OldTreeEmptyError(ProofError):
    template = OLD_TREE_EMPTY


class ProofLengthError(ProofError):
    """Too many or too few hashes: the sizes alone fix how long a valid proof is."""


class ProofTooShortError(ProofLengthError):
    template = PROOF_TOO_SHORT


class ProofTooLongError(ProofLengthError):
    template = PROOF_TOO_LONG


class RootMismatchError(ProofError):
    template = ROOT_MISMATCH


class CompactRangeStateError(MerkleError):
    template = COMPACT_RANGE_HASH_COUNT


class HashLengthError(MerkleError):
    template = HASH_LENGTH


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry as a leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash (RFC 6962 §2.1, ``MTH``) of the leaves whose hashes are given.

    Iterative, in one pass: aligned blocks of leaves are reduced to their roots, and those roots
    are merged on a stack the way a binary counter carries, so the recursion of the RFC's
    definition never runs. The hashes are not checked for length; a wrong one gives a wrong root.
    """
    count = len(hashes)
    if count == 0:
        return EMPTY_ROOT
    roots: list[bytes] = []
    widths: list[int] = []
    for start in range(0, count, _BLOCK):
        width = min(_BLOCK, count - start)
        digest = _level_root(hashes[start : start + width])
        # Two perfect subtrees of the same width are siblings: merge them, as a carry would.
        while widths and widths[-1] == width:
            digest = node_hash(roots.pop(), digest)
            widths.pop()
            width *= 2
        roots.append(digest)
        widths.append(width)
    return _fold(roots)


def _level_root(hashes: Sequence[bytes]) -> bytes:
    """The root of one or more leaves, hashing level by level.

    A node left without a partner at the end of a level moves up unchanged; this gives the same
    tree as the RFC's split at the largest power of two, whose right edge holds such nodes.
    """
    level = list(hashes)
    sha256 = hashlib.sha256
    while len(level) > 1:
        pairs = iter(level)
        # Not strict: an odd node out is left unpaired here and appended below.
        upper = [
            sha256(_NODE_PREFIX + left + right).digest()
            for left, right in zip(pairs, pairs, strict=False)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


def _fold(roots: Sequence[bytes]) -> bytes:
    """Merge the roots of perfect subtrees, largest (leftmost) first, into the tree's root.

    RFC 6962's tree over ``n`` leaves is these subtrees, one per bit set in ``n``, joined from the
    right: the smallest two first.
    """
    digest = roots[-1]
    for left in reversed(roots[:-1]):
        digest = node_hash(left, digest)
    return digest


@dataclass(frozen=True, slots=True)
class CompactRangeState:
    """What a log stores to resume its ``CompactRange``: the size and the subtree roots."""

    size: int
    hashes: tuple[bytes, ...]


class CompactRange:
    """The root of a growing log, kept up to date as leaves are appended, without rereading them.

    It holds the roots of the perfect subtrees that cover leaves ``[0, size)``, one per bit set in
    ``size``, largest first (the log's "frontier"): at most 64 hashes for any log that fits in a
    64-bit size. Appending a leaf merges equal-sized subtrees the way adding one to a binary
    number carries, so an append costs on average one node hash.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_state(cls, state: CompactRangeState) -> CompactRange:
        """Resume from a stored state; a state no log could have is refused, not repaired."""
        if state.size < 0 or len(state.hashes) != state.size.bit_count():
            raise CompactRangeStateError(field="hashes", count=len(state.hashes), size=state.size)
        for position, digest in enumerate(state.hashes):
            _require_hash_size(f"hashes[{position}]", digest)
        compact = cls()
        compact._size = state.size
        compact._hashes = list(state.hashes)
        return compact

    def state(self) -> CompactRangeState:
        """The state to store; ``CompactRange.from_state`` resumes from it."""
        return CompactRangeState(size=self._size, hashes=tuple(self._hashes))

    @property
    def size(self) -> int:
        """How many leaves have been appended."""
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf, given by its hash (``leaf_hash(entry)``)."""
        _require_hash_size("leaf_hash", leaf_hash)
        digest = leaf_hash
        carry = self._size
        while carry & 1:
            digest = node_hash(self._hashes.pop(), digest)
            carry >>= 1
        self._hashes.append(digest)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each leaf in turn."""
        for digest in leaf_hashes:
            self.append(digest)

    def root(self) -> bytes:
        """The root of the tree over the leaves appended so far (``EMPTY_ROOT`` if none)."""
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)


Range = tuple[int, int]  # the leaves [low, high) under one node of the tree


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The nodes of the audit path (RFC 6962 §2.1.1, ``PATH``) of leaf ``index`` in a tree of
    ``size`` leaves, as leaf ranges, lowest level first: the subtrees beside the way down from
    the root to the leaf."""
    _require_count("index", index)
    if index >= size:
        raise LeafIndexBeyondSizeError(field="index", value=index, tree_size=size)
    path: list[Range] = []
    low, high = 0, size
    while high - low > 1:
        split = low + _largest_power_of_two_below(high - low)
        if index < split:
            path.append((split, high))
            high = split
        else:
            path.append((low, split))
            low = split
    path.reverse()
    return path


def consistency_ranges(size1: int, size2: int) -> list[Range]:
    """The nodes of the proof (RFC 6962 §2.1.2, ``PROOF``) that a tree of ``size2`` leaves
    extends its first ``size1``, as leaf ranges in the proof's order.

    Empty when the sizes are equal. A proof from the empty tree is refused, as the verifier
    refuses it: it would prove nothing.
    """
    _require_count("size1", size1)
    if size1 > size2:
        raise SizeDecreasesError(field="size1", size1=size1, size2=size2)
    if size1 == 0:
        raise OldTreeEmptyError(field="size1")
    proof: list[Range] = []
    low, high = 0, size2
    # The RFC's flag b: whether the subtree in hand is still the whole old tree, whose root the
    # verifier already holds and so is left out of the proof.
    is_whole_old_tree = True
    while high != size1:
        split = low + _largest_power_of_two_below(high - low)
        if size1 <= split:
            proof.append((split, high))
            high = split
        else:
            proof.append((low, split))
            low = split
            is_whole_old_tree = False
    if not is_whole_old_tree:
        proof.append((low, high))
    proof.reverse()
    return proof


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree over ``hashes``, lowest level first.

    Each node is computed from its own leaves, so one proof hashes about as much as one root
    and keeps no tree in memory.
    """
    ranges = inclusion_ranges(index, len(hashes))
    return [root_from_leaf_hashes(hashes[low:high]) for low, high in ranges]


def consistency_proof(size1: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree over ``hashes`` extends its first ``size1`` leaves."""
    ranges = consistency_ranges(size1, len(hashes))
    return [root_from_leaf_hashes(hashes[low:high]) for low, high in ranges]


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``leaf_index`` of the tree of ``tree_size`` leaves with
    this ``root``; raise a ``ProofError`` saying why not.

    RFC 9162 §2.1.3.2, step for step. The leaf hash must have 32 bytes, as the reference verifier
    requires.
    """
    _require_count("leaf_index", leaf_index)
    _require_count("tree_size", tree_size)
    if leaf_index >= tree_size:
        raise LeafIndexBeyondSizeError(field="leaf_index", value=leaf_index, tree_size=tree_size)
    if len(leaf_hash) != HASH_SIZE:
        raise LeafHashLengthError(field="leaf_hash", length=len(leaf_hash))
    fn, sn = leaf_index, tree_size - 1
    digest = leaf_hash
    for position, sibling in enumerate(proof):
        if sn == 0:
            raise _proof_length_error(length=len(proof), expected=position)
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            if not fn & 1:
                fn, sn = _shift_to_right_child(fn, sn)
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        expected = len(proof) + _remaining_steps(fn, sn)
        raise _proof_length_error(length=len(proof), expected=expected)
    if digest != root:
        raise RootMismatchError(field="root", computed=digest.hex(), expected=root.hex())


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of ``size2`` leaves with ``root2`` extends the tree of ``size1``
    leaves with ``root1``; raise a ``ProofError`` saying why not.

    RFC 9162 §2.1.4.2, step for step, after the cases the RFC leaves to the caller, decided as the
    reference verifier decides them: ``size1 > size2`` and ``size1 == 0`` are refused; equal
    sizes need an empty proof and byte-for-byte equal roots, whatever their length.
    """
    _require_count("size1", size1)
    _require_count("size2", size2)
    if size1 > size2:
        raise SizeDecreasesError(field="size1", size1=size1, size2=size2)
    if size1 == 0:
        raise OldTreeEmptyError(field="size1")
    if size1 == size2:
        if proof:
            raise _proof_length_error(length=len(proof), expected=0)
        if root1 != root2:
            raise RootMismatchError(field="root2", computed=root1.hex(), expected=root2.hex())
        return
    if not proof:
        expected = _consistency_proof_length(size1, size2)
        raise _proof_length_error(length=0, expected=expected)
    # When the old tree is a perfect subtree of the new one, its root is the path's first node.
    prepended = 1 if _is_power_of_two(size1) else 0
    path = [root1, *proof] if prepended else list(proof)
    fn, sn = _skip_right_children(size1 - 1, size2 - 1)
    first_root = second_root = path[0]
    for position in range(1, len(path)):
        node = path[position]
        if sn == 0:
            expected = position - prepended
            raise _proof_length_error(length=len(proof), expected=expected)
        if fn & 1 or fn == sn:
            first_root = node_hash(node, first_root)
            second_root = node_hash(node, second_root)
            if not fn & 1:
                fn, sn = _shift_to_right_child(fn, sn)
        else:
            second_root = node_hash(second_root, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        expected = len(proof) + _remaining_steps(fn, sn)
        raise _proof_length_error(length=len(proof), expected=expected)
    if first_root != root1:
        raise RootMismatchError(field="root1", computed=first_root.hex(), expected=root1.hex())
    if second_root != root2:
        raise RootMismatchError(field="root2", computed=second_root.hex(), expected=root2.hex())


def _proof_length_error(*, length: int, expected: int) -> ProofLengthError:
    if length < expected:
        return ProofTooShortError(field="proof", length=length, expected=expected)
    return ProofTooLongError(field="proof", length=length, expected=expected)


def _shift_to_right_child(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162: right-shift both until the last bit of ``fn`` is set or ``fn`` is 0."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def _skip_right_children(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162 §2.1.4.2 step 4: right-shift both while the last bit of ``fn`` is set."""
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def _remaining_steps(fn: int, sn: int) -> int:
    """How many more proof hashes the verification loop would take from ``(fn, sn)``.

    The loop's walk depends on the two numbers only, never on the hashes: this is the same walk
    without the hashing, to tell a caller how long a proof should have been.
    """
    steps = 0
    while sn != 0:
        if not fn & 1 and fn == sn:
            fn, sn = _shift_to_right_child(fn, sn)
        fn, sn = fn >> 1, sn >> 1
        steps += 1
    return steps


def _consistency_proof_length(size1: int, size2: int) -> int:
    """The length of a consistency proof between two different, non-zero sizes."""
    fn, sn = _skip_right_children(size1 - 1, size2 - 1)
    prepended = 1 if _is_power_of_two(size1) else 0
    return 1 + _remaining_steps(fn, sn) - prepended


def _largest_power_of_two_below(count: int) -> int:
    """The ``k`` of RFC 6962: the largest power of two smaller than ``count`` (``count >= 2``)."""
    return 1 << ((count - 1).bit_length() - 1)


def _is_power_of_two(count: int) -> bool:
    return count > 0 and count & (count - 1) == 0


def _require_count(field: str, value: int) -> None:
    if value < 0:
        raise NegativeCountError(field=field, value=value)


def _require_hash_size(field: str, digest: bytes) -> None:
    if len(digest) != HASH_SIZE:
        raise HashLengthError(field=field, length=len(digest))
