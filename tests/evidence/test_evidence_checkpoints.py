"""Signed checkpoints: checkable with openssl alone, only ever moving forward, made on schedule."""

from __future__ import annotations

import datetime
import logging
import subprocess
from pathlib import Path

import pytest
from tests.evidence.logs import at, make_log, signing_key_file  # noqa: F401 - a fixture

from renshi.core.merkle import root_from_leaf_hashes
from renshi.evidence import keys
from renshi.evidence.checkpoint_text import parse_checkpoint_text
from renshi.evidence.errors import (
    CheckpointSizeDecreasesError,
    CheckpointTimeError,
    KeyFileExistsError,
)
from renshi.evidence.models import EvidenceCheckpoint, EvidenceEntry, EvidenceLogState
from renshi.evidence.selectors import evidence_checkpoint_bundle
from renshi.evidence.services import evidence_checkpoint_create, evidence_tick

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]


def _openssl_verify(folder: Path, message: bytes, signature: bytes, public_pem: bytes) -> str:
    (folder / "checkpoint.txt").write_bytes(message)
    (folder / "checkpoint.sig").write_bytes(signature)
    (folder / "evidence-public.pem").write_bytes(public_pem)
    result = subprocess.run(
        [
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "evidence-public.pem",
            "-rawin", "-in", "checkpoint.txt", "-sigfile", "checkpoint.sig",
        ],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stdout + result.stderr


def test_a_checkpoint_verifies_with_the_openssl_command_of_the_docs(tmp_path: Path) -> None:
    make_log(5)
    checkpoint = evidence_checkpoint_create(now=at(10))

    bundle = evidence_checkpoint_bundle(checkpoint=checkpoint)
    output = _openssl_verify(tmp_path, bundle.message, bundle.signature, bundle.public_key_pem)

    assert "Signature Verified Successfully" in output
    leaves = [bytes(h) for h in EvidenceEntry.objects.values_list("leaf_hash", flat=True)]
    text = parse_checkpoint_text(bundle.message)
    assert (text.origin, text.size, text.root) == (
        "test.renshi.example/evidence",
        5,
        root_from_leaf_hashes(leaves),
    )
    assert bundle.message.endswith(b"\n2025-11-07T01:10:00Z\n")


def test_openssl_rejects_a_checkpoint_whose_text_was_changed(tmp_path: Path) -> None:
    make_log(2)
    bundle = evidence_checkpoint_bundle(checkpoint=evidence_checkpoint_create(now=at(10)))

    forged = bundle.message.replace(b"\n2\n", b"\n3\n")
    output = _openssl_verify(tmp_path, forged, bundle.signature, bundle.public_key_pem)

    assert "Signature Verification Failure" in output


def test_a_checkpoint_must_be_later_than_the_last_one() -> None:
    make_log(1)
    evidence_checkpoint_create(now=at(10))

    with pytest.raises(CheckpointTimeError):
        evidence_checkpoint_create(now=at(10) + datetime.timedelta(milliseconds=500))
    with pytest.raises(CheckpointTimeError):
        evidence_checkpoint_create(now=at(9))
    assert evidence_checkpoint_create(now=at(11)).size == 1


def test_no_checkpoint_is_signed_over_a_log_smaller_than_the_last_checkpoint() -> None:
    make_log(3)
    evidence_checkpoint_create(now=at(10))
    # The state row was tampered with: a smaller log, with a frontier such a log could have.
    EvidenceLogState.objects.update(size=2, frontier=bytes(32))

    with pytest.raises(CheckpointSizeDecreasesError):
        evidence_checkpoint_create(now=at(11))


def test_the_tick_signs_when_the_log_has_grown_and_the_last_checkpoint_is_old(
    settings: pytest.FixtureRequest,
) -> None:
    settings.RENSHI_EVIDENCE_CHECKPOINT_SECONDS = 3600  # type: ignore[attr-defined]
    assert evidence_tick(now=at(0)).checkpoint is None  # an empty log: nothing to sign

    make_log(2)
    first = evidence_tick(now=at(5)).checkpoint
    make_log(1, minute=6)
    too_soon = evidence_tick(now=at(30)).checkpoint
    later = evidence_tick(now=at(65)).checkpoint
    unchanged = evidence_tick(now=at(200)).checkpoint

    assert first is not None
    assert first.size == 2
    assert too_soon is None
    assert later is not None
    assert later.size == 3
    assert unchanged is None
    assert EvidenceCheckpoint.objects.count() == 2


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(
    tmp_path: Path,
) -> None:
    path = tmp_path / "key.pem"

    keys.signing_key_generate(path=path)

    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(KeyFileExistsError):
        keys.signing_key_generate(path=path)


def test_without_a_configured_key_a_development_key_is_made_with_a_warning(
    settings: pytest.FixtureRequest, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RENSHI_EVIDENCE_KEY = ""  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]

    with caplog.at_level(logging.WARNING, logger="renshi.evidence.keys"):
        first = keys.signing_key()
    second = keys.signing_key()

    assert first.is_development
    assert first.path == tmp_path / "evidence" / keys.DEVELOPMENT_KEY_NAME
    assert first.public_raw == second.public_raw
    assert "proves nothing" in caplog.text


def test_checkpoints_of_an_earlier_key_verify_once_it_is_trusted(
    settings: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from renshi.evidence.verify import evidence_log_verify

    make_log(2)
    old = evidence_checkpoint_create(now=at(10))
    new_key = tmp_path / "new.pem"
    keys.signing_key_generate(path=new_key)
    (tmp_path / "old-public.pem").write_bytes(keys.public_pem(bytes(old.public_key)))
    settings.RENSHI_EVIDENCE_KEY = str(new_key)  # type: ignore[attr-defined]

    untrusted = evidence_log_verify()
    settings.RENSHI_EVIDENCE_TRUSTED_KEYS = [str(tmp_path / "old-public.pem")]  # type: ignore[attr-defined]  # noqa: E501
    trusted = evidence_log_verify()

    assert not untrusted.is_intact
    assert "neither the signing key" in untrusted.problems[0].message.template
    assert trusted.is_intact


def test_the_beat_schedules_tick_signs_a_checkpoint_of_the_grown_log(
    settings: pytest.FixtureRequest,
) -> None:
    from renshi.alerts.tasks import tick
    from renshi.evidence.selectors import evidence_log_size

    make_log(2)
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]

    result = tick.apply().get()

    # The tick's warnings are logged first; the checkpoint covers them too.
    assert [entry["task"] for entry in schedule.values()] == [tick.name]
    assert result["checkpoint"] == evidence_log_size() >= 2
