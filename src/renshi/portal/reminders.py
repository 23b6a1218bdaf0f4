"""The reminders that fit the signed-in employee, gathered from their records.

``renshi.core.reminders`` decides who is told what; this module reads the inputs (age, city,
enrolments, payslips, what is owed, leave, status) and renders each reminder in the reader's
language with the links to its article and, where there is one, to the page that acts on it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from renshi.core.money import format_money
from renshi.core.pension import minimum_contribution_years, statutory_retirement
from renshi.core.reminders import (
    THRESHOLDS,
    Reminder,
    ReminderAction,
    ReminderInput,
    Thresholds,
    reminders,
)
from renshi.payroll.services import arrears_balance
from renshi.people.models import Employee
from renshi.policies.presenters import city_display_name
from renshi.policies.selectors import policy_library
from renshi.portal import knowledge
from renshi.portal.planning_records import (
    age_on,
    contributed_months,
    default_category,
    has_left,
    is_long_leave_planned,
    is_on_unpaid_leave,
    month_of,
    months_broken,
)

_ACTIONS = {
    ReminderAction.BACKPAY_REQUEST: ("backpay:request", gettext_lazy("Ask for a back-payment")),
    ReminderAction.PAY_OWED: ("portal:owed", gettext_lazy("See what you owe")),
    ReminderAction.PENSION_SIMULATOR: ("portal:pension", gettext_lazy("Open the simulator")),
}


@dataclass(frozen=True, slots=True)
class ShownReminder:
    code: str
    severity: str  # danger, warning or info: also the Bootstrap alert's colour
    message: str
    article_url: str
    article_title: str
    action_url: str = ""
    action_label: str = ""


def _city(employee: Employee) -> tuple[str, str]:
    enrolment = employee.enrolments.order_by("-start_month", "-id").first()
    code = enrolment.city if enrolment is not None else employee.work_city
    policy = policy_library().cities.get(code)
    return code, city_display_name(policy) if policy is not None else code


def reminder_input(
    *, employee: Employee, today: datetime.date, limits: Thresholds = THRESHOLDS
) -> ReminderInput:
    category = default_category(employee)
    retirement = statutory_retirement(birth=month_of(employee.birth_date), category=category)
    years, months = age_on(employee.birth_date, today)
    city, city_name = _city(employee)
    return ReminderInput(
        age_years=years,
        age_extra_months=months,
        category=category,
        city=city,
        city_name=city_name,
        months_to_retirement=month_of(today).months_until(retirement.month),
        retirement_year=retirement.month.year,
        contributed_months=len(contributed_months(employee, today=today)),
        minimum_years=minimum_contribution_years(retirement.month.year),
        months_broken_recently=months_broken(
            employee, today=today, lookback=limits.gap_lookback_months
        ),
        amount_owed=arrears_balance(employee),
        is_on_unpaid_leave=is_on_unpaid_leave(employee, today=today),
        is_long_leave_planned=is_long_leave_planned(employee, today=today),
        has_left=has_left(employee),
    )


def _shown(reminder: Reminder) -> ShownReminder:
    params = {
        key: format_money(value) if key == "amount" else value
        for key, value in reminder.params.items()
    }
    article = knowledge.article_get(reminder.article)
    action_url = action_label = ""
    if reminder.action in _ACTIONS:
        name, label = _ACTIONS[reminder.action]
        action_url, action_label = reverse(name), str(label)
    return ShownReminder(
        code=reminder.code.value,
        severity=reminder.severity.value,
        message=gettext(reminder.template).format(**params),
        article_url=reverse("portal:help-article", args=[reminder.article]) if article else "",
        article_title=article.local().title if article else "",
        action_url=action_url,
        action_label=action_label,
    )


def reminders_for(*, employee: Employee, today: datetime.date) -> list[ShownReminder]:
    """The employee's reminders on ``today``, most pressing first, in the active language."""
    return [_shown(r) for r in reminders(reminder_input(employee=employee, today=today))]
