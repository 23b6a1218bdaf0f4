"""Evidence logs for tests: a signing key, a few entries with attachments, a checkpoint."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.factories import make_company, make_employee

from renshi.evidence.keys import signing_key_generate
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.services import evidence_append, evidence_checkpoint_create

START = datetime.datetime(2025, 11, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(minutes: int) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def signing_key_file(tmp_path_factory: pytest.TempPathFactory, settings: object) -> Path:
    """A key of the test's own, configured as RENSHI_EVIDENCE_KEY (not the development key)."""
    path = tmp_path_factory.mktemp("evidence-key") / "signing.pem"
    signing_key_generate(path=path)
    settings.RENSHI_EVIDENCE_KEY = str(path)  # type: ignore[attr-defined]
    settings.RENSHI_EVIDENCE_TRUSTED_KEYS = []  # type: ignore[attr-defined]
    settings.RENSHI_EVIDENCE_ORIGIN = "test.renshi.example/evidence"  # type: ignore[attr-defined]
    settings.RENSHI_TSA_URL = ""  # type: ignore[attr-defined]
    return path


def make_log(count: int, *, minute: int = 0) -> list[EvidenceEntry]:
    """``count`` entries of one company, one per minute from ``minute``: payslips, every third
    with a notice's bytes attached (the same notice twice, to share a blob)."""
    company = make_company()
    employee = make_employee(company)
    entries = []
    for number in range(count):
        blobs = {}
        if number % 3 == 0:
            blobs["notice.html"] = f"<p>通知 {number // 6}</p>".encode()
        entries.append(
            evidence_append(
                kind="payroll.approved",
                company=company,
                employee=employee if number % 2 else None,
                data={"month": "2025-10", "net": Decimal("1500.00") + number, "line": number},
                blobs=blobs,
                at=at(minute + number),
            )
        )
    return entries


def make_signed_log(count: int) -> list[EvidenceEntry]:
    """``count`` entries with checkpoints after the first half and after all of them."""
    half = count // 2
    entries = make_log(half)
    evidence_checkpoint_create(now=at(1000))
    entries += make_log(count - half, minute=half)
    evidence_checkpoint_create(now=at(2000))
    return entries
