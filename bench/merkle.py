"""The Merkle tree of an evidence log of N entries: hashing, root, appends and proofs.

    python -m bench.merkle [--n 1000000]

Builds N canonical-JSON entries of about 300 bytes (sorted keys, no spaces, UTF-8), then times
hashing them as leaves, the root of all N leaf hashes, appending them one by one to a
``CompactRange``, and one inclusion proof and one consistency proof at that size (each proof is
verified, untimed). Building the entries is not timed. The last line is

    merkle n=N entry_bytes=B leaf_hash_s=S root_s=S append_per_s=R inclusion_proof_s=S \
consistency_proof_s=S
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

from renshi.core.merkle import (
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

CHUNK = 10_000
KINDS = ["payroll.approve", "leave.request.submit", "notice.acknowledge", "contract.sign"]


def _entry(sequence: int) -> bytes:
    """One log entry as the evidence log would write it: canonical JSON, about 300 bytes."""
    document = {
        "seq": sequence,
        "at": f"2025-08-{1 + sequence % 28:02d}T{sequence % 24:02d}:{sequence % 60:02d}:00+08:00",
        "kind": KINDS[sequence % len(KINDS)],
        "actor": f"user:{sequence % 5000}",
        "subject": f"employee:E{sequence % 100_000:06d}",
        "payload": {
            "month": "2025-08",
            "amount": f"{(sequence * 7919) % 10_000_000 / 100:.2f}",
            "document_sha256": hashlib.sha256(sequence.to_bytes(8, "big")).hexdigest(),
            "note": "确认已阅读并同意",
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _seconds(start: float) -> float:
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args().n
    if n < 2:
        parser.error("--n must be at least 2, for a consistency proof between two sizes")

    hashes: list[bytes] = []
    entry_bytes = 0
    hashing = 0.0
    for first in range(0, n, CHUNK):
        chunk = [_entry(sequence) for sequence in range(first, min(first + CHUNK, n))]
        entry_bytes += sum(len(entry) for entry in chunk)
        start = time.perf_counter()
        hashes.extend([leaf_hash(entry) for entry in chunk])
        hashing += _seconds(start)
    mean_bytes = entry_bytes / n
    print(f"{'leaf hashes':<20} n={n} entry_bytes={mean_bytes:.0f} seconds={hashing:.3f}")

    start = time.perf_counter()
    root = root_from_leaf_hashes(hashes)
    root_seconds = _seconds(start)
    print(f"{'root':<20} seconds={root_seconds:.3f} root={root.hex()[:16]}...")

    start = time.perf_counter()
    compact = CompactRange()
    for digest in hashes:
        compact.append(digest)
    append_seconds = _seconds(start)
    append_rate = n / append_seconds
    assert compact.root() == root, "the compact range disagrees with the root"
    print(f"{'compact range':<20} seconds={append_seconds:.3f} per_s={append_rate:,.0f}")

    index = n * 2 // 3 + 1
    start = time.perf_counter()
    path = inclusion_proof(index, hashes)
    inclusion_seconds = _seconds(start)
    verify_inclusion(index, n, hashes[index], path, root)
    print(
        f"{'inclusion proof':<20} index={index} hashes={len(path)} seconds={inclusion_seconds:.3f}"
    )

    size1 = n // 2 + 1
    start = time.perf_counter()
    proof = consistency_proof(size1, hashes)
    consistency_seconds = _seconds(start)
    verify_consistency(size1, n, proof, root_from_leaf_hashes(hashes[:size1]), root)
    print(
        f"{'consistency proof':<20} size1={size1} hashes={len(proof)} "
        f"seconds={consistency_seconds:.3f}"
    )

    print(
        f"merkle n={n} entry_bytes={mean_bytes:.0f} leaf_hash_s={hashing:.3f} "
        f"root_s={root_seconds:.3f} append_per_s={append_rate:.0f} "
        f"inclusion_proof_s={inclusion_seconds:.3f} consistency_proof_s={consistency_seconds:.3f}"
    )


if __name__ == "__main__":
    main()
