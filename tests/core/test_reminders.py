"""Personal reminders: who is told what, without a database."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from renshi.core.pension import RetirementCategory
from renshi.core.reminders import (
    HOME_PURCHASE_BROKEN,
    HOME_PURCHASE_HUKOU_UNKNOWN,
    MINIMUM_YEARS_SHORT,
    MINIMUM_YEARS_SHORT_PAST,
    THRESHOLDS,
    ReminderAction,
    ReminderCode,
    ReminderInput,
    Severity,
    Thresholds,
    reminders,
)


def person(**overrides: object) -> ReminderInput:
    """A 30-year-old man in Beijing, well covered, owing nothing, at work."""
    values: dict[str, object] = {
        "age_years": 30,
        "age_extra_months": 2,
        "category": RetirementCategory.MALE,
        "city": "beijing",
        "city_name": "北京",
        "months_to_retirement": 396,
        "retirement_year": 2058,
        "contributed_months": 96,
        "minimum_years": Decimal("20"),
        "months_broken_recently": 0,
        "amount_owed": Decimal("0"),
        "is_on_unpaid_leave": False,
        "is_long_leave_planned": False,
        "has_left": False,
    }
    values.update(overrides)
    return ReminderInput(**values)  # type: ignore[arg-type]


def codes(found: list) -> list[ReminderCode]:
    return [reminder.code for reminder in found]


def by_code(found: list, code: ReminderCode):
    return next(reminder for reminder in found if reminder.code == code)


def test_a_young_beijing_employee_is_told_about_the_home_purchase_continuity_rule():
    found = reminders(person())

    assert codes(found) == [ReminderCode.HOME_PURCHASE_CONTINUITY]
    reminder = found[0]
    assert reminder.template == HOME_PURCHASE_HUKOU_UNKNOWN
    assert reminder.params == {"city": "北京"}
    assert reminder.article == "gap-home-purchase"
    assert "restarts the count" in reminder.message().render()


@pytest.mark.parametrize("city", ["shanghai", "shenzhen"])
def test_shanghai_and_shenzhen_have_the_continuity_rule_too(city):
    assert codes(reminders(person(city=city))) == [ReminderCode.HOME_PURCHASE_CONTINUITY]


@pytest.mark.parametrize("city", ["guangzhou", "chengdu", ""])
def test_cities_without_a_sourced_continuity_rule_say_nothing_about_buying_a_home(city):
    # Guangzhou stopped reviewing purchase eligibility on 2024-09-30.
    assert ReminderCode.HOME_PURCHASE_CONTINUITY not in codes(reminders(person(city=city)))


def test_a_gap_makes_the_home_purchase_reminder_a_warning_with_the_months():
    reminder = by_code(
        reminders(person(months_broken_recently=2)), ReminderCode.HOME_PURCHASE_CONTINUITY
    )

    assert reminder.severity == Severity.WARNING
    assert reminder.template == HOME_PURCHASE_BROKEN
    assert reminder.params == {"city": "北京", "months": 2}


def test_a_45_year_old_is_told_about_medical_reimbursement_not_about_buying_a_home():
    found = reminders(person(age_years=45, months_to_retirement=216))

    assert codes(found) == [ReminderCode.MEDICAL_AFTER_GAP]
    assert found[0].article == "gap-medical"
    assert found[0].severity == Severity.INFO


def test_the_age_thresholds_are_data():
    younger = Thresholds(home_purchase_below_age=30, medical_from_age=30)

    assert codes(reminders(person(), limits=younger)) == [ReminderCode.MEDICAL_AFTER_GAP]
    assert THRESHOLDS.near_retirement_months == 60


def test_near_retirement_with_years_short_of_the_minimum_counts_the_missing_months():
    # 57 years old, 36 months to go; 10 years here against 15: 60 months missing now, and
    # still 24 after contributing every month until retirement.
    found = reminders(
        person(
            age_years=57,
            months_to_retirement=36,
            retirement_year=2028,
            contributed_months=120,
            minimum_years=Decimal("15"),
        )
    )

    reminder = by_code(found, ReminderCode.MINIMUM_YEARS_SHORT)
    assert found[0] is reminder  # the most pressing first
    assert reminder.severity == Severity.DANGER
    assert reminder.template == MINIMUM_YEARS_SHORT
    assert reminder.params == {
        "years": "10.00",
        "minimum": "15",
        "year": 2028,
        "missing": 60,
        "missing_at_retirement": 24,
    }
    assert reminder.action == ReminderAction.PENSION_SIMULATOR


def test_a_shortfall_closed_by_contributing_until_retirement_is_a_warning():
    reminder = by_code(
        reminders(
            person(
                age_years=58,
                months_to_retirement=50,
                contributed_months=150,
                minimum_years=Decimal("15"),
            )
        ),
        ReminderCode.MINIMUM_YEARS_SHORT,
    )

    assert reminder.params["missing"] == 30
    assert reminder.params["missing_at_retirement"] == 0
    assert reminder.severity == Severity.WARNING


def test_half_years_of_the_minimum_count_in_whole_months():
    # A pension starting in 2031 needs 16 years (192 months); 180 contributed leave 12.
    reminder = by_code(
        reminders(
            person(
                months_to_retirement=0,
                contributed_months=180,
                minimum_years=Decimal("16.0"),
                retirement_year=2031,
            )
        ),
        ReminderCode.MINIMUM_YEARS_SHORT,
    )

    assert reminder.template == MINIMUM_YEARS_SHORT_PAST
    assert reminder.params["missing"] == 12


def test_far_from_retirement_or_with_enough_years_there_is_no_minimum_years_reminder():
    assert ReminderCode.MINIMUM_YEARS_SHORT not in codes(reminders(person(contributed_months=0)))
    enough = person(months_to_retirement=12, contributed_months=180, minimum_years=Decimal("15"))
    assert ReminderCode.MINIMUM_YEARS_SHORT not in codes(reminders(enough))


def test_an_amount_owed_is_to_be_paid():
    reminder = by_code(reminders(person(amount_owed=Decimal("1500.00"))), ReminderCode.AMOUNT_OWED)

    assert reminder.params == {"amount": Decimal("1500.00")}
    assert reminder.action == ReminderAction.PAY_OWED
    assert reminder.severity == Severity.WARNING


def test_broken_off_months_point_to_a_back_payment_request():
    reminder = by_code(reminders(person(months_broken_recently=3)), ReminderCode.BACKPAY_GAP)

    assert reminder.params == {"months": 3}
    assert reminder.action == ReminderAction.BACKPAY_REQUEST
    assert reminder.article == "backpay"


def test_a_former_employee_is_told_to_continue_as_a_flexible_worker():
    found = reminders(person(has_left=True, months_broken_recently=1))

    reminder = by_code(found, ReminderCode.CONTINUE_AFTER_LEAVING)
    assert reminder.article == "after-leaving"
    assert "flexible worker" in reminder.message().render()
    # Their records are read-only: the back-payment goes through HR, not the request page.
    assert by_code(found, ReminderCode.BACKPAY_GAP).action == ReminderAction.NONE


def test_someone_past_retirement_is_not_told_to_keep_contributing_after_leaving():
    found = reminders(person(has_left=True, months_to_retirement=-3, age_years=63))

    assert ReminderCode.CONTINUE_AFTER_LEAVING not in codes(found)


@pytest.mark.parametrize(("on_leave", "planned"), [(True, False), (False, True), (True, True)])
def test_unpaid_leave_now_or_ahead_explains_the_share_the_company_advances(on_leave, planned):
    reminder = by_code(
        reminders(person(is_on_unpaid_leave=on_leave, is_long_leave_planned=planned)),
        ReminderCode.UNPAID_LEAVE_ADVANCE,
    )

    assert reminder.article == "unpaid-leave-advance"
    assert "advance" in reminder.message().render()


def test_reminders_come_most_pressing_first():
    found = reminders(
        person(
            months_to_retirement=24,
            contributed_months=100,
            minimum_years=Decimal("15"),
            amount_owed=Decimal("10"),
            is_on_unpaid_leave=True,
        )
    )

    severities = [reminder.severity for reminder in found]
    order = [Severity.DANGER, Severity.WARNING, Severity.INFO]
    assert severities == sorted(severities, key=order.index)
    assert severities[0] == Severity.DANGER


def test_the_input_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        person().age_years = 31  # type: ignore[misc]
