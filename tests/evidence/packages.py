"""Case packages for tests: a log about two employees of one company, and a package's files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from tests.evidence.logs import at
from tests.factories import make_company, make_employee

from renshi.evidence.services import evidence_append
from renshi.people.models import Company, Employee

LETTER = b"%PDF-1.7 demand letter of HX0001"
RECEIPT = b"\xff\xd8\xff scanned EMS receipt"
NOTICE = "尊敬的王芳：公司为您垫付了社保个人部分 3500.00 元。".encode()


@dataclass(frozen=True)
class CaseLog:
    company: Company
    employee: Employee  # HX0001 王芳, whose case is exported
    other: Employee  # HX0002 李明, who must not appear in it


def make_case_log() -> CaseLog:
    """Entries about HX0001 (a payslip, a notice with its bytes, a letter and its posting, a kind
    no label knows) between entries about HX0002 and one about the company as a whole."""
    company = make_company(code="acme", name="华夏精密制造有限公司")
    employee = make_employee(company, number="HX0001", name="王芳")
    other = make_employee(company, number="HX0002", name="李明")
    records = [
        ("payroll.payslip", employee, {"month": "2025-08", "net": Decimal("0.00"),
                                       "employee": {"number": "HX0001", "name": "王芳"}}, {}),
        ("payroll.payslip", other, {"month": "2025-08", "net": Decimal("8120.55"),
                                    "employee": {"number": "HX0002", "name": "李明"}}, {}),
        ("payroll.approved", None, {"month": "2025-08", "payslips": 2}, {}),
        ("notice.sent", employee, {"channel": "email", "amount": Decimal("3500.00")},
         {"notice.eml": NOTICE}),
        ("notice.sent", other, {"channel": "email", "name": "李明"}, {"notice.eml": b"Li Ming"}),
        ("letter.issued", employee, {"number": "CJ-2025-001", "amount": Decimal("3500.00"),
                                     "deadline": "2025-09-22"}, {"letter.pdf": LETTER}),
        ("letter.dispatched", employee, {"carrier": "EMS", "tracking_number": "EMS1234567890CN",
                                         "actor": "hr"}, {"receipt.jpg": RECEIPT}),
        ("case.note_added", employee, {"note": "电话联系未接通", "is_copy": False}, {}),
    ]  # fmt: skip
    for minute, (kind, person, data, blobs) in enumerate(records):
        evidence_append(
            kind=kind, company=company, employee=person, data=data, blobs=blobs, at=at(minute)
        )
    return CaseLog(company=company, employee=employee, other=other)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
