"""The case package: one employee's evidence as a ZIP that a lawyer or an arbitrator checks
offline with ``sha256sum``, ``openssl`` and the ``verify.py`` inside it.

Layout (``README.txt`` in the package explains it in Chinese and English)::

    README.txt  SHA256SUMS  package.json  timeline.pdf  verify.py
    entries/000123.json        the entry's exact canonical bytes
    blobs/<sha256>.pdf         each attachment once, named by its SHA-256 (and its extension)
    proofs/000123.json         the entry's inclusion proof against the checkpoint, in hex
    checkpoint/checkpoint.txt  the signed text; checkpoint.sig (raw Ed25519), public_key.pem,
                               checkpoint.tst (RFC 3161 tokens, if any), tsa-ca.pem (if known)

Only entries whose ``employee`` is the employee are included, so nothing of anyone else is in
the package beyond the hashes in the proofs. The checkpoint is the latest if it covers them all,
else a new one (timestamped when an authority is configured). Before anything is handed out the
package is checked as its recipient will check it: each entry's bytes against its leaf hash and
proof, each attachment against its hash, the signature against the key; a log that does not
verify yields no package. The same log gives the same bytes: members are sorted, their times
are the checkpoint's, the PDF's dates too.

Exporting is recorded: an ``evidence.exported`` entry about the employee, holding the SHA-256
of the package's ``SHA256SUMS``, so a later checkpoint proves what was handed out. It is
appended after the package is built and is therefore in the next package, not in this one.
"""

from __future__ import annotations

import base64
import datetime
import io
import logging
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from renshi import clock
from renshi.access.checks import Perm, recorded_user, require
from renshi.core.errors import Message
from renshi.core.i18n import gettext_noop
from renshi.core.merkle import ProofError, leaf_hash, verify_inclusion
from renshi.evidence.canonical import sha256_hex
from renshi.evidence.checkpoint_text import format_time
from renshi.evidence.errors import EvidenceError
from renshi.evidence.keys import signature_is_valid
from renshi.evidence.models import EvidenceBlob, EvidenceCheckpoint, EvidenceEntry
from renshi.evidence.package_files.verify import PROOF_ALGORITHM, pretty_json
from renshi.evidence.package_timeline import timeline_pdf, timeline_row
from renshi.evidence.selectors import (
    CheckpointBundle,
    evidence_checkpoint_bundle,
    evidence_checkpoint_latest,
    evidence_entries,
    evidence_entry_document,
    evidence_inclusion_proofs,
)
from renshi.evidence.services import (
    evidence_append,
    evidence_checkpoint_create,
    evidence_checkpoint_timestamp,
)
from renshi.people.models import Employee

if TYPE_CHECKING:
    from renshi.access.checks import Actor

logger = logging.getLogger(__name__)

FORMAT = "renshi-evidence-package"
VERSION = 1
EXPORTED_KIND = "evidence.exported"
README_TEMPLATE = "evidence/package_readme.txt"
SUMS = "SHA256SUMS"
MANIFEST = "package.json"
CHECKPOINT_TEXT = "checkpoint/checkpoint.txt"
CHECKPOINT_SIGNATURE = "checkpoint/checkpoint.sig"
PUBLIC_KEY = "checkpoint/public_key.pem"
TSA_CA = "checkpoint/tsa-ca.pem"
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")
_BLOB_QUERY_CHUNK = 500
# Regular files, rw-r--r--, as written on Unix: the same on every platform that builds them.
_MEMBER_MODE = 0o100644 << 16
_UNIX = 3


class PackageError(EvidenceError):
    """Base of the case package's refusals; nothing was exported."""


class EmployeeUnknownError(PackageError):
    template = gettext_noop("{field}: there is no employee numbered {value}{company}")


class EmployeeAmbiguousError(PackageError):
    template = gettext_noop(
        "{field}: the employee number {value} is used in several companies ({companies}); "
        "name the company (--company)"
    )


class NothingToExportError(PackageError):
    template = gettext_noop(
        "{field}: the evidence log has no entries about employee {value} yet; there is nothing "
        "to export"
    )


class LogDoesNotVerifyError(PackageError):
    template = gettext_noop(
        "{field}: entry {index} does not verify ({reason}); no package is made from a log that "
        "does not verify: run renshi evidence verify"
    )


