"""HR adds a city or a period without code: imports are validated, kept, and take precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from renshi.core.months import Month
from renshi.core.policy import PolicyPeriodMissing
from renshi.core.policy_loader import PolicyFileError
from renshi.policies.models import PolicyFile
from renshi.policies.selectors import policy_library, policy_origin
from renshi.policies.services import policy_file_import, policy_file_withdraw

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).parents[1] / "core" / "fixtures" / "testville.toml"
TEXT = FIXTURE.read_text(encoding="utf-8")
NEXT_PERIOD = """
[[social_insurance]]
start = "2026-07"
end = "2027-06"
source = "test"
confidence = "U"

  [social_insurance.pension]
  floor = "6500"
  ceiling = "34000"
  employer_rate = "0.16"
  employee_rate = "0.08"
  rounding = "half_up_cent"
"""


def _with_new_period(text: str) -> str:
    head, sep, tail = text.partition("[[housing_fund]]")
    hf = tail.replace('end = "2026-06"', 'end = "2027-06"', 1)
    return head + NEXT_PERIOD + "\n" + sep + hf


def test_an_imported_file_adds_a_new_city_to_the_library() -> None:
    assert "testville" not in policy_library().cities

    record, policy = policy_file_import(text=TEXT, filename="testville.toml")

    assert policy_library().city("testville").origin.startswith("database:")
    assert policy_origin(policy_library().city("testville")) == "imported"
    assert record.is_active
    assert record.sha256
    assert policy.city == "testville"


def test_importing_a_new_period_extends_the_city_without_code() -> None:
    policy_file_import(text=TEXT, filename="v1.toml")
    with pytest.raises(PolicyPeriodMissing):
        policy_library().lookup("testville", Month(2026, 8))

    policy_file_import(text=_with_new_period(TEXT), filename="v2.toml")

    snapshot = policy_library().lookup("testville", Month(2026, 8))
    assert str(snapshot.social_insurance.start) == "2026-07"
    assert PolicyFile.objects.filter(city="testville").count() == 2
    assert PolicyFile.objects.filter(city="testville", is_active=True).get().filename == "v2.toml"


def test_a_bad_file_changes_nothing() -> None:
    policy_file_import(text=TEXT, filename="good.toml")

    with pytest.raises(PolicyFileError) as caught:
        policy_file_import(
            text=TEXT.replace('ceiling = "30000"', 'ceiling = "10"', 1), filename="bad.toml"
        )

    assert caught.value.params["file"] == "bad.toml"
    assert caught.value.params["field"] == "social_insurance[0].pension.floor"
    assert list(PolicyFile.objects.values_list("filename", "is_active")) == [("good.toml", True)]


def test_an_import_overrides_a_bundled_city_and_withdrawing_restores_it() -> None:
    bundled = policy_library().city("beijing")
    text = TEXT.replace('city = "testville"', 'city = "beijing"')

    policy_file_import(text=text, filename="beijing-local.toml")
    assert policy_library().city("beijing").name_en == "Testville"

    assert policy_file_withdraw(city="beijing") == 1
    assert policy_library().city("beijing").origin == bundled.origin


def test_the_override_directory_replaces_a_bundled_city(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "beijing.toml").write_text(
        TEXT.replace('city = "testville"', 'city = "beijing"'), encoding="utf-8"
    )
    settings.RENSHI_POLICY_DIR = str(tmp_path)

    assert policy_library().city("beijing").name_zh == "测试市"
    assert policy_origin(policy_library().city("beijing")) == "override"


def _admin_client() -> Client:
    user = get_user_model().objects.create_superuser("hr", "hr@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_imports_a_valid_file() -> None:
    client = _admin_client()

    response = client.post(
        "/admin/policies/policyfile/add/", {"content": TEXT, "note": "new city"}, follow=True
    )

    assert response.status_code == 200
    record = PolicyFile.objects.get()
    assert (record.city, record.note, record.imported_by.username) == (
        "testville",
        "new city",
        "hr",
    )


def test_the_admin_rejects_a_bad_file_with_the_field_and_reason() -> None:
    client = _admin_client()

    response = client.post(
        "/admin/policies/policyfile/add/",
        {"content": TEXT.replace('employer_rate = "0.16"', 'employer_rate = "16"', 1)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "social_insurance[0].pension.employer_rate" in page
    assert "lies outside" in page or "超出" in page
    assert not PolicyFile.objects.exists()


def test_a_bundled_city_is_reported_as_bundled() -> None:
    assert policy_origin(policy_library().city("beijing")) == "bundled"
