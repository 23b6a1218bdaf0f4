"""``renshi evidence ...`` run in this process against the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from tests.evidence.logs import at, make_signed_log, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.tamper import tamper

from renshi import cli
from renshi.evidence.models import EvidenceCheckpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]


@pytest.fixture(autouse=True)
def language_restored() -> Iterator[None]:
    """The language ``cli.main`` activates, put back afterwards."""
    language = translation.get_language()
    yield
    translation.activate(language)


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_reports_an_intact_log(capsys: pytest.CaptureFixture[str]) -> None:
    make_signed_log(6)

    code, out, _ = run("evidence", "verify", capsys=capsys)

    assert code == 0
    assert out.startswith("The evidence log verifies: 6 entries, 2 checkpoints")


def test_verify_exits_1_with_one_line_naming_the_first_bad_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_signed_log(6)
    tamper("DELETE FROM evidence_entry WHERE log_index = 4")

    code, _, err = run("evidence", "verify", capsys=capsys)

    assert code == 1
    assert err.splitlines()[0] == (
        "error: entry 4 is missing: the log goes from entry 3 to entry 5"
    )


def test_verify_in_json_lists_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    make_signed_log(6)
    tamper("UPDATE evidence_entry SET canonical = %s WHERE log_index = 2", [b"{}"])

    code, out, _ = run("evidence", "verify", "--json", capsys=capsys)

    report = json.loads(out)
    assert code == 1
    assert (report["is_intact"], report["first_bad_index"], report["size"]) == (False, 2, 6)
    assert report["problems"][0]["index"] == 2


def test_checkpoint_signs_now_and_refuses_a_time_before_the_last(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_signed_log(2)  # with checkpoints at minutes 1000 and 2000

    code, out, _ = run("evidence", "checkpoint", "--now", at(3000).isoformat(), "--json",
                       capsys=capsys)  # fmt: skip
    refused, _, err = run("evidence", "checkpoint", "--now", at(0).isoformat(), capsys=capsys)

    data = json.loads(out)
    assert code == 0
    assert (data["size"], data["is_development_key"], data["timestamps"]) == (2, False, 0)
    assert data["message"].startswith("test.renshi.example/evidence\n2\n")
    assert refused == 2
    assert err.startswith("error: --now: the last checkpoint was signed at")
    assert EvidenceCheckpoint.objects.count() == 3


def test_keygen_writes_a_key_and_prints_its_public_half(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run("evidence", "keygen", "--out", str(tmp_path / "k.pem"), capsys=capsys)
    again, _, refused = run("evidence", "keygen", "--out", str(tmp_path / "k.pem"), capsys=capsys)

    assert code == 0
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
    assert "RENSHI_EVIDENCE_KEY=" in err
    assert again == 2
    assert "is never overwritten" in refused


def test_public_key_prints_the_key_that_checks_checkpoints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run("evidence", "public-key", capsys=capsys)

    assert code == 0
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
