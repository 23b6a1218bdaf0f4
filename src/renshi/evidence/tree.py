"""Proofs over a log too large to hold in memory: which subtree roots a proof needs, and all of
them from one streaming pass over the leaf hashes.

``renshi.core.merkle`` builds proofs from a list of every leaf hash. A log of millions of entries
is read from the database in chunks instead: the core's ``inclusion_ranges`` and
``consistency_ranges`` name the nodes a proof consists of (as ``[low, high)`` leaf ranges, in
the proof's order),
and ``SubtreeRoots`` computes the roots of any set of nodes of the tree over ``size`` leaves while
the leaves stream past, keeping one hash per level. Proofs for many entries therefore cost one
pass, not one per entry.

Every node of RFC 6962's tree over ``n`` leaves is either a perfect subtree aligned to its width
(which the streaming carries produce as they complete) or lies on the right edge, ending at
``n`` (which the frontier left at the end folds into).

Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.merkle import Range, consistency_ranges, inclusion_ranges, node_hash

__all__ = ["Range", "SubtreeRoots", "consistency_ranges", "inclusion_ranges"]


class NotANodeError(CoreError):
    template = gettext_noop("{field}: leaves {low} to {high} are not a node of a tree of {size}")


class LeavesMissingError(CoreError):
    template = gettext_noop("{field}: the tree has {size} leaves but only {count} were given")


class SubtreeRoots:
    """The roots of chosen nodes of the tree over ``size`` leaves, from the leaf hashes streamed
    in order with ``append``; ``roots()`` once all ``size`` have been given."""

    __slots__ = ("_count", "_found", "_size", "_stack", "_wanted")

    def __init__(self, size: int, wanted: Iterable[Range]) -> None:
        self._size = size
        self._wanted = set(wanted)
        for low, high in self._wanted:
            if not 0 <= low < high <= size:
                raise NotANodeError(field="range", low=low, high=high, size=size)
        self._found: dict[Range, bytes] = {}
        # The frontier: (first leaf, width, root) of the perfect subtrees covering the leaves so
        # far, largest first, as a binary counter holds its bits.
        self._stack: list[tuple[int, int, bytes]] = []
        self._count = 0

    def append(self, leaf_hash: bytes) -> None:
        start, width, digest = self._count, 1, leaf_hash
        wanted, found, stack = self._wanted, self._found, self._stack
        if (start, start + 1) in wanted:
            found[(start, start + 1)] = digest
        while stack and stack[-1][1] == width:
            start, _, left = stack.pop()
            digest = node_hash(left, digest)
            width *= 2
            if (start, start + width) in wanted:
                found[(start, start + width)] = digest
        stack.append((start, width, digest))
        self._count += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for digest in leaf_hashes:
            self.append(digest)

    def roots(self) -> dict[Range, bytes]:
        if self._count != self._size:
            raise LeavesMissingError(field="leaves", size=self._size, count=self._count)
        roots = dict(self._found)
        for low, high in self._wanted - roots.keys():
            starts = [position for position, item in enumerate(self._stack) if item[0] == low]
            if high != self._size or not starts:
                raise NotANodeError(field="range", low=low, high=high, size=self._size)
            # A right-edge node: fold the frontier from its first subtree on, smallest first.
            tail = self._stack[starts[0] :]
            digest = tail[-1][2]
            for _, _, left in reversed(tail[:-1]):
                digest = node_hash(left, digest)
            roots[(low, high)] = digest
        return roots