@dataclass(frozen=True, slots=True)
class EvidencePackage:
    """A built package: the ZIP's bytes and what to say about it."""

    data: bytes
    filename: str
    employee: Employee
    entry_count: int
    checkpoint: EvidenceCheckpoint
    sha256: str
    sums_sha256: str
    timestamp_error: Message | None = None  # why the checkpoint has no timestamp, if it failed


@dataclass(frozen=True, slots=True)
class PackageFiles:
    """The package's files by path, before they are zipped, and its time (the checkpoint's)."""

    files: Mapping[str, bytes]
    moment: datetime.datetime
    entry_count: int


# --- Selectors ------------------------------------------------------------------------------


def evidence_package_employee(*, number: str, company_code: str = "") -> Employee:
    """The employee a package is asked for by number (``HX0003``), in the company named by its
    code when given; a number several companies use must be given with its company."""
    employees = Employee.objects.filter(number=number.strip()).select_related("company")
    if company_code.strip():
        employees = employees.filter(company__code=company_code.strip())
    found = list(employees.order_by("company__code"))
    if not found:
        company = f" ({company_code.strip()})" if company_code.strip() else ""
        raise EmployeeUnknownError(field="employee", value=number, company=company)
    if len(found) > 1:
        companies = ", ".join(employee.company.code for employee in found)
        raise EmployeeAmbiguousError(field="employee", value=number, companies=companies)
    return found[0]


def evidence_package_files(*, employee: Employee, checkpoint: EvidenceCheckpoint) -> PackageFiles:
    """Every file of the employee's package against ``checkpoint``, checked as the recipient
    will check them; ``LogDoesNotVerifyError`` when the log does not bear them out."""
    entries = list(
        evidence_entries(employee=employee).filter(index__lt=checkpoint.size).order_by("index")
    )
    if not entries:
        raise NothingToExportError(field="employee", value=employee.number)
    bundle = evidence_checkpoint_bundle(checkpoint=checkpoint)
    documents = {entry.index: evidence_entry_document(entry) for entry in entries}
    blobs = _blobs(documents.values())
    proofs = evidence_inclusion_proofs(
        indexes=[entry.index for entry in entries], tree_size=checkpoint.size
    )
    _require_verifies(entries, documents, blobs, proofs, checkpoint, bundle)

    files: dict[str, bytes] = {}
    blob_files = _blob_files(documents.values())
    for digest, name in blob_files.items():
        files[name] = blobs[digest]
    described = []
    rows = []
    for entry in entries:
        document = documents[entry.index]
        digest = bytes(entry.leaf_hash).hex()
        entry_file, proof_file = f"entries/{entry.index:06d}.json", f"proofs/{entry.index:06d}.json"
        files[entry_file] = bytes(entry.canonical)
        files[proof_file] = pretty_json(
            {
                "index": entry.index,
                "tree_size": checkpoint.size,
                "leaf_hash": digest,
                "audit_path": [node.hex() for node in proofs[entry.index]],
                "algorithm": PROOF_ALGORITHM,
            }
        )
        described.append(
            {
                "index": entry.index,
                "kind": document["kind"],
                "recorded_at": document["recorded_at"],
                "file": entry_file,
                "proof": proof_file,
                "leaf_hash": digest,
                "blobs": [
                    {"name": name, "sha256": sha, "file": blob_files[sha]}
                    for name, sha in sorted(document["blobs"].items())
                ],
            }
        )
        rows.append(timeline_row(document, leaf_hash=digest))

    tsa_ca = _tsa_ca_bytes() if bundle.timestamps else None
    header = _header(employee, bundle, has_tsa_ca=tsa_ca is not None)
    files.update(_checkpoint_files(bundle, tsa_ca))
    files[MANIFEST] = pretty_json(_manifest(employee, bundle, header, described))
    files["timeline.pdf"] = timeline_pdf(rows=rows, header=header)
    files["README.txt"] = render_to_string(
        README_TEMPLATE, {**header, "entry_count": len(entries)}
    ).encode()
    files["verify.py"] = verify_script()
    files[SUMS] = sha256sums(files)
    return PackageFiles(files=files, moment=checkpoint.signed_at, entry_count=len(entries))


def verify_script() -> bytes:
    """The package's own checker, as the file in ``package_files`` reads."""
    return resources.files("renshi.evidence.package_files").joinpath("verify.py").read_bytes()


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """``sha256sum`` lines for every file, sorted by path, as ``sha256sum -c`` reads them."""
    lines = [f"{sha256_hex(files[name])}  {name}\n" for name in sorted(files) if name != SUMS]
    return "".join(lines).encode()


