"""The seed story's case package, checked as a lawyer would: the demo company's story is played
(王芳, HX0001: warned, notified, a demand letter posted by EMS, beside five colleagues at other
stages), her package is exported with ``renshi evidence export`` against a checkpoint stamped
by a local RFC 3161 authority, unzipped into an empty folder, and checked with the real
``sha256sum`` and ``openssl`` and the package's own ``verify.py`` run by a Python that can import
nothing but its standard library. Then single bytes are changed and the tool that checks them
must fail, and no colleague's name or number may be anywhere in the package.

The story is played and exported once for the module, in a transaction rolled back afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation
from tests.evidence.rfc3161 import Authority, TsaServer, make_authority

from renshi import cli
from renshi.demo import demo_company_load
from renshi.demo_story import LETTER_POSTED, STORY_MIN_EMPLOYEES
from renshi.evidence.keys import signing_key_generate
from renshi.people.models import Employee

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("openssl") and shutil.which("sha256sum")),
        reason="needs the openssl and sha256sum commands",
    ),
]
REQUIRED_TOOLS_OK = {
    "signature": "Signature Verified Successfully",
    "timestamp": "Verification: OK",
    "verify": "RESULT: every check passed.",
}


@dataclass(frozen=True)
class Exported:
    zip_path: Path
    printed: dict[str, Any]  # what `renshi evidence export --json` printed
    others: list[tuple[str, str]]  # the colleagues' numbers and names
    seconds: float


class _RolledBack(Exception):
    pass


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa"))


@pytest.fixture(scope="module")
def tsa(authority: Authority) -> Iterator[TsaServer]:
    with TsaServer(authority) as running:
        yield running


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
    django_db_setup: None,
    django_db_blocker: object,
    authority: Authority,
    tsa: TsaServer,
) -> Exported:
    key = tmp_path_factory.mktemp("evidence-key") / "signing.pem"
    signing_key_generate(path=key)
    zip_path = tmp_path_factory.mktemp("export") / "HX0001.zip"
    configured = override_settings(
        RENSHI_EVIDENCE_KEY=str(key),
        RENSHI_EVIDENCE_TRUSTED_KEYS=[],
        RENSHI_EVIDENCE_ORIGIN="huaxia.example/evidence",
        RENSHI_TSA_URL=tsa.url,
        RENSHI_TSA_CA_FILE=str(authority.ca_file),
    )
    result: dict[str, object] = {}
    language = translation.get_language()
    with django_db_blocker.unblock(), configured:  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                demo_company_load(employees=STORY_MIN_EMPLOYEES)
                employee = Employee.objects.get(number=LETTER_POSTED)
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()) as printed:
                    code = cli.main(
                        ["--lang", "en", "evidence", "export", "--employee", LETTER_POSTED,
                         "--company", employee.company.code, "--out", str(zip_path), "--json"]
                    )  # fmt: skip
                result["seconds"] = time.perf_counter() - started
                assert code == 0
                result["printed"] = json.loads(printed.getvalue())
                result["others"] = [
                    (other.number, other.name)
                    for other in Employee.objects.exclude(pk=employee.pk).order_by("number")
                ]
                raise _RolledBack
        except _RolledBack:
            pass
        finally:
            translation.activate(language)
    return Exported(
        zip_path=zip_path,
        printed=result["printed"],  # type: ignore[arg-type]
        others=result["others"],  # type: ignore[arg-type]
        seconds=result["seconds"],  # type: ignore[arg-type]
    )


@pytest.fixture
def folder(exported: Exported, tmp_path: Path) -> Path:
    """The package unzipped into an empty folder, as its recipient would."""
    target = tmp_path / "package"
    target.mkdir()
    with zipfile.ZipFile(exported.zip_path) as archive:
        archive.extractall(target)
    return target


def _run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), cwd=folder, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
    )  # fmt: skip


def sha256sum(folder: Path) -> subprocess.CompletedProcess[str]:
    return _run(folder, "sha256sum", "-c", "SHA256SUMS")


def signature(folder: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        folder, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "checkpoint/public_key.pem",
        "-rawin", "-in", "checkpoint/checkpoint.txt", "-sigfile", "checkpoint/checkpoint.sig",
    )  # fmt: skip


def timestamp(folder: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        folder, "openssl", "ts", "-verify", "-in", "checkpoint/checkpoint.tst", "-token_in",
        "-data", "checkpoint/checkpoint.txt", "-CAfile", "checkpoint/tsa-ca.pem",
    )  # fmt: skip


def verify_py(folder: Path) -> subprocess.CompletedProcess[str]:
    # -I: no environment variables, no user site, not even the script's folder on the path;
    # -S: no site-packages either, so nothing but the standard library can be imported.
    return _run(folder, sys.executable, "-I", "-S", "verify.py")


def _flip(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_seed_story_package_checks_out_with_sha256sum_openssl_and_verify_py(
    exported: Exported, folder: Path
) -> None:
    checked = {"sha256sum": sha256sum(folder), "signature": signature(folder),
               "timestamp": timestamp(folder), "verify": verify_py(folder)}  # fmt: skip

    assert all(result.returncode == 0 for result in checked.values()), {
        name: result.stdout + result.stderr for name, result in checked.items()
    }
    for name, expected in REQUIRED_TOOLS_OK.items():
        assert expected in checked[name].stdout + checked[name].stderr, name
    assert "FAILED" not in checked["sha256sum"].stdout
    assert exported.printed["sha256"] == hashlib.sha256(exported.zip_path.read_bytes()).hexdigest()
    assert exported.printed["timestamps"] == 1
    assert exported.printed["timestamp_error"] is None
    manifest = json.loads((folder / "package.json").read_bytes())
    assert manifest["employee"]["number"] == "HX0001"
    assert manifest["employee"]["name"] == "王芳"
    kinds = {entry["kind"] for entry in manifest["entries"]}
    assert {"letter.issued", "letter.dispatched"} <= kinds
    # The letter itself is there, as the PDF that was sent.
    letters = [e for e in manifest["entries"] if e["kind"] == "letter.issued"]
    letter_files = [folder / blob["file"] for e in letters for blob in e["blobs"]]
    assert any(path.read_bytes().startswith(b"%PDF") for path in letter_files)
    print(
        f"\nseed story package: {len(manifest['entries'])} entries, "
        f"{exported.zip_path.stat().st_size} bytes, exported in {exported.seconds:.1f} s"
    )


def test_the_readmes_fingerprint_command_gives_the_key_the_package_names(folder: Path) -> None:
    manifest = json.loads((folder / "package.json").read_bytes())

    printed = _run(
        folder, "sh", "-c",
        "openssl pkey -pubin -in checkpoint/public_key.pem -outform DER | tail -c 32 | sha256sum",
    )  # fmt: skip

    assert printed.stdout.startswith(manifest["checkpoint"]["key_fingerprint"])
    assert manifest["checkpoint"]["key_fingerprint"] in (folder / "README.txt").read_text()


def test_verify_py_runs_where_nothing_of_renshi_can_be_imported(folder: Path) -> None:
    probe = _run(folder, sys.executable, "-I", "-S", "-c", "import renshi")

    assert probe.returncode != 0
    assert "No module named 'renshi'" in probe.stderr


@pytest.mark.parametrize(
    "part", ["entries", "blobs", "proofs"], ids=["an entry", "an attachment", "a proof"]
)
def test_a_changed_byte_of_the_evidence_fails_sha256sum_and_verify_py(
    folder: Path, part: str
) -> None:
    victim = sorted((folder / part).iterdir())[-1]
    _flip(victim, len(victim.read_bytes()) // 2)

    assert sha256sum(folder).returncode != 0
    assert f"{victim.relative_to(folder)}: FAILED" in sha256sum(folder).stdout
    result = verify_py(folder)
    assert result.returncode == 1
    assert "RESULT:" in result.stdout
    assert "FAILED" in result.stdout


def test_a_changed_byte_of_the_signature_fails_openssl(folder: Path) -> None:
    _flip(folder / "checkpoint" / "checkpoint.sig", 10)

    result = signature(folder)

    assert result.returncode != 0
    assert "Signature Verification Failure" in result.stdout + result.stderr
    assert sha256sum(folder).returncode != 0
    assert verify_py(folder).returncode == 1


def test_a_changed_byte_of_the_signed_text_fails_the_signature_and_the_timestamp(
    folder: Path,
) -> None:
    _flip(folder / "checkpoint" / "checkpoint.txt", 3)

    assert signature(folder).returncode != 0
    assert timestamp(folder).returncode != 0
    assert verify_py(folder).returncode == 1


def test_no_colleague_appears_anywhere_in_the_package(exported: Exported, folder: Path) -> None:
    assert len(exported.others) == STORY_MIN_EMPLOYEES - 1
    texts = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    if shutil.which("pdftotext"):  # a PDF's text is compressed: read it as text
        for path in folder.rglob("*.pdf"):
            text = _run(folder, "pdftotext", str(path), "-").stdout
            texts[f"{path.relative_to(folder)} (text)"] = text.encode()

    for name, data in texts.items():
        for number, person in exported.others:
            assert number.encode() not in data, (name, number)
            assert person.encode() not in data, (name, person)


def test_the_package_holds_the_story_as_the_services_logged_it(folder: Path) -> None:
    contents = json.loads((folder / "package.json").read_bytes())
    kinds = {entry["kind"] for entry in contents["entries"]}

    # 王芳's case, each step logged by the service that made it, in its own transaction.
    assert {
        "employee.onboarded",
        "enrolment.confirmed",
        "leave.requested",
        "leave.approved",
        "employee.resigned",
        "payroll.payslip",
        "arrears.posted",
        "alert.raised",
        "notice.created",
        "notice.sent",
        "notice.opened",
        "alert.changed",
        "letter.issued",
        "letter.dispatched",
    } <= kinds
