"""Resident IDs and bank accounts at rest: AES-GCM under a key ring, and a stable lookup hash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from tests.factories import make_company, make_employee

from renshi.people import crypto
from renshi.people.crypto import DecryptionError, UnknownKeyError
from renshi.people.models import Employee
from renshi.people.selectors import decrypted_bank_account, decrypted_id_number
from renshi.people.services import people_keys_rotate

OLD = "old:" + "A" * 43  # 32 zero bytes, URL-safe base64 without padding
ID = "11010519491231002X"
PURPOSE = crypto.ID_NUMBER_PURPOSE


def test_a_value_decrypts_to_what_was_encrypted() -> None:
    token = crypto.encrypt(ID, purpose=PURPOSE)

    assert crypto.decrypt(token, purpose=PURPOSE) == ID
    assert ID not in token


def test_a_token_names_its_version_and_key_and_uses_a_fresh_nonce() -> None:
    first, second = crypto.encrypt(ID, purpose=PURPOSE), crypto.encrypt(ID, purpose=PURPOSE)

    version, kid, nonce, sealed = first.split(":")
    assert (version, kid) == ("v1", crypto.current_kid())
    assert len(crypto._b64decode(nonce)) == 12
    assert len(crypto._b64decode(sealed)) == len(ID) + 16  # the GCM tag
    assert first != second


def test_a_tampered_token_is_detected() -> None:
    token = crypto.encrypt(ID, purpose=PURPOSE)
    head, sealed = token.rsplit(":", 1)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]

    with pytest.raises(DecryptionError):
        crypto.decrypt(f"{head}:{flipped}", purpose=PURPOSE)


def test_a_token_moved_to_another_field_does_not_decrypt() -> None:
    token = crypto.encrypt(ID, purpose=crypto.ID_NUMBER_PURPOSE)

    with pytest.raises(DecryptionError):
        crypto.decrypt(token, purpose=crypto.BANK_ACCOUNT_PURPOSE)


def test_a_token_under_a_key_no_longer_in_the_ring_names_the_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RENSHI_ENCRYPTION_KEYS = OLD
    token = crypto.encrypt(ID, purpose=PURPOSE)
    settings.RENSHI_ENCRYPTION_KEYS = crypto.generate_key("new")

    with pytest.raises(UnknownKeyError) as caught:
        crypto.decrypt(token, purpose=PURPOSE)

    assert caught.value.params["kid"] == "old"


def test_the_first_key_encrypts_and_every_key_decrypts(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RENSHI_ENCRYPTION_KEYS = OLD
    old_token = crypto.encrypt(ID, purpose=PURPOSE)
    settings.RENSHI_ENCRYPTION_KEYS = f"{crypto.generate_key('new')},{OLD}"

    assert crypto.token_kid(crypto.encrypt(ID, purpose=PURPOSE)) == "new"
    assert crypto.decrypt(old_token, purpose=PURPOSE) == ID


@pytest.mark.parametrize(
    "ring",
    ["", "nokey", "k1:short", "bad id:" + "A" * 43, f"k1:{'A' * 43},k1:{'A' * 43}"],
)
def test_a_malformed_key_ring_is_a_configuration_error(settings, ring: str) -> None:  # type: ignore[no-untyped-def]
    settings.RENSHI_ENCRYPTION_KEYS = ring

    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt(ID, purpose=PURPOSE)


def test_a_generated_key_is_a_usable_ring_entry(settings) -> None:  # type: ignore[no-untyped-def]
    entry = crypto.generate_key("k2026")
    settings.RENSHI_ENCRYPTION_KEYS = entry

    assert entry.startswith("k2026:")
    assert crypto.decrypt(crypto.encrypt("x", purpose="p"), purpose="p") == "x"


def test_the_lookup_hash_is_a_keyed_hmac(settings) -> None:  # type: ignore[no-untyped-def]
    first = crypto.lookup_hash(ID)
    settings.RENSHI_LOOKUP_KEY = "another-lookup-key"

    assert len(first) == 64
    assert crypto.lookup_hash(ID) != first


@pytest.mark.django_db
def test_rotation_re_encrypts_old_key_values_which_still_decrypt(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RENSHI_ENCRYPTION_KEYS = OLD
    company = make_company()
    with_account = [make_employee(company) for _ in range(3)]
    without_account = make_employee(company, bank_account="")
    ids = {e.pk: decrypted_id_number(e) for e in [*with_account, without_account]}
    hashes = dict(Employee.objects.values_list("pk", "id_number_hash"))
    settings.RENSHI_ENCRYPTION_KEYS = f"{crypto.generate_key('new')},{OLD}"

    count = people_keys_rotate(batch_size=2)

    assert count == 3 + 3 + 1  # three accounts, four IDs
    for employee in Employee.objects.all():
        assert crypto.token_kid(employee.id_number_encrypted) == "new"
        assert decrypted_id_number(employee) == ids[employee.pk]
        assert employee.id_number_hash == hashes[employee.pk]
    assert {crypto.token_kid(e.bank_account_encrypted) for e in Employee.objects.all()} == {
        "new",
        "",
    }
    assert decrypted_bank_account(Employee.objects.get(pk=with_account[0].pk)) == (
        "6222020200112233445"
    )


@pytest.mark.django_db
def test_rotation_leaves_current_key_values_alone() -> None:
    company = make_company()
    employee = make_employee(company)
    before = employee.id_number_encrypted

    assert people_keys_rotate() == 0
    employee.refresh_from_db()
    assert employee.id_number_encrypted == before


@pytest.mark.django_db
def test_the_lookup_hash_does_not_change_when_keys_rotate(settings) -> None:  # type: ignore[no-untyped-def]
    before = crypto.lookup_hash(ID)
    settings.RENSHI_ENCRYPTION_KEYS = (
        f"{crypto.generate_key('new')},{settings.RENSHI_ENCRYPTION_KEYS}"
    )

    assert crypto.lookup_hash(ID) == before


@pytest.mark.parametrize(
    ("missing", "present"),
    [
        ("RENSHI_ENCRYPTION_KEYS", {"RENSHI_LOOKUP_KEY": "a-real-lookup-key"}),
        ("RENSHI_LOOKUP_KEY", {"RENSHI_ENCRYPTION_KEYS": "k1:" + "A" * 43}),
    ],
)
def test_production_refuses_to_start_without_its_keys(
    missing: str, present: dict[str, str], tmp_path: Path
) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("RENSHI_ENCRYPTION_KEYS", "RENSHI_LOOKUP_KEY")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="renshi.config.settings.prod",
        RENSHI_SECRET_KEY="not-empty",
        RENSHI_ALLOWED_HOSTS="hr.example.com",
        RENSHI_DATA_DIR=str(tmp_path),
        **present,
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
    assert f"ImproperlyConfigured: {missing} must be set in production" in result.stderr
