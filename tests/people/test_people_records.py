"""Company structure, contracts and training records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.factories import make_company, make_department, make_employee, make_user

from renshi.people.errors import (
    DateOrderError,
    DepartmentCycleError,
    DuplicateCodeError,
    NotInCompanyError,
    OpenEndedContractEndError,
    PaydayError,
    RequiredValueError,
    UnknownCityError,
)
from renshi.people.services import (
    company_create,
    company_update,
    contract_add,
    department_create,
    department_update,
    position_create,
    training_add,
)

pytestmark = pytest.mark.django_db


def test_a_company_needs_a_city_from_the_library_and_a_real_payday() -> None:
    company = company_create(actor=None, code="acme", name="甲公司", default_city="北京")
    assert (company.default_city, company.payday) == ("beijing", 10)

    with pytest.raises(UnknownCityError):
        company_create(actor=None, code="b", name="乙公司", default_city="atlantis")
    with pytest.raises(PaydayError):
        company_update(actor=None, company=company, payday=32)
    with pytest.raises(DuplicateCodeError):
        company_create(actor=None, code="acme", name="丙公司", default_city="beijing")


def test_only_an_administrator_creates_a_company() -> None:
    with pytest.raises(PermissionDenied):
        company_create(actor=make_user(), code="acme", name="甲公司", default_city="beijing")


def test_a_department_code_is_unique_and_a_department_cannot_sit_below_itself() -> None:
    company = make_company()
    head = department_create(actor=None, company=company, code="HQ", name="总部")
    sales = department_create(actor=None, company=company, code="S", name="销售部", parent=head)

    with pytest.raises(DuplicateCodeError):
        department_create(actor=None, company=company, code="S", name="又一个")
    with pytest.raises(DepartmentCycleError):
        department_update(actor=None, department=head, parent=sales)
    assert position_create(actor=None, company=company, code="ENG", name="工程师").code == "ENG"


def test_a_fixed_term_contract_needs_an_end_date_after_its_probation(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    employee = make_employee(make_company())

    with pytest.raises(RequiredValueError):
        contract_add(
            actor=None, employee=employee, contract_type="fixed_term", start_date=date(2025, 1, 1)
        )
    with pytest.raises(DateOrderError):
        contract_add(
            actor=None,
            employee=employee,
            contract_type="fixed_term",
            start_date=date(2025, 1, 1),
            end_date=date(2025, 2, 1),
            probation_end_date=date(2025, 3, 1),
        )
    with pytest.raises(OpenEndedContractEndError):
        contract_add(
            actor=None,
            employee=employee,
            contract_type="open_ended",
            start_date=date(2025, 1, 1),
            end_date=date(2026, 1, 1),
        )

    contract = contract_add(
        actor=None,
        employee=employee,
        contract_type="fixed_term",
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
        probation_end_date=date(2025, 3, 31),
        attachment=SimpleUploadedFile("合同.pdf", b"%PDF-1.4"),
    )
    assert contract.attachment.name.startswith("contracts/")
    assert (tmp_path / contract.attachment.name).read_bytes() == b"%PDF-1.4"


def test_a_training_record_keeps_its_hours_and_attachment(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    employee = make_employee(make_company())

    record = training_add(
        actor=None,
        employee=employee,
        training_type="安全生产",
        title="消防演练",
        start_date=date(2025, 5, 1),
        hours="2.5",
        attachment=SimpleUploadedFile("签到表.xlsx", b"x"),
    )

    assert record.hours == Decimal("2.5")
    assert record.attachment.name.startswith("training/")


def test_a_department_must_belong_to_the_same_company() -> None:
    other = make_department(make_company())

    with pytest.raises(NotInCompanyError):
        department_create(actor=None, company=make_company(), code="X", name="X", parent=other)


@pytest.mark.django_db
def test_one_sign_in_account_belongs_to_one_employee() -> None:
    from renshi.people.errors import AccountTakenError
    from renshi.people.services import employee_account_link

    company = make_company("acme")
    first = make_employee(company, number="E001")
    second = make_employee(company, number="E002")
    user = make_user("zhangsan")

    employee_account_link(actor=None, employee=first, user=user)
    with pytest.raises(AccountTakenError) as caught:
        employee_account_link(actor=None, employee=second, user=user)

    assert caught.value.params["other"] == "E001"
    first.refresh_from_db()
    assert first.user == user
