"""RFC 3161 timestamps of checkpoints from a local authority run with ``openssl ts -reply``."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.evidence.logs import at, make_log, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.rfc3161 import Authority, TsaServer, make_authority
from tests.evidence.tamper import tamper

from renshi.evidence import verify
from renshi.evidence.errors import (
    TimestampConfigError,
    TimestampInvalidError,
    TimestampRequestError,
)
from renshi.evidence.models import EvidenceTimestamp
from renshi.evidence.selectors import evidence_checkpoint_bundle
from renshi.evidence.services import (
    evidence_checkpoint_create,
    evidence_checkpoint_timestamp,
    evidence_tick,
)
from renshi.evidence.tsa import timestamp_verify
from renshi.evidence.verify import evidence_log_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa"))


@pytest.fixture(scope="module")
def server(authority: Authority) -> Iterator[TsaServer]:
    with TsaServer(authority) as running:
        yield running


@pytest.fixture
def tsa(
    server: TsaServer, authority: Authority, settings: pytest.FixtureRequest
) -> Iterator[TsaServer]:
    server.mode = "tsa"
    settings.RENSHI_TSA_URL = server.url  # type: ignore[attr-defined]
    settings.RENSHI_TSA_CA_FILE = str(authority.ca_file)  # type: ignore[attr-defined]
    yield server
    server.mode = "tsa"


def test_a_checkpoint_gets_a_token_that_openssl_verifies(
    tsa: TsaServer, authority: Authority, tmp_path: Path
) -> None:
    make_log(3)
    checkpoint = evidence_checkpoint_create(now=at(10))

    stamp = evidence_checkpoint_timestamp(checkpoint=checkpoint)

    bundle = evidence_checkpoint_bundle(checkpoint=checkpoint)
    (tmp_path / "checkpoint.txt").write_bytes(bundle.message)
    (tmp_path / "checkpoint.tst").write_bytes(bundle.timestamps[0].token)
    result = subprocess.run(
        [
            "openssl", "ts", "-verify", "-in", "checkpoint.tst", "-token_in",
            "-data", "checkpoint.txt", "-CAfile", str(authority.ca_file),
        ],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout, result.stderr
    assert stamp.tsa_url == tsa.url
    report = evidence_log_verify()
    assert report.is_intact
    assert report.timestamps == 1


def test_a_token_over_other_data_is_rejected(tsa: TsaServer, authority: Authority) -> None:
    make_log(1)
    stamp = evidence_checkpoint_timestamp(checkpoint=evidence_checkpoint_create(now=at(10)))

    with pytest.raises(TimestampInvalidError) as rejected:
        timestamp_verify(
            token=bytes(stamp.token), data=b"another checkpoint\n", ca_file=str(authority.ca_file)
        )

    assert "imprint mismatch" in rejected.value.params["reason"]


def test_a_token_moved_to_another_checkpoint_fails_verification(tsa: TsaServer) -> None:
    make_log(1)
    first = evidence_checkpoint_create(now=at(10))
    evidence_checkpoint_timestamp(checkpoint=first)
    make_log(1, minute=20)
    second = evidence_checkpoint_create(now=at(30))
    evidence_checkpoint_timestamp(checkpoint=second)

    tamper("UPDATE evidence_timestamp SET checkpoint_id = %s WHERE checkpoint_id = %s",
           [second.pk, first.pk])  # fmt: skip
    report = evidence_log_verify()

    assert [p.message.template for p in report.problems] == [verify.TIMESTAMP_INVALID]


def test_a_token_signed_with_a_certificate_without_the_timestamping_usage_is_rejected(
    authority: Authority,
) -> None:
    data = b"origin\n1\nAAAA\n2025-11-07T01:00:00Z\n"
    imprint = hashlib.sha256(data).digest()
    ca_file = str(authority.ca_file)
    genuine = authority.token(imprint=imprint, nonce=None, signer="tsa")
    forged = authority.token(imprint=imprint, nonce=None, signer="server")

    timestamp_verify(token=genuine, data=data, ca_file=ca_file)  # the same assembly, TSA-signed
    with pytest.raises(TimestampInvalidError) as rejected:
        timestamp_verify(token=forged, data=data, ca_file=ca_file)

    assert "unsuitable certificate purpose" in rejected.value.params["reason"]


def test_an_authority_answering_with_such_a_token_is_refused_and_nothing_kept(
    tsa: TsaServer,
) -> None:
    make_log(1)
    checkpoint = evidence_checkpoint_create(now=at(10))
    tsa.mode = "server"

    with pytest.raises(TimestampRequestError) as refused:
        evidence_checkpoint_timestamp(checkpoint=checkpoint)

    assert "unsuitable certificate purpose" in refused.value.params["reason"]
    assert EvidenceTimestamp.objects.count() == 0


def test_the_tick_timestamps_its_checkpoint_and_retries_when_the_authority_was_down(
    tsa: TsaServer, settings: pytest.FixtureRequest
) -> None:
    make_log(2)
    settings.RENSHI_TSA_URL = "http://127.0.0.1:9/tsa"  # type: ignore[attr-defined]

    down = evidence_tick(now=at(100))
    settings.RENSHI_TSA_URL = tsa.url  # type: ignore[attr-defined]
    retried = evidence_tick(now=at(101))
    nothing_left = evidence_tick(now=at(102))

    assert down.checkpoint is not None
    assert not down.timestamped
    assert down.timestamp_error
    assert retried.checkpoint is None
    assert retried.timestamped
    assert not nothing_left.timestamped
    assert EvidenceTimestamp.objects.get().checkpoint == down.checkpoint


def test_timestamps_need_the_authoritys_ca_certificates(
    tsa: TsaServer, settings: pytest.FixtureRequest
) -> None:
    make_log(1)
    settings.RENSHI_TSA_CA_FILE = ""  # type: ignore[attr-defined]

    with pytest.raises(TimestampConfigError):
        evidence_checkpoint_timestamp(checkpoint=evidence_checkpoint_create(now=at(10)))
