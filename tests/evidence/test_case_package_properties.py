"""Any single changed byte in a case package's entries, attachments, proofs or signature is
found: by ``verify.py`` (through SHA256SUMS, or through the proofs when the sums were rewritten
to match) or by the signature check that ``openssl pkeyutl -verify`` makes. And ``verify.py``'s
own Merkle code agrees with the core's on every tree."""

from __future__ import annotations

import ast
import hashlib
import json
import sys

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.evidence.logs import at, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.packages import make_case_log, unzip

from renshi.core.merkle import inclusion_proof, leaf_hash, root_from_leaf_hashes
from renshi.evidence.package import evidence_package_build, sha256sums, verify_script
from renshi.evidence.package_files import verify
from renshi.evidence.package_files.verify import PackageError, check_package

pytestmark = pytest.mark.django_db
examples = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SIGNED = ("checkpoint/checkpoint.txt", "checkpoint/checkpoint.sig")


class Files(dict[str, bytes]):
    """A package's files, shown by their number when hypothesis reports an example."""

    def __repr__(self) -> str:
        return f"<a package of {len(self)} files>"


@pytest.fixture
def files(signing_key_file: object) -> Files:  # noqa: F811 - the imported fixture
    case = make_case_log()
    built = Files(unzip(evidence_package_build(employee=case.employee, now=at(60)).data))
    assert check_package(built).is_valid
    return built


def _evidence(files: dict[str, bytes]) -> list[str]:
    """The files whose bytes are the evidence: entries, attachments, proofs."""
    return sorted(name for name in files if name.startswith(("entries/", "blobs/", "proofs/")))


def _flip(data: bytes, position: int, delta: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([(data[position] + delta) % 256]) + data[position + 1 :]


def _signature_holds(files: dict[str, bytes]) -> bool:
    """What ``openssl pkeyutl -verify -pubin -inkey ... -rawin`` decides."""
    key = serialization.load_pem_public_key(files["checkpoint/public_key.pem"])
    try:
        key.verify(files["checkpoint/checkpoint.sig"], files["checkpoint/checkpoint.txt"])  # type: ignore[union-attr, call-arg]
    except InvalidSignature:
        return False
    return True


@examples
@given(data=st.data())
def test_any_changed_byte_of_the_evidence_or_signature_is_found_by_verify_py(files, data):
    name = data.draw(st.sampled_from([*_evidence(files), *SIGNED, "SHA256SUMS"]))
    position = data.draw(st.integers(0, len(files[name]) - 1))
    delta = data.draw(st.integers(1, 255))

    report = check_package({**files, name: _flip(files[name], position, delta)})

    assert not report.is_valid


@examples
@given(data=st.data())
def test_a_changed_entry_attachment_or_proof_is_found_even_with_the_sums_rewritten_to_match(
    files, data
):
    name = data.draw(st.sampled_from(_evidence(files)))
    position = data.draw(st.integers(0, len(files[name]) - 1))
    delta = data.draw(st.integers(1, 255))
    changed = {**files, name: _flip(files[name], position, delta)}
    changed["SHA256SUMS"] = sha256sums(changed)

    report = check_package(changed)

    assert not report.is_valid
    failed = [line for line in report.lines if line[0] == verify.FAIL]
    assert failed, report.text()
    assert not any("SHA256SUMS" in line[2] for line in failed)  # found by the proofs


@examples
@given(data=st.data())
def test_a_changed_checkpoint_or_signature_fails_the_signature_check_with_the_sums_rewritten(
    files, data
):
    name = data.draw(st.sampled_from(SIGNED))
    position = data.draw(st.integers(0, len(files[name]) - 1))
    delta = data.draw(st.integers(1, 255))
    changed = {**files, name: _flip(files[name], position, delta)}
    changed["SHA256SUMS"] = sha256sums(changed)

    assert _signature_holds(files)
    assert not _signature_holds(changed)


def test_a_file_added_or_removed_is_found(files):
    added = {**files, "entries/000099.json": b"{}"}
    removed = {name: data for name, data in files.items() if not name.startswith("blobs/")}

    assert not check_package(added).is_valid
    assert not check_package(removed).is_valid


def test_an_entry_about_someone_else_is_refused(files):
    name = "entries/000003.json"
    document = json.loads(files[name])
    document["employee"] += 1
    changed = {**files, name: verify.canonical_json(document)}
    changed["SHA256SUMS"] = sha256sums(changed)

    report = check_package(changed)

    assert not report.is_valid
    assert any("another employee" in line[2] for line in report.lines)


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_verify_py_recomputes_the_same_root_as_the_core_from_any_inclusion_proof(size, data):
    index = data.draw(st.integers(0, size - 1))
    hashes = [leaf_hash(str(n).encode()) for n in range(size)]
    proof = inclusion_proof(index, hashes)

    root = verify.root_from_inclusion_proof(index, size, hashes[index], proof)

    assert root == root_from_leaf_hashes(hashes)
    if proof:
        with pytest.raises(PackageError):
            verify.root_from_inclusion_proof(index, size, hashes[index], proof[:-1])
    with pytest.raises(PackageError):
        verify.root_from_inclusion_proof(index, size, hashes[index], [*proof, hashes[0]])


def test_verify_py_imports_nothing_but_the_standard_library():
    tree = ast.parse(verify_script())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }

    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
    assert hashlib.sha256(verify_script()).hexdigest()  # readable as the package ships it
