"""One employee's case package: what it holds, what it leaves out, that it verifies, and the
record of its export; from the service and from ``renshi evidence export``."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from tests.evidence.logs import at, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.packages import LETTER, NOTICE, RECEIPT, CaseLog, make_case_log, unzip
from tests.evidence.tamper import tamper
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_user,
)
from tests.notices.servers import free_port

from renshi import cli
from renshi.access.models import Role
from renshi.evidence.errors import TimestampRequestError
from renshi.evidence.models import EvidenceCheckpoint, EvidenceEntry
from renshi.evidence.package import (
    EXPORTED_KIND,
    EmployeeAmbiguousError,
    EmployeeUnknownError,
    LogDoesNotVerifyError,
    NothingToExportError,
    evidence_package_build,
    evidence_package_employee,
    evidence_package_files,
    package_zip,
    verify_script,
)
from renshi.evidence.package_files.verify import check_package
from renshi.evidence.selectors import evidence_entry_document
from renshi.evidence.services import evidence_append, evidence_checkpoint_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]
CASE_INDEXES = [0, 3, 5, 6, 7]  # HX0001's entries in make_case_log's log of 8


@pytest.fixture
def case() -> CaseLog:
    return make_case_log()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_package_holds_the_employees_entries_attachments_and_a_proof_of_each(case):
    package = evidence_package_build(employee=case.employee, now=at(60))

    files = unzip(package.data)
    entries = {name: data for name, data in files.items() if name.startswith("entries/")}
    assert sorted(entries) == [f"entries/{index:06d}.json" for index in CASE_INDEXES]
    for index in CASE_INDEXES:
        stored = EvidenceEntry.objects.get(index=index)
        assert files[f"entries/{index:06d}.json"] == bytes(stored.canonical)
        proof = json.loads(files[f"proofs/{index:06d}.json"])
        assert proof["leaf_hash"] == bytes(stored.leaf_hash).hex()
        assert proof["tree_size"] == 8
    assert sorted(name for name in files if name.startswith("blobs/")) == sorted(
        [f"blobs/{_sha256(LETTER)}.pdf", f"blobs/{_sha256(RECEIPT)}.jpg",
         f"blobs/{_sha256(NOTICE)}.eml"]
    )  # fmt: skip
    assert files[f"blobs/{_sha256(LETTER)}.pdf"] == LETTER
    assert {"README.txt", "SHA256SUMS", "package.json", "timeline.pdf", "verify.py"} <= set(files)
    assert files["verify.py"] == verify_script()
    assert len(files["checkpoint/checkpoint.sig"]) == 64
    assert files["checkpoint/public_key.pem"].startswith(b"-----BEGIN PUBLIC KEY-----")
    assert not any(name.endswith(".tst") for name in files)  # no authority configured
    assert package.entry_count == 5
    assert package.checkpoint.size == 8
    assert package.filename == "HX0001-evidence-2025-11-07.zip"
    assert package.sha256 == _sha256(package.data)


def test_sha256sums_lists_every_other_file_as_sha256sum_writes_it(case):
    files = unzip(evidence_package_build(employee=case.employee, now=at(60)).data)

    lines = files["SHA256SUMS"].decode().splitlines()
    listed = {line[66:]: line[:64] for line in lines}
    assert set(listed) == set(files) - {"SHA256SUMS"}
    assert all(line[64:66] == "  " for line in lines)
    assert all(_sha256(files[name]) == digest for name, digest in listed.items())


def test_the_package_verifies_with_its_own_script(case):
    files = unzip(evidence_package_build(employee=case.employee, now=at(60)).data)

    report = check_package(files)

    assert report.is_valid, report.text()
    assert "全部 5 个条目属于同一名员工：HX0001 王芳" in report.text()


def test_nothing_about_another_employee_is_in_the_package(case):
    files = unzip(evidence_package_build(employee=case.employee, now=at(60)).data)

    for name, data in files.items():
        for other in (b"HX0002", "李明".encode(), b"Li Ming", b"8120.55"):
            assert other not in data, (name, other)
    manifest = json.loads(files["package.json"])
    assert manifest["employee"] == {"id": case.employee.pk, "number": "HX0001", "name": "王芳"}
    if shutil.which("pdftotext"):
        text = _pdf_text(files["timeline.pdf"])
        assert "李明" not in text
        assert "HX0002" not in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_timeline_shows_each_entry_in_chinese_in_log_order(case):
    files = unzip(evidence_package_build(employee=case.employee, now=at(60)).data)

    text = _pdf_text(files["timeline.pdf"])

    assert "华夏精密制造有限公司" in text
    assert "HX0001 王芳" in text
    # Kinds by their Chinese names, in log order; a kind no label knows, under its own name.
    kinds = ["工资单", "通知发出", "出具催缴函", "催缴函寄出", "case.note_added"]
    positions = [text.index(kind) for kind in kinds]
    assert positions == sorted(positions)
    assert "快递单号" in text
    assert "EMS1234567890CN" in text
    assert "3500.00" in text
    assert "电话联系未接通" in text
    assert "09:06:00" in text  # the letter's dispatch, in China's time (09:00 + 6 minutes)
    assert bytes(EvidenceEntry.objects.get(index=6).leaf_hash).hex()[:32] in text.replace(" ", "")
    assert "sha256sum -c SHA256SUMS" in text


def test_the_readme_gives_the_commands_to_check_the_package(case):
    files = unzip(evidence_package_build(employee=case.employee, now=at(60)).data)

    readme = files["README.txt"].decode()

    assert "sha256sum -c SHA256SUMS" in readme
    assert (
        "openssl pkeyutl -verify -pubin -inkey checkpoint/public_key.pem -rawin "
        "-in checkpoint/checkpoint.txt -sigfile checkpoint/checkpoint.sig"
    ) in readme
    assert "python3 verify.py" in readme
    assert "【中文】" in readme
    assert "【English】" in readme
    assert json.loads(files["package.json"])["checkpoint"]["key_fingerprint"] in readme


def test_the_same_log_gives_the_same_bytes(case):
    checkpoint = evidence_checkpoint_create(now=at(60))

    first = package_zip(evidence_package_files(employee=case.employee, checkpoint=checkpoint))
    second = package_zip(evidence_package_files(employee=case.employee, checkpoint=checkpoint))

    assert first == second


def test_the_latest_checkpoint_is_used_when_it_covers_every_entry_of_the_employee(case):
    checkpoint = evidence_checkpoint_create(now=at(30))
    evidence_append(kind="notice.sent", company=case.company, employee=case.other, data={})

    package = evidence_package_build(employee=case.employee, now=at(60))

    assert package.checkpoint == checkpoint
    assert EvidenceCheckpoint.objects.count() == 1


def test_a_new_checkpoint_is_signed_when_the_latest_leaves_out_an_entry_of_the_employee(case):
    evidence_checkpoint_create(now=at(30))
    evidence_append(kind="notice.opened", company=case.company, employee=case.employee, data={})

    package = evidence_package_build(employee=case.employee, now=at(60))

    assert package.checkpoint.size == 9
    assert "entries/000008.json" in unzip(package.data)
    assert EvidenceCheckpoint.objects.count() == 2


def test_an_authority_that_does_not_answer_leaves_a_package_without_a_timestamp(
    case, settings, tmp_path
):
    settings.RENSHI_TSA_URL = f"http://127.0.0.1:{free_port()}/tsa"  # nothing listens there
    settings.RENSHI_TSA_CA_FILE = str(tmp_path / "ca.pem")

    package = evidence_package_build(employee=case.employee, now=at(60))

    assert package.timestamp_error.template == TimestampRequestError.template
    assert package.timestamp_error.params["url"] == settings.RENSHI_TSA_URL
    files = unzip(package.data)
    assert not any(name.endswith((".tst", "tsa-ca.pem")) for name in files)
    assert check_package(files).is_valid


def test_the_export_is_recorded_in_the_log_and_shows_in_the_next_package(case):
    hr = make_user("hr")
    grant_role(hr, case.company, Role.HR)

    package = evidence_package_build(employee=case.employee, actor=hr, now=at(60))

    exported = EvidenceEntry.objects.get(kind=EXPORTED_KIND)
    document = evidence_entry_document(exported)
    files = unzip(package.data)
    assert document["employee"] == case.employee.pk
    assert document["data"] == {
        "actor": "hr",
        "checkpoint_size": 8,
        "entries": 5,
        "sums_sha256": _sha256(files["SHA256SUMS"]),
        "package_sha256": package.sha256,
    }
    assert f"entries/{exported.index:06d}.json" not in files
    later = evidence_package_build(employee=case.employee, now=at(61))
    assert f"entries/{exported.index:06d}.json" in unzip(later.data)
    assert later.checkpoint.size == 9


def test_the_service_writes_the_file_it_records(case, tmp_path: Path):
    out = tmp_path / "case.zip"

    package = evidence_package_build(employee=case.employee, now=at(60), out=out)

    assert out.read_bytes() == package.data
    assert [path.name for path in tmp_path.iterdir()] == ["case.zip"]


def test_those_without_the_case_permission_are_refused_and_nothing_is_recorded(case):
    case.employee.user = make_user("wangfang")
    case.employee.department = make_department(case.company)
    case.employee.save(update_fields=["user", "department"])
    manager = make_user("manager")  # of her department: leave, not arrears
    grant_role(manager, case.company, Role.MANAGER, department=case.employee.department)

    for actor in (make_user("nobody"), case.employee.user, manager):
        with pytest.raises(PermissionDenied):
            evidence_package_build(employee=case.employee, actor=actor, now=at(60))

    assert not EvidenceEntry.objects.filter(kind=EXPORTED_KIND).exists()
    assert not EvidenceCheckpoint.objects.exists()


def test_an_auditor_may_export(case):
    auditor = make_user("auditor")
    grant_role(auditor, case.company, Role.AUDITOR)

    package = evidence_package_build(employee=case.employee, actor=auditor, now=at(60))

    assert package.entry_count == 5


def test_an_employee_the_log_says_nothing_about_has_nothing_to_export(case):
    newcomer = make_employee(case.company, number="HX0009", name="新人")

    with pytest.raises(NothingToExportError) as refused:
        evidence_package_build(employee=newcomer, now=at(60))

    assert refused.value.params == {"field": "employee", "value": "HX0009"}
    assert not EvidenceCheckpoint.objects.exists()


def test_a_log_that_does_not_verify_yields_no_package(case):
    evidence_checkpoint_create(now=at(30))
    changed = bytes(EvidenceEntry.objects.get(index=5).canonical).replace(b"3500.00", b"5300.00")
    tamper("UPDATE evidence_entry SET canonical = %s WHERE log_index = 5", [changed])

    with pytest.raises(LogDoesNotVerifyError) as refused:
        evidence_package_build(employee=case.employee, now=at(60))

    assert refused.value.params["index"] == 5
    assert not EvidenceEntry.objects.filter(kind=EXPORTED_KIND).exists()


def test_an_employee_number_is_found_in_its_company_and_one_that_several_use_is_refused(case):
    make_employee(make_company(code="beta"), number="HX0001", name="赵六")

    with pytest.raises(EmployeeAmbiguousError) as ambiguous:
        evidence_package_employee(number="HX0001")
    with pytest.raises(EmployeeUnknownError):
        evidence_package_employee(number="HX9999")
    with pytest.raises(EmployeeUnknownError):
        evidence_package_employee(number="HX0002", company_code="beta")

    assert ambiguous.value.params["companies"] == "acme, beta"
    assert evidence_package_employee(number="HX0001", company_code="acme") == case.employee


# --- renshi evidence export -------------------------------------------------------------------


@pytest.fixture
def language_restored() -> Iterator[None]:
    """The language ``cli.main`` activates, put back afterwards."""
    language = translation.get_language()
    yield
    translation.activate(language)


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("language_restored")
def test_renshi_evidence_export_writes_the_zip_and_says_what_it_holds(case, tmp_path, capsys):
    out = tmp_path / "case.zip"

    code, printed, _ = run(
        "evidence", "export", "--employee", "HX0001", "--out", str(out), "--json", capsys=capsys
    )

    assert code == 0
    data = json.loads(printed)
    assert data["entries"] == 5
    assert data["checkpoint_size"] == 8
    assert data["employee"] == "HX0001"
    assert data["company"] == "acme"
    assert data["sha256"] == _sha256(out.read_bytes())
    assert check_package(unzip(out.read_bytes())).is_valid


@pytest.mark.usefixtures("language_restored")
def test_renshi_evidence_export_prints_the_path_count_checkpoint_and_hash(case, tmp_path, capsys):
    out = tmp_path / "case.zip"

    code, printed, _ = run(
        "evidence", "export", "--employee", "HX0001", "--out", str(out), capsys=capsys
    )

    assert code == 0
    assert printed.startswith(f"Evidence package written to {out}: 5 entries of HX0001, ")
    assert "a checkpoint of 8 entries" in printed
    assert _sha256(out.read_bytes()) in printed


@pytest.mark.usefixtures("language_restored")
def test_renshi_evidence_export_refuses_a_number_several_companies_use(case, tmp_path, capsys):
    make_employee(make_company(code="beta"), number="HX0001", name="赵六")
    out = tmp_path / "case.zip"

    code, _, err = run(
        "evidence", "export", "--employee", "HX0001", "--out", str(out), capsys=capsys
    )
    named, _, _ = run(
        "evidence", "export", "--employee", "HX0001", "--company", "acme", "--out", str(out),
        capsys=capsys,
    )  # fmt: skip

    assert code == 2
    assert err == (
        "error: --employee: the employee number HX0001 is used in several companies "
        "(acme, beta); name the company (--company)\n"
    )
    assert named == 0
    assert out.exists()
