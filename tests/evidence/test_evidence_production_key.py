"""Production refuses to start without its own evidence signing key: a development key made
beside the database would sign checkpoints that prove nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_production_refuses_to_start_without_an_evidence_key(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "RENSHI_EVIDENCE_KEY"}
    environment.update(
        DJANGO_SETTINGS_MODULE="renshi.config.settings.prod",
        RENSHI_SECRET_KEY="not-empty",
        RENSHI_ALLOWED_HOSTS="hr.example.com",
        RENSHI_ENCRYPTION_KEYS="k1:" + "A" * 43,
        RENSHI_LOOKUP_KEY="a-real-lookup-key",
        RENSHI_DATA_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "RENSHI_EVIDENCE_KEY must name the evidence signing key" in result.stderr