def package_zip(package: PackageFiles) -> bytes:
    """The files as a ZIP whose bytes depend on the files only: sorted, one fixed time (the
    checkpoint's, in UTC), one mode."""
    moment = package.moment.astimezone(datetime.UTC)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(package.files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _MEMBER_MODE
            archive.writestr(info, package.files[name], compresslevel=9)
    return buffer.getvalue()


# --- The service ----------------------------------------------------------------------------


def evidence_package_build(
    *,
    employee: Employee,
    actor: Actor = None,
    now: datetime.datetime | None = None,
    out: Path | None = None,
) -> EvidencePackage:
    """Build the employee's package, write it to ``out`` if given, and record the export.

    For those who may see the employee's case (``Perm.ARREARS_VIEW`` company-wide). The file is
    written inside the transaction that records the export, so a failed write records nothing.
    """
    require(actor, Perm.ARREARS_VIEW, company=employee.company)
    moment = now or clock.now()
    checkpoint, timestamp_error = _checkpoint_covering(employee, moment)
    built = evidence_package_files(employee=employee, checkpoint=checkpoint)
    data = package_zip(built)
    sums_sha256 = sha256_hex(built.files[SUMS])
    package_sha256 = sha256_hex(data)
    user = recorded_user(actor)
    with transaction.atomic():
        evidence_append(
            kind=EXPORTED_KIND,
            company=employee.company,
            employee=employee,
            data={
                "actor": None if user is None else user.get_username(),
                "checkpoint_size": checkpoint.size,
                "entries": built.entry_count,
                "sums_sha256": sums_sha256,
                "package_sha256": package_sha256,
            },
            at=moment,
        )
        if out is not None:
            _write(out, data)
    return EvidencePackage(
        data=data,
        filename=f"{employee.number}-evidence-{timezone.localdate(moment).isoformat()}.zip",
        employee=employee,
        entry_count=built.entry_count,
        checkpoint=checkpoint,
        sha256=package_sha256,
        sums_sha256=sums_sha256,
        timestamp_error=timestamp_error,
    )


def _checkpoint_covering(
    employee: Employee, moment: datetime.datetime
) -> tuple[EvidenceCheckpoint, Message | None]:
    """The latest checkpoint if it covers every entry about the employee, else a new one; with
    a timestamp when an authority is configured (a failing authority is reported, not fatal:
    the package is still checkable without one)."""
    last = evidence_entries(employee=employee).order_by("-index").values_list("index", flat=True)
    last_index = last.first()
    if last_index is None:
        raise NothingToExportError(field="employee", value=employee.number)
    checkpoint = evidence_checkpoint_latest()
    if checkpoint is None or checkpoint.size <= last_index:
        checkpoint = evidence_checkpoint_create(now=moment)
    if not settings.RENSHI_TSA_URL or checkpoint.timestamps.exists():
        return checkpoint, None
    try:
        evidence_checkpoint_timestamp(checkpoint=checkpoint)
    except EvidenceError as error:
        logger.warning("evidence checkpoint %s not timestamped: %s", checkpoint.pk, error)
        return checkpoint, error.message
    return checkpoint, None


def _write(out: Path, data: bytes) -> None:
    """Write the whole file or nothing: into a temporary file beside it, then renamed."""
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


# --- Building the files ---------------------------------------------------------------------


def _blobs(documents: Any) -> dict[str, bytes]:
    hashes = sorted({sha for document in documents for sha in document["blobs"].values()})
    found: dict[str, bytes] = {}
    for start in range(0, len(hashes), _BLOB_QUERY_CHUNK):
        chunk = hashes[start : start + _BLOB_QUERY_CHUNK]
        for sha, data in EvidenceBlob.objects.filter(sha256__in=chunk).values_list(
            "sha256", "data"
        ):
            found[sha] = bytes(data)
    return found


def _blob_files(documents: Any) -> dict[str, str]:
    """Each attachment's file: ``blobs/<sha256>``, with the extension of the first name it is
    attached under (``.pdf``, ``.jpg``), so that it opens with a double click."""
    files: dict[str, str] = {}
    for document in documents:
        for name, sha in sorted(document["blobs"].items()):
            if sha not in files:
                extension = _EXTENSION.search(name)
                suffix = f".{extension.group(1).lower()}" if extension else ""
                files[sha] = f"blobs/{sha}{suffix}"
    return files


def _require_verifies(
    entries: Sequence[EvidenceEntry],
    documents: Mapping[int, Mapping[str, Any]],
    blobs: Mapping[str, bytes],
    proofs: Mapping[int, list[bytes]],
    checkpoint: EvidenceCheckpoint,
    bundle: CheckpointBundle,
) -> None:
    """What ``verify.py`` and openssl will check, checked before the package is handed out."""
    public_key = bytes(checkpoint.public_key)
    if not signature_is_valid(
        public_key=public_key, signature=bundle.signature, message=bundle.message
    ):
        raise LogDoesNotVerifyError(field="checkpoint", index="-", reason="signature")
    for entry in entries:
        document = documents[entry.index]
        digest = leaf_hash(bytes(entry.canonical))
        if digest != bytes(entry.leaf_hash) or document.get("index") != entry.index:
            raise LogDoesNotVerifyError(field="employee", index=entry.index, reason="leaf hash")
        if document.get("employee") != entry.employee_id:
            raise LogDoesNotVerifyError(field="employee", index=entry.index, reason="employee")
        try:
            verify_inclusion(
                entry.index, bundle.text.size, digest, proofs[entry.index], bundle.text.root
            )
        except ProofError:
            raise LogDoesNotVerifyError(
                field="employee", index=entry.index, reason="inclusion proof"
            ) from None
        for sha in document["blobs"].values():
            if sha not in blobs or sha256_hex(blobs[sha]) != sha:
                raise LogDoesNotVerifyError(
                    field="employee", index=entry.index, reason=f"attachment {sha}"
                )


def _header(employee: Employee, bundle: CheckpointBundle, *, has_tsa_ca: bool) -> dict[str, Any]:
    """What the README, the timeline and package.json say about whom and which checkpoint."""
    signed = bundle.text.time
    tokens = [
        {
            "file": _token_file(position),
            "tsa_url": token.tsa_url,
            "stamped_at": format_time(token.stamped_at),
        }
        for position, token in enumerate(bundle.timestamps)
    ]
    return {
        "company_id": employee.company_id,
        "company_code": employee.company.code,
        "company_name": employee.company.name,
        "employee_id": employee.pk,
        "employee_number": employee.number,
        "employee_name": employee.name,
        "origin": bundle.text.origin,
        "size": bundle.text.size,
        "root": base64.b64encode(bundle.text.root).decode(),
        "signed_utc": format_time(signed),
        "signed_local": timezone.localtime(signed).strftime("%Y-%m-%d %H:%M:%S"),
        "created": signed.astimezone(datetime.UTC).isoformat(),
        "fingerprint": bundle.key_fingerprint,
        "timestamps": tokens,
        "tsa_ca": TSA_CA if has_tsa_ca else "",
    }


def _token_file(position: int) -> str:
    return "checkpoint/checkpoint.tst" if position == 0 else f"checkpoint/checkpoint-{position}.tst"


def _tsa_ca_bytes() -> bytes | None:
    """The authority's CA certificates, if configured and readable."""
    configured = str(getattr(settings, "RENSHI_TSA_CA_FILE", "") or "").strip()
    if not configured:
        return None
    try:
        return Path(configured).expanduser().read_bytes()
    except OSError:
        logger.warning("RENSHI_TSA_CA_FILE %s cannot be read; not in the package", configured)
        return None


def _checkpoint_files(bundle: CheckpointBundle, tsa_ca: bytes | None) -> dict[str, bytes]:
    files = {
        CHECKPOINT_TEXT: bundle.message,
        CHECKPOINT_SIGNATURE: bundle.signature,
        PUBLIC_KEY: bundle.public_key_pem,
    }
    for position, token in enumerate(bundle.timestamps):
        files[_token_file(position)] = token.token
    if tsa_ca is not None:
        files[TSA_CA] = tsa_ca
    return files


def _manifest(
    employee: Employee,
    bundle: CheckpointBundle,
    header: Mapping[str, Any],
    entries: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "company": {
            "id": employee.company_id,
            "code": header["company_code"],
            "name": header["company_name"],
        },
        "employee": {"id": employee.pk, "number": employee.number, "name": employee.name},
        "checkpoint": {
            "origin": bundle.text.origin,
            "size": bundle.text.size,
            "root": header["root"],
            "time": header["signed_utc"],
            "key_fingerprint": bundle.key_fingerprint,
            "text": CHECKPOINT_TEXT,
            "signature": CHECKPOINT_SIGNATURE,
            "public_key": PUBLIC_KEY,
            "timestamps": header["timestamps"],
            "tsa_ca": header["tsa_ca"] or None,
        },
        "entries": entries,
    }
