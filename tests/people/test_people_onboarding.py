"""Hiring (增员), leaving (减员), the bureau's confirmations and enrolment changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.factories import (
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    valid_resident_id,
)

from renshi.people import crypto
from renshi.people.errors import (
    DateOrderError,
    DuplicateIdNumberError,
    DuplicateNumberError,
    EmployeeStateError,
    EnrolmentRequiredError,
    EnrolmentStateError,
    MaskedValueError,
    RateOutOfRangeError,
    ResidentIdChecksumError,
    UnknownCityError,
    UnknownFieldError,
    UnknownInjuryClassError,
)
from renshi.people.models import (
    Employee,
    EmployeeStatus,
    Enrolment,
    EnrolmentAction,
    EnrolmentChange,
    EnrolmentState,
)
from renshi.people.selectors import decrypted_bank_account, decrypted_id_number
from renshi.people.services import (
    EnrolmentInput,
    employee_onboard,
    employee_resign,
    employee_update,
    employees_mark_left,
    enrolment_change,
    enrolment_confirm_add,
    enrolment_confirm_remove,
)

pytestmark = pytest.mark.django_db
ID = valid_resident_id(date(1992, 5, 17), "female", seq=24)


def onboard(company: Any, **overrides: Any) -> Employee:
    arguments: dict[str, Any] = {
        "actor": None,
        "company": company,
        "number": "E001",
        "name": "李娜",
        "id_number": ID,
        "phone": "13800138000",
        "email": "li.na@example.com",
        "bank_name": "招商银行",
        "bank_account": "6225 8801 2345 6789",
        "hire_date": date(2025, 3, 10),
        "work_city": "beijing",
        "enrolment": EnrolmentInput(base=Decimal("12000")),
    }
    arguments.update(overrides)
    return employee_onboard(**arguments)


def test_onboarding_derives_gender_and_birth_date_and_encrypts_the_id_and_account() -> None:
    employee = onboard(make_company())

    assert (employee.gender, employee.birth_date) == ("female", date(1992, 5, 17))
    assert ID not in employee.id_number_encrypted
    assert decrypted_id_number(employee) == ID
    assert employee.id_number_hash == crypto.lookup_hash(ID)
    assert employee.id_number_last4 == ID[-4:]
    assert decrypted_bank_account(employee) == "6225880123456789"
    assert employee.bank_account_last4 == "6789"
    assert employee.status == EmployeeStatus.ACTIVE


def test_onboarding_opens_a_pending_enrolment_from_the_hire_month_with_its_history() -> None:
    employee = onboard(make_company())

    enrolment = Enrolment.objects.get(employee=employee)
    assert enrolment.state == EnrolmentState.PENDING_ADD
    assert (enrolment.start_month, enrolment.end_month) == ("2025-03", "")
    assert (enrolment.city, enrolment.base, enrolment.work_injury_class) == (
        "beijing",
        Decimal("12000.00"),
        "1",  # Beijing's default industry class in the library
    )
    change = EnrolmentChange.objects.get(enrolment=enrolment)
    assert (change.action, change.from_state, change.to_state) == (
        EnrolmentAction.ADD,
        "",
        EnrolmentState.PENDING_ADD,
    )
    assert change.changes["base"] == {"old": "", "new": "12000.00"}
    assert change.changes["start_month"] == {"old": "", "new": "2025-03"}


def test_a_later_first_month_is_kept_and_an_earlier_one_refused() -> None:
    company = make_company()
    employee = onboard(company, enrolment=EnrolmentInput(base="12000", start_month="2025-04"))
    assert employee.enrolments.get().start_month == "2025-04"

    with pytest.raises(DateOrderError) as caught:
        onboard(
            company,
            number="E002",
            id_number=valid_resident_id(),
            enrolment=EnrolmentInput(base="12000", start_month="2025-02"),
        )
    assert caught.value.params["field"] == "start_month"


def test_a_blank_work_city_is_the_companys_default_city() -> None:
    employee = onboard(make_company(city="shanghai"), work_city="")

    assert employee.work_city == "shanghai"
    assert employee.enrolments.get().city == "shanghai"


def test_a_city_missing_from_the_policy_library_is_refused() -> None:
    with pytest.raises(UnknownCityError) as caught:
        onboard(make_company(), work_city="atlantis")

    assert caught.value.params["field"] == "work_city"
    assert caught.value.params["number"] == "E001"
    assert "beijing" in caught.value.params["known"]


def test_a_bad_resident_id_names_the_employee_and_field_and_writes_nothing() -> None:
    company = make_company()

    with pytest.raises(ResidentIdChecksumError) as caught:
        onboard(company, id_number=ID[:-1] + ("1" if ID[-1] != "1" else "2"))

    assert (caught.value.params["number"], caught.value.params["field"]) == ("E001", "id_number")
    assert not Employee.objects.exists()
    assert not Enrolment.objects.exists()


def test_a_masked_resident_id_is_refused() -> None:
    with pytest.raises(MaskedValueError):
        onboard(make_company(), id_number="**************" + ID[-4:])


def test_the_same_resident_id_twice_in_a_company_names_the_first_holder() -> None:
    company = make_company()
    onboard(company)

    with pytest.raises(DuplicateIdNumberError) as caught:
        onboard(company, number="E002", id_number=ID.lower())

    assert caught.value.params["other"] == "E001"


def test_the_same_person_may_work_for_two_companies() -> None:
    onboard(make_company())

    assert onboard(make_company()).number == "E001"


def test_an_employee_number_is_unique_in_the_company() -> None:
    company = make_company()
    onboard(company)

    with pytest.raises(DuplicateNumberError):
        onboard(company, id_number=valid_resident_id())


def test_a_full_time_employee_must_be_enrolled() -> None:
    with pytest.raises(EnrolmentRequiredError) as caught:
        onboard(make_company(), enrolment=None)

    assert caught.value.params["field"] == "enrolment"


@pytest.mark.parametrize("employment_type", ["temporary", "flexible", "intern"])
def test_temporary_flexible_and_intern_workers_may_go_unenrolled(employment_type: str) -> None:
    employee = onboard(make_company(), enrolment=None, employment_type=employment_type)

    assert not employee.enrolments.exists()


def test_a_housing_fund_rate_outside_the_citys_range_is_refused() -> None:
    # Beijing 2025-07..2026-06: 5% to 12% (policy library).
    with pytest.raises(RateOutOfRangeError) as caught:
        onboard(
            make_company(),
            hire_date=date(2025, 8, 1),
            enrolment=EnrolmentInput(base="12000", housing_fund_rate="15%"),
        )

    assert (caught.value.params["low"], caught.value.params["high"]) == ("0.05", "0.12")


def test_an_unknown_industry_class_is_refused() -> None:
    with pytest.raises(UnknownInjuryClassError):
        onboard(make_company(), enrolment=EnrolmentInput(base="12000", work_injury_class="9"))


def test_resigning_requests_the_removal_for_the_month_after_the_leave_month() -> None:
    company = make_company()
    employee = make_employee(company, hire_date=date(2024, 1, 1))
    enrolment = make_enrolment(employee, start_month="2024-01")

    employee_resign(actor=None, employee=employee, leave_date=date(2025, 6, 20), reason="个人原因")

    employee.refresh_from_db()
    enrolment.refresh_from_db()
    assert (employee.status, employee.leave_date, employee.leave_reason) == (
        EmployeeStatus.LEAVING,
        date(2025, 6, 20),
        "个人原因",
    )
    assert enrolment.state == EnrolmentState.PENDING_REMOVE
    assert enrolment.end_month == "2025-06"  # the leave month is still contributed
    assert enrolment.removal_due_date == date(2025, 7, 1)
    change = enrolment.changes.get()
    assert (change.action, change.from_state, change.to_state, change.reason) == (
        EnrolmentAction.REMOVE,
        EnrolmentState.ACTIVE,
        EnrolmentState.PENDING_REMOVE,
        "个人原因",
    )
    assert change.changes["end_month"] == {"old": "", "new": "2025-06"}


def test_leaving_in_december_makes_the_removal_due_in_january() -> None:
    employee = make_employee(make_company())
    enrolment = make_enrolment(employee, start_month="2024-01")

    employee_resign(actor=None, employee=employee, leave_date=date(2025, 12, 31))

    enrolment.refresh_from_db()
    assert (enrolment.end_month, enrolment.removal_due_date) == ("2025-12", date(2026, 1, 1))


def test_leaving_before_the_first_month_cancels_the_enrolment() -> None:
    employee = make_employee(make_company(), hire_date=date(2025, 3, 25))
    enrolment = make_enrolment(employee, start_month="2025-04", state="pending_add")

    employee_resign(actor=None, employee=employee, leave_date=date(2025, 3, 28))

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENDED
    assert enrolment.changes.get().action == EnrolmentAction.CANCEL


def test_a_pending_enrolment_of_someone_who_left_moves_on_to_removal_when_confirmed() -> None:
    employee = make_employee(make_company(), hire_date=date(2025, 3, 1))
    enrolment = make_enrolment(employee, start_month="2025-03", state="pending_add")
    employee_resign(actor=None, employee=employee, leave_date=date(2025, 4, 15))
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.end_month) == (EnrolmentState.PENDING_ADD, "2025-04")

    enrolment_confirm_add(actor=None, enrolment=enrolment)

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.PENDING_REMOVE


def test_resigning_twice_or_before_the_hire_date_is_refused() -> None:
    employee = make_employee(make_company(), hire_date=date(2025, 3, 1))
    with pytest.raises(DateOrderError):
        employee_resign(actor=None, employee=employee, leave_date=date(2025, 2, 28))

    employee_resign(actor=None, employee=employee, leave_date=date(2025, 3, 31))
    with pytest.raises(EmployeeStateError):
        employee_resign(actor=None, employee=employee, leave_date=date(2025, 4, 30))


def test_confirming_the_add_activates_the_enrolment_and_records_it() -> None:
    employee = onboard(make_company())
    enrolment = employee.enrolments.get()

    enrolment_confirm_add(actor=None, enrolment=enrolment, reason="社保局已受理")

    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.ACTIVE
    last = enrolment.changes.last()
    assert last is not None
    assert (last.action, last.from_state, last.to_state) == (
        EnrolmentAction.ADD_CONFIRMED,
        EnrolmentState.PENDING_ADD,
        EnrolmentState.ACTIVE,
    )
    with pytest.raises(EnrolmentStateError):
        enrolment_confirm_add(actor=None, enrolment=enrolment)


def test_confirming_the_removal_ends_the_enrolment_and_the_employee_has_left() -> None:
    employee = make_employee(make_company())
    enrolment = make_enrolment(employee, start_month="2024-01")
    employee_resign(actor=None, employee=employee, leave_date=date(2025, 6, 20))

    enrolment_confirm_remove(actor=None, enrolment=enrolment, today=date(2025, 7, 3))

    enrolment.refresh_from_db()
    employee.refresh_from_db()
    assert enrolment.state == EnrolmentState.ENDED
    assert employee.status == EmployeeStatus.LEFT
    assert list(enrolment.changes.values_list("action", flat=True)) == [
        EnrolmentAction.REMOVE,
        EnrolmentAction.REMOVE_CONFIRMED,
    ]


def test_an_employee_still_before_the_last_working_day_is_leaving_until_it_passes() -> None:
    company = make_company()
    employee = make_employee(company)
    enrolment = make_enrolment(employee, start_month="2024-01")
    employee_resign(actor=None, employee=employee, leave_date=date(2025, 6, 30))

    enrolment_confirm_remove(actor=None, enrolment=enrolment, today=date(2025, 6, 25))
    employee.refresh_from_db()
    assert employee.status == EmployeeStatus.LEAVING

    assert employees_mark_left(actor=None, company=company, today=date(2025, 7, 1)) == 1
    employee.refresh_from_db()
    assert employee.status == EmployeeStatus.LEFT


def test_confirming_a_removal_that_was_not_requested_is_refused() -> None:
    enrolment = make_enrolment(make_employee(make_company()))

    with pytest.raises(EnrolmentStateError) as caught:
        enrolment_confirm_remove(actor=None, enrolment=enrolment)

    assert caught.value.params["field"] == "state"


def test_changing_the_base_keeps_the_old_and_new_values() -> None:
    enrolment = make_enrolment(make_employee(make_company()), base=Decimal("10000"))

    enrolment_change(
        actor=None, enrolment=enrolment, base="11500.50", housing_fund_rate="0.1", reason="调基"
    )

    enrolment.refresh_from_db()
    assert enrolment.base == Decimal("11500.50")
    change = enrolment.changes.get()
    assert change.action == EnrolmentAction.CHANGE
    assert change.reason == "调基"
    assert change.changes == {
        "base": {"old": "10000.00", "new": "11500.50"},
        "housing_fund_rate": {"old": "", "new": "0.1000"},
    }


def test_a_change_to_the_same_values_records_nothing() -> None:
    enrolment = make_enrolment(make_employee(make_company()), base=Decimal("10000"))

    enrolment_change(actor=None, enrolment=enrolment, base="10000.00")

    assert not enrolment.changes.exists()


def test_only_bases_rates_and_class_can_be_changed() -> None:
    enrolment = make_enrolment(make_employee(make_company()))

    with pytest.raises(UnknownFieldError):
        enrolment_change(actor=None, enrolment=enrolment, city="shanghai")


def test_an_ended_enrolment_cannot_change() -> None:
    enrolment = make_enrolment(make_employee(make_company()), state="ended", end_month="2025-02")

    with pytest.raises(EnrolmentStateError):
        enrolment_change(actor=None, enrolment=enrolment, base="9000")


def test_a_new_resident_id_on_update_gives_new_gender_and_birth_date() -> None:
    company = make_company()
    department = make_department(company, code="RD")
    employee = make_employee(company, birth=date(1990, 1, 1), gender="male")
    new_id = valid_resident_id(date(1995, 7, 7), "female")

    employee_update(actor=None, employee=employee, id_number=new_id, department="RD", name="王芳")

    employee.refresh_from_db()
    assert (employee.gender, employee.birth_date, employee.name) == (
        "female",
        date(1995, 7, 7),
        "王芳",
    )
    assert employee.department == department
    assert decrypted_id_number(employee) == new_id
