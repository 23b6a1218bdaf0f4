"""RFC 6962 Merkle trees against the reference vectors, and the errors that say why a proof fails.

Source of the vectors: ``shared/reference/rfc6962/`` beside the checkout, copied from
transparency-dev/merkle at commit 417fb0c314750d94e53942e9f92e79b6d35915db (Apache-2.0; its
README.md lists the files and what each ``wantErr`` flag encodes). ``vectors.json`` holds the
hash vectors of ``rfc6962/rfc6962_test.go`` and ``testonly/constants.go``; ``inclusion/`` and
``consistency/`` are the probes of ``testdata/``, one valid happy path per numbered folder and
variants of it that a correct verifier must reject.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from renshi.core.merkle import (
    EMPTY_ROOT,
    LEAF_INDEX_BEYOND_SIZE,
    NEGATIVE_COUNT,
    OLD_TREE_EMPTY,
    PROOF_TOO_LONG,
    PROOF_TOO_SHORT,
    ROOT_MISMATCH,
    SIZE_DECREASES,
    CompactRange,
    CompactRangeState,
    CompactRangeStateError,
    HashLengthError,
    LeafHashLengthError,
    LeafIndexBeyondSizeError,
    NegativeCountError,
    OldTreeEmptyError,
    ProofError,
    ProofTooLongError,
    ProofTooShortError,
    RootMismatchError,
    SizeDecreasesError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "rfc6962"
MISSING = (
    f"the RFC 6962 reference vectors are missing: expected them in {REFERENCE}, "
    "the shared/ directory beside the checkout (CI puts ../shared next to the clone)"
)
# README.md: inclusion/0..4 and consistency/0..4 start from a happy path over the first n of the
# 8 leaves of vectors.json; the other valid probes use arbitrary hashes.
HAPPY_PATH_FOLDERS = ["0", "1", "2", "3", "4"]


def _probe_files(kind: str) -> list[Any]:
    """One parameter per probe file; a single failing one when the reference is missing, since
    an empty parameter list would be skipped, and a missing reference must fail."""
    files = sorted((REFERENCE / kind).rglob("*.json"))
    if not files:
        return [pytest.param(None, id=f"{kind}-missing")]
    return [pytest.param(path, id=path.relative_to(REFERENCE).as_posix()) for path in files]


def _load(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        pytest.fail(MISSING)
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _proof(probe: dict[str, Any]) -> list[bytes]:
    # Go writes an empty slice as null; both mean an empty proof.
    return [_b64(node) for node in probe["proof"] or []]


def _synthetic_leaf_hashes(count: int) -> list[bytes]:
    return [leaf_hash(f"entry {number}".encode()) for number in range(count)]


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return _load(REFERENCE / "vectors.json")


@pytest.fixture(scope="module")
def leaf_hashes(vectors: dict[str, Any]) -> list[bytes]:
    """The hashes of the 8 leaves the happy paths are built over."""
    return [leaf_hash(bytes.fromhex(leaf)) for leaf in vectors["leaves_hex"]]


# The reference itself


def test_the_reference_holds_98_probes_of_each_kind_with_6_valid_ones():
    for kind in ("inclusion", "consistency"):
        probes = [_load(path) for path in sorted((REFERENCE / kind).rglob("*.json"))]
        assert len(probes) == 98, MISSING if not probes else f"{kind}: {len(probes)} probes"
        assert sum(not probe["wantErr"] for probe in probes) == 6


# Hashes and roots


def test_the_empty_tree_hashes_to_sha256_of_nothing(vectors: dict[str, Any]):
    assert EMPTY_ROOT.hex() == vectors["empty_tree_hash"]
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert CompactRange().root() == EMPTY_ROOT


def test_leaf_hashes_match_the_vectors(vectors: dict[str, Any]):
    assert len(vectors["leaf_vectors"]) == 10
    for vector in vectors["leaf_vectors"]:
        got = leaf_hash(bytes.fromhex(vector["input_hex"])).hex()
        assert got == vector["leaf_hash_hex"], vector["desc"]


def test_node_hashes_match_the_vectors(vectors: dict[str, Any]):
    assert len(vectors["node_vectors"]) == 8
    for vector in vectors["node_vectors"]:
        got = node_hash(bytes.fromhex(vector["left_hex"]), bytes.fromhex(vector["right_hex"]))
        assert got.hex() == vector["hash_hex"], vector["desc"]


def test_roots_of_the_first_1_to_8_leaves_match_the_vectors(
    vectors: dict[str, Any], leaf_hashes: list[bytes]
):
    compact = CompactRange()
    for size, expected in enumerate(vectors["roots_hex"], start=1):
        compact.append(leaf_hashes[size - 1])
        assert root_from_leaf_hashes(leaf_hashes[:size]).hex() == expected, f"size {size}"
        assert compact.root().hex() == expected, f"size {size}"


# The probes: each accepted or rejected as the reference says


@pytest.mark.parametrize("path", _probe_files("inclusion"))
def test_inclusion_probe_is_accepted_or_rejected_as_the_reference_says(path: Path | None):
    probe = _load(path)
    arguments = (
        probe["leafIdx"],
        probe["treeSize"],
        _b64(probe["leafHash"]),
        _proof(probe),
        _b64(probe["root"]),
    )
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*arguments)
    else:
        verify_inclusion(*arguments)


@pytest.mark.parametrize("path", _probe_files("consistency"))
def test_consistency_probe_is_accepted_or_rejected_as_the_reference_says(path: Path | None):
    probe = _load(path)
    arguments = (
        probe["size1"],
        probe["size2"],
        _proof(probe),
        _b64(probe["root1"]),
        _b64(probe["root2"]),
    )
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*arguments)
    else:
        verify_consistency(*arguments)


@pytest.mark.parametrize("folder", HAPPY_PATH_FOLDERS)
def test_generated_inclusion_proof_is_the_reference_happy_path(
    folder: str, vectors: dict[str, Any], leaf_hashes: list[bytes]
):
    probe = _load(REFERENCE / "inclusion" / folder / "happy-path.json")
    index, size = probe["leafIdx"], probe["treeSize"]
    assert _b64(probe["root"]).hex() == vectors["roots_hex"][size - 1]
    assert _b64(probe["leafHash"]) == leaf_hashes[index]
    assert inclusion_proof(index, leaf_hashes[:size]) == _proof(probe)


@pytest.mark.parametrize("folder", HAPPY_PATH_FOLDERS)
def test_generated_consistency_proof_is_the_reference_happy_path(
    folder: str, vectors: dict[str, Any], leaf_hashes: list[bytes]
):
    probe = _load(REFERENCE / "consistency" / folder / "happy-path.json")
    size1, size2 = probe["size1"], probe["size2"]
    assert _b64(probe["root1"]).hex() == vectors["roots_hex"][size1 - 1]
    assert _b64(probe["root2"]).hex() == vectors["roots_hex"][size2 - 1]
    assert consistency_proof(size1, leaf_hashes[:size2]) == _proof(probe)


# Round trips: every proof the generator makes, the verifier accepts


@pytest.mark.parametrize("size", range(1, 65))
def test_every_inclusion_proof_in_a_tree_of_this_size_verifies(size: int):
    hashes = _synthetic_leaf_hashes(size)
    root = root_from_leaf_hashes(hashes)
    for index in range(size):
        verify_inclusion(index, size, hashes[index], inclusion_proof(index, hashes), root)


@pytest.mark.parametrize("size2", range(1, 65))
def test_every_consistency_proof_to_a_tree_of_this_size_verifies(size2: int):
    hashes = _synthetic_leaf_hashes(size2)
    root2 = root_from_leaf_hashes(hashes)
    for size1 in range(1, size2 + 1):
        root1 = root_from_leaf_hashes(hashes[:size1])
        verify_consistency(size1, size2, consistency_proof(size1, hashes), root1, root2)


# Errors say what is wrong


def test_a_leaf_index_at_the_tree_size_is_beyond_the_tree():
    hashes = _synthetic_leaf_hashes(4)
    with pytest.raises(LeafIndexBeyondSizeError) as error:
        verify_inclusion(4, 4, hashes[0], [], root_from_leaf_hashes(hashes))
    assert error.value.template == LEAF_INDEX_BEYOND_SIZE
    assert error.value.params == {"field": "leaf_index", "value": 4, "tree_size": 4}


def test_a_leaf_hash_of_the_wrong_length_is_refused_before_hashing():
    with pytest.raises(LeafHashLengthError) as error:
        verify_inclusion(0, 1, b"WrongLeaf", [], EMPTY_ROOT)
    assert error.value.params == {"field": "leaf_hash", "length": 9}


def test_a_proof_missing_a_hash_says_how_many_a_proof_has():
    hashes = _synthetic_leaf_hashes(5)
    proof = inclusion_proof(1, hashes)
    with pytest.raises(ProofTooShortError) as error:
        verify_inclusion(1, 5, hashes[1], proof[:-1], root_from_leaf_hashes(hashes))
    assert error.value.template == PROOF_TOO_SHORT
    assert error.value.params == {"field": "proof", "length": 2, "expected": 3}


def test_a_proof_with_an_extra_hash_says_how_many_a_proof_has():
    hashes = _synthetic_leaf_hashes(5)
    proof = inclusion_proof(1, hashes)
    with pytest.raises(ProofTooLongError) as error:
        verify_inclusion(1, 5, hashes[1], [*proof, proof[0]], root_from_leaf_hashes(hashes))
    assert error.value.template == PROOF_TOO_LONG
    assert error.value.params == {"field": "proof", "length": 4, "expected": 3}


def test_a_wrong_root_names_the_root_the_proof_leads_to():
    hashes = _synthetic_leaf_hashes(3)
    root = root_from_leaf_hashes(hashes)
    with pytest.raises(RootMismatchError) as error:
        verify_inclusion(2, 3, hashes[2], inclusion_proof(2, hashes), EMPTY_ROOT)
    assert error.value.template == ROOT_MISMATCH
    assert error.value.params == {
        "field": "root",
        "computed": root.hex(),
        "expected": EMPTY_ROOT.hex(),
    }


def test_a_log_that_shrank_is_not_consistent_with_its_past():
    with pytest.raises(SizeDecreasesError) as error:
        verify_consistency(3, 2, [], EMPTY_ROOT, EMPTY_ROOT)
    assert error.value.template == SIZE_DECREASES
    assert error.value.params == {"field": "size1", "size1": 3, "size2": 2}


def test_a_consistency_proof_from_the_empty_tree_is_refused_even_to_the_empty_tree():
    with pytest.raises(OldTreeEmptyError) as error:
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert error.value.template == OLD_TREE_EMPTY


def test_equal_sizes_need_an_empty_proof_and_equal_roots():
    root = root_from_leaf_hashes(_synthetic_leaf_hashes(3))
    verify_consistency(3, 3, [], root, root)
    with pytest.raises(ProofTooLongError) as too_long:
        verify_consistency(3, 3, [root], root, root)
    assert too_long.value.params == {"field": "proof", "length": 1, "expected": 0}
    with pytest.raises(RootMismatchError) as mismatch:
        verify_consistency(3, 3, [], root, EMPTY_ROOT)
    assert mismatch.value.params["field"] == "root2"


def test_growing_sizes_with_an_empty_proof_say_how_long_the_proof_should_be():
    hashes = _synthetic_leaf_hashes(7)
    root1, root2 = root_from_leaf_hashes(hashes[:6]), root_from_leaf_hashes(hashes)
    with pytest.raises(ProofTooShortError) as error:
        verify_consistency(6, 7, [], root1, root2)
    assert error.value.params == {
        "field": "proof",
        "length": 0,
        "expected": len(consistency_proof(6, hashes)),
    }


def test_a_consistency_proof_against_a_rewritten_old_root_blames_root1():
    hashes = _synthetic_leaf_hashes(8)
    proof = consistency_proof(6, hashes)
    with pytest.raises(RootMismatchError) as error:
        verify_consistency(6, 8, proof, EMPTY_ROOT, root_from_leaf_hashes(hashes))
    assert error.value.params["field"] == "root1"


def test_negative_sizes_and_indexes_are_refused():
    with pytest.raises(NegativeCountError) as error:
        verify_inclusion(-1, 1, EMPTY_ROOT, [], EMPTY_ROOT)
    assert error.value.template == NEGATIVE_COUNT
    assert error.value.params == {"field": "leaf_index", "value": -1}
    with pytest.raises(NegativeCountError):
        verify_consistency(-2, -1, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(NegativeCountError):
        inclusion_proof(-1, _synthetic_leaf_hashes(2))


def test_proofs_that_cannot_exist_are_refused_when_asked_for():
    hashes = _synthetic_leaf_hashes(4)
    with pytest.raises(LeafIndexBeyondSizeError):
        inclusion_proof(4, hashes)
    with pytest.raises(SizeDecreasesError):
        consistency_proof(5, hashes)
    with pytest.raises(OldTreeEmptyError):
        consistency_proof(0, hashes)
    assert consistency_proof(4, hashes) == []


def test_every_proof_error_is_a_value_error():
    assert issubclass(ProofError, ValueError)


def test_a_compact_range_refuses_a_state_no_log_could_have():
    leaf = leaf_hash(b"entry")
    with pytest.raises(CompactRangeStateError) as error:
        CompactRange.from_state(CompactRangeState(size=3, hashes=(leaf,)))
    assert error.value.params == {"field": "hashes", "count": 1, "size": 3}
    with pytest.raises(CompactRangeStateError):
        CompactRange.from_state(CompactRangeState(size=-1, hashes=(leaf,)))
    with pytest.raises(HashLengthError) as length_error:
        CompactRange.from_state(CompactRangeState(size=1, hashes=(b"short",)))
    assert length_error.value.params == {"field": "hashes[0]", "length": 5}


def test_a_compact_range_refuses_a_leaf_hash_of_the_wrong_length():
    compact = CompactRange()
    with pytest.raises(HashLengthError):
        compact.append(b"not a hash")
    assert compact.size == 0
