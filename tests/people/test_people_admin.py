"""The back office: masked lists, adds and edits through the services, spreadsheet pages."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import (
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    valid_resident_id,
)

from renshi.people.models import Company, Employee, Enrolment, EnrolmentAction
from renshi.people.selectors import decrypted_id_number
from renshi.people.spreadsheets import EMPLOYEE_COLUMNS

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_employee_list_shows_ids_and_accounts_masked(admin_client: Client) -> None:
    employee = make_employee(make_company())

    page = admin_client.get("/admin/people/employee/").content.decode()

    assert "**************" + employee.id_number_last4 in page
    assert "**** **** **** 3445" in page
    assert decrypted_id_number(employee) not in page


def test_the_edit_page_shows_neither_the_stored_token_nor_the_full_id(admin_client: Client) -> None:
    employee = make_employee(make_company())

    page = admin_client.get(f"/admin/people/employee/{employee.pk}/change/").content.decode()

    assert employee.id_number_encrypted not in page
    assert decrypted_id_number(employee) not in page
    assert "id_number_encrypted" not in page


def test_adding_an_employee_in_the_admin_onboards_them(admin_client: Client) -> None:
    company = make_company()
    make_department(company, code="RD")
    form = {
        "company": company.pk,
        "number": "E100",
        "name": "周杰",
        "id_number": valid_resident_id(date(1979, 1, 18), "male"),
        "employment_type": "full_time",
        "work_city": "北京",
        "hire_date": "2025-05-06",
        "base": "15000",
    }

    response = admin_client.post("/admin/people/employee/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    employee = Employee.objects.get(number="E100")
    assert (employee.birth_date, employee.gender) == (date(1979, 1, 18), "male")
    enrolment = employee.enrolments.get()
    assert (enrolment.state, enrolment.start_month) == ("pending_add", "2025-05")


def test_a_bad_id_in_the_admin_shows_on_its_field_and_saves_nothing(admin_client: Client) -> None:
    company = make_company()
    good = valid_resident_id()
    form = {
        "company": company.pk,
        "number": "E100",
        "name": "周杰",
        "id_number": good[:-1] + ("0" if good[-1] != "0" else "1"),
        "employment_type": "temporary",
        "hire_date": "2025-05-06",
    }

    response = admin_client.post("/en/admin/people/employee/add/", form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["id_number"], errors
    assert "check digit" in errors["id_number"][0]
    assert not Employee.objects.exists()


def test_editing_an_employee_leaves_a_blank_id_unchanged(admin_client: Client) -> None:
    company = make_company()
    employee = make_employee(company, name="旧名")
    before = decrypted_id_number(employee)

    response = admin_client.post(
        f"/admin/people/employee/{employee.pk}/change/",
        {
            "name": "新名",
            "id_number": "",
            "bank_account": "",
            "employment_type": "full_time",
            "work_city": "beijing",
            "enrolments-TOTAL_FORMS": "0",
            "enrolments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    employee.refresh_from_db()
    assert employee.name == "新名"
    assert decrypted_id_number(employee) == before


def _upload(rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([c.header for c in EMPLOYEE_COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("hire.xlsx", buffer.getvalue(), content_type=XLSX)


def test_the_import_page_lists_every_problem_and_imports_nothing(admin_client: Client) -> None:
    company = make_company()
    blank = [""] * len(EMPLOYEE_COLUMNS)
    bad_row = ["E1", "", "123"] + blank[3:]
    worse_row = ["E2", "王五", valid_resident_id(), *blank[3:11], "not a date"] + blank[12:]

    response = admin_client.post(
        "/en/admin/people/employee/import/",
        {"company": company.pk, "file": _upload([bad_row, worse_row])},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="upload-problems"' in page
    assert page.count("<tr><td>") >= 4  # name, ID, hire date of row 2; hire date of row 3
    assert "身份证号" in page
    assert "入职日期" in page
    assert not Employee.objects.exists()


def test_the_import_page_applies_a_good_file(admin_client: Client) -> None:
    company = make_company()
    row = {c.key: "" for c in EMPLOYEE_COLUMNS}
    row.update(number="E1", name="王五", id_number=valid_resident_id(), hire_date="2025-01-01")
    row.update(employment_type="临时工")

    response = admin_client.post(
        "/admin/people/employee/import/",
        {"company": company.pk, "file": _upload([[row[c.key] for c in EMPLOYEE_COLUMNS]])},
    )

    assert response.status_code == 302
    assert Employee.objects.get().employment_type == "temporary"


def test_the_export_page_downloads_a_spreadsheet(admin_client: Client, tmp_path: Path) -> None:
    company = make_company()
    make_employee(company, number="E7")

    response = admin_client.get(
        "/admin/people/employee/export/", {"company": company.pk, "reveal": "on"}
    )

    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["A2"].value == "E7"


def test_the_confirm_action_accepts_pending_enrolments_through_the_service(
    admin_client: Client,
) -> None:
    pending = make_enrolment(make_employee(make_company()), state="pending_add")
    active = make_enrolment(make_employee(make_company()), state="active")

    admin_client.post(
        "/admin/people/enrolment/",
        {"action": "confirm_add", "_selected_action": [pending.pk, active.pk]},
    )

    pending.refresh_from_db()
    assert pending.state == "active"
    assert pending.changes.get().action == EnrolmentAction.ADD_CONFIRMED
    assert Enrolment.objects.get(pk=active.pk).changes.count() == 0


def test_the_enrolment_page_changes_the_base_with_history(admin_client: Client) -> None:
    enrolment = make_enrolment(make_employee(make_company()))

    response = admin_client.post(
        f"/admin/people/enrolment/{enrolment.pk}/change/",
        {
            "base": "12345.00",
            "work_injury_class": "1",
            "reason": "年度调基",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    change = enrolment.changes.get()
    assert change.changes == {"base": {"old": "10000.00", "new": "12345.00"}}
    assert change.reason == "年度调基"


def test_every_people_admin_page_opens(admin_client: Client) -> None:
    company = make_company()
    department = make_department(company)
    employee = make_employee(company, department=department)
    enrolment = make_enrolment(employee)
    pages = [
        "/admin/people/",
        "/admin/people/company/",
        "/admin/people/company/add/",
        f"/admin/people/company/{company.pk}/change/",
        "/admin/people/department/add/",
        f"/admin/people/department/{department.pk}/change/",
        "/admin/people/position/add/",
        "/admin/people/employee/add/",
        f"/admin/people/employee/{employee.pk}/change/",
        "/admin/people/employee/import/",
        "/admin/people/employee/removals/",
        "/admin/people/employee/export/",
        "/admin/people/contract/add/",
        "/admin/people/trainingrecord/add/",
        "/admin/people/enrolment/",
        f"/admin/people/enrolment/{enrolment.pk}/change/",
    ]

    statuses = {page: admin_client.get(page).status_code for page in pages}

    assert set(statuses.values()) == {200}, statuses


def test_a_company_and_a_contract_are_added_through_the_services(
    admin_client: Client,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    response = admin_client.post(
        "/admin/people/company/add/",
        {"code": "acme", "name": "甲公司", "default_city": "上海", "payday": "15"},
    )
    assert response.status_code == 302
    employee = make_employee(Company.objects.get(code="acme"))

    response = admin_client.post(
        "/admin/people/contract/add/",
        {
            "employee": employee.pk,
            "contract_type": "fixed_term",
            "start_date": "2025-01-01",
            "end_date": "2027-12-31",
            "attachment": SimpleUploadedFile("c.pdf", b"%PDF"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Company.objects.get(code="acme").default_city == "shanghai"
    assert employee.contracts.get().attachment.name.startswith("contracts/")
