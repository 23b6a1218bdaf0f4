"""The case page's "export evidence package" button: a POST that answers with the ZIP, for
those who may see the case, and records the export."""

from __future__ import annotations

import pytest
from tests.evidence.logs import at, signing_key_file  # noqa: F401 - a fixture
from tests.evidence.packages import CaseLog, make_case_log, unzip
from tests.factories import grant_role, make_company, make_employee, make_user

from renshi.access.models import Role
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.package import EXPORTED_KIND
from renshi.evidence.package_files.verify import check_package

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_key_file")]
URL = "/cases/HX0001/package/"


@pytest.fixture
def case(settings) -> CaseLog:
    settings.RENSHI_SIMULATED_NOW = at(60)
    return make_case_log()


def _login(client, case: CaseLog, role: str) -> None:
    user = make_user(role)
    grant_role(user, case.company, role)
    client.force_login(user)


def test_hr_downloads_the_package_as_a_zip_named_for_the_employee_and_the_day(client, case):
    _login(client, case, Role.HR)

    response = client.post(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="HX0001-evidence-2025-11-07.zip"'
    )
    files = unzip(response.content)
    assert {"SHA256SUMS", "README.txt", "timeline.pdf", "verify.py", "package.json"} <= set(files)
    assert "entries/000005.json" in files
    assert "checkpoint/checkpoint.sig" in files
    assert check_package(files).is_valid
    exported = EvidenceEntry.objects.get(kind=EXPORTED_KIND)
    assert exported.employee == case.employee


def test_the_case_page_offers_the_button_as_a_post_form(client, case):
    _login(client, case, Role.FINANCE)

    page = client.get("/cases/HX0001/")

    html = page.content.decode()
    assert page.context["evidence_count"] == 5
    assert 'id="package-form"' in html
    assert 'action="/cases/HX0001/package/?company=acme"' in html
    assert 'method="post"' in html


def test_a_get_does_not_export(client, case):
    _login(client, case, Role.HR)

    assert client.get(URL).status_code == 405
    assert not EvidenceEntry.objects.filter(kind=EXPORTED_KIND).exists()


def test_someone_without_the_case_permission_is_refused(client, case):
    case.employee.user = make_user("wangfang")
    case.employee.save(update_fields=["user"])

    for user in (make_user("nobody"), case.employee.user):
        client.force_login(user)
        assert client.post(URL).status_code == 403

    assert not EvidenceEntry.objects.filter(kind=EXPORTED_KIND).exists()


def test_an_auditor_may_export(client, case):
    _login(client, case, Role.AUDITOR)

    assert client.post(URL).status_code == 200


def test_an_employee_without_entries_gets_the_page_back_with_the_reason(client, case):
    make_employee(case.company, number="HX0009", name="新人")
    _login(client, case, Role.HR)

    page = client.get("/cases/HX0009/")
    response = client.post("/cases/HX0009/package/", follow=True)

    assert page.context["evidence_count"] == 0
    assert " disabled>" in page.content.decode()
    assert response.redirect_chain == [("/cases/HX0009/?company=acme", 302)]
    assert 'class="alert alert-danger"' in response.content.decode()
    assert not EvidenceEntry.objects.filter(kind=EXPORTED_KIND).exists()


def test_a_number_two_companies_use_is_exported_for_the_company_named(client, case):
    beta = make_company(code="beta")
    make_employee(beta, number="HX0001", name="赵六")
    user = make_user("hr")
    grant_role(user, case.company, Role.HR)
    grant_role(user, beta, Role.HR)
    client.force_login(user)

    choices = client.post(URL)
    chosen = client.post(f"{URL}?company=acme")

    assert choices.status_code == 200
    assert "case-choices" in choices.content.decode()
    assert chosen["Content-Type"] == "application/zip"
    assert check_package(unzip(chosen.content)).is_valid
