"""Personal reminders gathered from the records and rendered in the reader's language."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from tests.factories import make_company, make_enrolment
from tests.portal.planning_fixtures import TODAY, employee_with_account

from renshi.attendance.models import LeaveRecord, LeaveType
from renshi.payroll import services
from renshi.portal.reminders import reminder_input, reminders_for

pytestmark = pytest.mark.django_db


def codes(found):
    return [reminder.code for reminder in found]


def by_code(found, code):
    return next(reminder for reminder in found if reminder.code == code)


def unpaid_leave(employee, start, end, *, status="approved"):
    leave_type, _ = LeaveType.objects.get_or_create(
        company=employee.company, code="personal", defaults={"name": "事假", "pay_rule": "unpaid"}
    )
    return LeaveRecord.objects.create(
        employee=employee,
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        days=Decimal("10"),
        status=status,
    )


def test_a_young_beijing_employee_gets_the_home_purchase_reminder_with_its_article():
    employee = employee_with_account(birth=datetime.date(1995, 6, 1))

    with translation.override("en"):
        found = reminders_for(employee=employee, today=TODAY)

    assert codes(found) == ["home_purchase_continuity"]
    reminder = found[0]
    assert "Beijing" in reminder.message
    assert reminder.article_url.endswith("/me/help/gap-home-purchase/")
    assert reminder.article_title.startswith("What a gap costs when buying a home")
    assert reminder.severity == "info"


def test_the_message_follows_the_language():
    employee = employee_with_account(birth=datetime.date(1995, 6, 1))

    with translation.override("zh-hans"):
        found = reminders_for(employee=employee, today=TODAY)

    assert "北京" in found[0].message
    assert found[0].article_title.startswith("断缴对买房资格")


def test_a_45_year_old_gets_the_medical_reminder():
    employee = employee_with_account(birth=datetime.date(1980, 3, 15))

    found = reminders_for(employee=employee, today=TODAY)

    assert codes(found) == ["medical_after_gap"]
    assert found[0].article_url.endswith("/me/help/gap-medical/")


def test_near_retirement_with_short_years_the_missing_months_are_counted():
    # A man born 1966-01 retires at 60 years 4 months, in 2026-05 (6 months after 2025-11);
    # enrolled here from 2015-01: 130 months to October 2025 against 15 years (180).
    employee = employee_with_account(
        birth=datetime.date(1966, 1, 10),
        hire_date=datetime.date(2015, 1, 1),
        start_month="2015-01",
    )

    with translation.override("en"):
        found = reminders_for(employee=employee, today=TODAY)

    inputs = reminder_input(employee=employee, today=TODAY)
    assert inputs.months_to_retirement == 6
    assert inputs.contributed_months == 130
    reminder = by_code(found, "minimum_years_short")
    assert found[0] is reminder
    assert reminder.severity == "danger"
    assert "50 months are missing now" in reminder.message
    assert "44 would still be missing" in reminder.message
    assert reminder.action_url.endswith("/me/pension/")


def test_a_former_employee_gets_the_flexible_worker_reminder():
    employee = employee_with_account(
        birth=datetime.date(1985, 4, 1),
        status="left",
        leave_date=datetime.date(2025, 9, 12),
    )
    employee.enrolments.update(end_month="2025-09", state="ended")

    found = reminders_for(employee=employee, today=TODAY)

    reminder = by_code(found, "continue_after_leaving")
    assert reminder.article_url.endswith("/me/help/after-leaving/")
    # Months after leaving are not counted as a gap here: the records cannot know.
    assert "backpay_gap" not in codes(found)


def test_an_amount_owed_points_to_the_owed_page():
    employee = employee_with_account(birth=datetime.date(1980, 3, 15))
    services.receivable_record(
        actor=None, employee=employee, amount="1500.00", on=TODAY, reason="overpaid bonus"
    )

    with translation.override("en"):
        reminder = by_code(reminders_for(employee=employee, today=TODAY), "amount_owed")

    assert "1500.00" in reminder.message
    assert reminder.action_url.endswith("/me/owed/")


def test_months_worked_without_an_enrolment_are_a_gap_to_back_pay():
    # Hired 2025-01, enrolled only from 2025-04: January to March are broken off.
    employee = employee_with_account(birth=datetime.date(1980, 3, 15), start_month="2025-04")

    found = reminders_for(employee=employee, today=TODAY)

    assert reminder_input(employee=employee, today=TODAY).months_broken_recently == 3
    reminder = by_code(found, "backpay_gap")
    assert reminder.action_url == reverse("backpay:request")
    assert by_code(found, "medical_after_gap").severity == "warning"


def test_a_cancelled_enrolment_covers_nothing():
    company = make_company(city="shanghai")
    employee = employee_with_account(company, city="shanghai", base=None, username="x1")
    make_enrolment(employee, city="shanghai", start_month="2025-06", end_month="2025-05")

    inputs = reminder_input(employee=employee, today=TODAY)

    assert inputs.months_broken_recently == 10  # 2025-01 to 2025-10
    assert inputs.city == "shanghai"


def test_unpaid_leave_now_and_a_long_one_ahead_are_explained():
    on_leave = employee_with_account(username="a1")
    unpaid_leave(on_leave, datetime.date(2025, 11, 3), datetime.date(2025, 11, 14))
    planning = employee_with_account(username="a2", company=on_leave.company)
    unpaid_leave(
        planning, datetime.date(2025, 12, 1), datetime.date(2026, 1, 31), status="requested"
    )
    short = employee_with_account(username="a3", company=on_leave.company)
    unpaid_leave(short, datetime.date(2025, 12, 1), datetime.date(2025, 12, 3))

    assert "unpaid_leave_advance" in codes(reminders_for(employee=on_leave, today=TODAY))
    assert "unpaid_leave_advance" in codes(reminders_for(employee=planning, today=TODAY))
    assert "unpaid_leave_advance" not in codes(reminders_for(employee=short, today=TODAY))


def test_the_include_renders_each_reminder_with_its_links():
    employee = employee_with_account(birth=datetime.date(1980, 3, 15), start_month="2025-04")

    with translation.override("en"):
        html = render_to_string(
            "portal/planning/_reminders.html",
            {"reminders": reminders_for(employee=employee, today=TODAY)},
        )
        backpay_url = reverse("backpay:request")
        article_url = reverse("portal:help-article", args=["gap-medical"])

    assert 'id="reminders"' in html
    assert 'data-code="backpay_gap"' in html
    assert backpay_url in html
    assert article_url in html
    assert render_to_string("portal/planning/_reminders.html", {"reminders": []}).strip() == ""
