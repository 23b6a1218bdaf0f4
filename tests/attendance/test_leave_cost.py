"""A leave request shows its cost before submission: pay, share and gap for each month, the
company's long-leave rule, and a confirmation that records what was shown and when.

Figures: the seed story's employee (wage 6000, Beijing base 7088.75 raised to the 7162 floor
from 2025-07, housing fund 12%), on 事假 from 2025-06-06 to 2025-08-31.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary, run_month

from renshi.access.models import Role
from renshi.attendance.models import (
    LeaveMonth,
    LeaveRecord,
    LeaveSettings,
    LeaveType,
    LongLeaveRule,
    PayRule,
)
from renshi.attendance.services import LeavePrepaymentMissingError, leave_record_approve
from renshi.payroll.leave_cost import (
    NotConfirmedError,
    StatementChangedError,
    leave_cost_estimate,
    leave_prepayment_record,
    leave_request_submit,
)
from renshi.payroll.models import ArrearsEntry, ArrearsKind, Payslip
from renshi.payroll.services import arrears_balance

pytestmark = pytest.mark.django_db

JUNE_6, AUGUST_31 = datetime.date(2025, 6, 6), datetime.date(2025, 8, 31)


@pytest.fixture
def employee():
    company = make_company(code="acme")
    user = make_user("wangfang")
    person = make_employee(
        company, number="HX0001", name="王芳", hire_date=datetime.date(2021, 3, 15), user=user
    )
    make_enrolment(
        person, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(person, base="6000", month="2021-03")
    from renshi.attendance.services import leave_types_install_defaults

    leave_types_install_defaults(company=company)
    return person


def personal(employee) -> LeaveType:
    return LeaveType.objects.get(company=employee.company, code="personal")


def estimate(employee, start=JUNE_6, end=AUGUST_31, leave_type=None):
    return leave_cost_estimate(
        actor=employee.user,
        employee=employee,
        leave_type=leave_type or personal(employee),
        start_date=start,
        end_date=end,
    )


def submit(employee, cost, *, is_confirmed=True, digest=None):
    return leave_request_submit(
        actor=employee.user,
        employee=employee,
        leave_type=personal(employee),
        start_date=cost.start_date,
        end_date=cost.end_date,
        reason="家中老人住院",
        shown_digest=cost.digest if digest is None else digest,
        is_confirmed=is_confirmed,
    )


def set_rule(employee, rule, ratio="0.6"):
    LeaveSettings.objects.create(
        company=employee.company, long_leave_rule=rule, reduced_pay_ratio=Decimal(ratio)
    )


def test_the_estimate_shows_each_month_and_the_3500_the_company_will_advance(employee):
    cost = estimate(employee)

    months = {item.month: item for item in cost.months}
    assert list(months) == ["2025-06", "2025-07", "2025-08"]
    # June: 17 of 20 working days unpaid, 6000 − 6000 × 17 ÷ 21.75 = 1310.34 against 1598.32.
    assert months["2025-06"].leave_days == 17
    assert months["2025-06"].gross == Decimal("1310.34")
    assert months["2025-06"].employee_share == Decimal("1598.32")
    assert months["2025-06"].gap == Decimal("287.98")
    assert months["2025-07"].gross == Decimal("0.00")
    assert months["2025-07"].gap == Decimal("1606.01")
    assert months["2025-08"].gap == Decimal("1606.01")
    assert cost.total_gap == Decimal("3500.00")
    assert cost.prepay_amount == Decimal("0")
    assert "3500.00" in cost.statement
    assert "1606.01" in cost.statement


def test_the_estimate_writes_nothing(employee):
    estimate(employee)

    assert not LeaveRecord.objects.exists()
    assert not Payslip.objects.exists()


def test_a_short_leave_covered_by_the_wages_says_so(employee):
    cost = estimate(employee, datetime.date(2025, 6, 9), datetime.date(2025, 6, 10))

    (june,) = cost.months
    assert june.gap == Decimal("0.00")
    assert cost.total_gap == Decimal("0.00")
    assert june.gross == Decimal("5448.28")  # 6000 − 6000 × 2 ÷ 21.75 = 5448.2759…


def test_submitting_without_confirming_is_refused_and_nothing_is_written(employee):
    cost = estimate(employee)

    with pytest.raises(NotConfirmedError):
        submit(employee, cost, is_confirmed=False)
    assert not LeaveRecord.objects.exists()


def test_figures_changed_since_they_were_shown_must_be_read_again(employee):
    cost = estimate(employee)
    assign_salary(employee, base="9000", month="2025-06")  # a raise from June

    with pytest.raises(StatementChangedError):
        submit(employee, cost)
    assert not LeaveRecord.objects.exists()


def test_the_confirmation_keeps_the_text_shown_the_figures_who_and_when(employee, settings):
    settings.RENSHI_SIMULATED_NOW = timezone.make_aware(
        datetime.datetime.fromisoformat("2025-05-20T14:30")
    )
    cost = estimate(employee)

    leave = submit(employee, cost)

    leave.refresh_from_db()
    assert leave.cost_statement == cost.statement
    assert leave.cost_confirmed_at == settings.RENSHI_SIMULATED_NOW
    assert leave.cost_confirmed_by == employee.user
    assert leave.cost_figures["total_gap"] == "3500.00"
    assert [m["gap"] for m in leave.cost_figures["months"]] == ["287.98", "1606.01", "1606.01"]
    assert leave.long_leave_rule == ""


def test_prepay_rule_asks_for_the_gap_before_approval_and_the_credit_absorbs_the_advances(
    employee,
):
    set_rule(employee, LongLeaveRule.PREPAY_SHARE)
    hr = make_user("hr")
    grant_role(hr, employee.company, Role.HR)
    finance = make_user("finance")
    grant_role(finance, employee.company, Role.FINANCE)
    cost = estimate(employee)
    assert cost.prepay_amount == Decimal("3500.00")
    leave = submit(employee, cost)

    with pytest.raises(LeavePrepaymentMissingError) as refused:
        leave_record_approve(actor=hr, leave=leave)
    assert refused.value.params["required"] == Decimal("3500.00")
    assert not LeaveMonth.objects.exists()

    entry = leave_prepayment_record(
        actor=finance, leave=leave, amount="3500.00", paid_on=datetime.date(2025, 6, 3)
    )
    assert entry.kind == ArrearsKind.PREPAYMENT
    assert entry.amount == Decimal("-3500.00")
    leave_record_approve(actor=hr, leave=leave)
    for month in ("2025-06", "2025-07", "2025-08"):
        run_month(employee.company, month)

    advances = ArrearsEntry.objects.filter(employee=employee, kind=ArrearsKind.ADVANCE)
    assert sum(e.amount for e in advances) == Decimal("3500.00")
    assert arrears_balance(employee) == Decimal("0.00")  # nothing owed: the prepayment covered it


def test_a_leave_of_exactly_one_month_is_not_a_long_leave(employee):
    set_rule(employee, LongLeaveRule.PREPAY_SHARE)

    cost = estimate(employee, datetime.date(2025, 6, 6), datetime.date(2025, 7, 5))

    assert cost.long_leave_rule == ""
    assert cost.prepay_amount == Decimal("0")


def test_reduced_pay_rule_keeps_paying_a_share_of_the_wage_and_closes_the_gap(employee):
    set_rule(employee, LongLeaveRule.REDUCED_PAY, ratio="0.6")
    hr = make_user("hr")
    grant_role(hr, employee.company, Role.HR)
    cost = estimate(employee)
    # July, all of it on leave: 6000 × 0.6 = 3600.00, above Beijing's minimum wage; the share
    # 1606.01 is covered, so nothing is advanced.
    july = next(item for item in cost.months if item.month == "2025-07")
    assert july.gross == Decimal("3600.00")
    assert july.gap == Decimal("0.00")
    assert cost.total_gap == Decimal("0.00")
    assert "60%" in cost.statement

    leave = submit(employee, cost)
    leave_record_approve(actor=hr, leave=leave)

    assert set(LeaveMonth.objects.values_list("pay_rule", flat=True)) == {PayRule.REDUCED}
    run = run_month(employee.company, "2025-07", approve=False)
    payslip = Payslip.objects.get(run=run, employee=employee)
    assert payslip.gross == Decimal("3600.00")
    assert payslip.advanced == Decimal("0.00")


def test_reduced_pay_is_raised_to_the_minimum_wage(employee):
    set_rule(employee, LongLeaveRule.REDUCED_PAY, ratio="0.3")

    cost = estimate(employee)

    # 6000 × 0.3 = 1800 is below Beijing's 2025-07 minimum wage of 2420: 2420 is paid.
    july = next(item for item in cost.months if item.month == "2025-07")
    assert july.gross == Decimal("2420.00")


def test_finance_records_the_prepayment_in_the_back_office(employee, client):
    set_rule(employee, LongLeaveRule.PREPAY_SHARE)
    finance = make_user("finance", is_staff=True)
    grant_role(finance, employee.company, Role.FINANCE)
    leave = submit(employee, estimate(employee))
    client.force_login(finance)
    url = f"/admin/attendance/leaverecord/{leave.pk}/prepayment/"

    assert client.get(f"/admin/attendance/leaverecord/{leave.pk}/change/").status_code == 200
    refused = client.post(url, {"amount": "-5", "paid_on": "2025-06-03"})
    assert refused.status_code == 200
    assert not ArrearsEntry.objects.exists()

    done = client.post(url, {"amount": "3500.00", "paid_on": "2025-06-03", "reference": "B-1"})
    assert done.status_code == 302
    leave.refresh_from_db()
    assert leave.prepaid_amount == Decimal("3500.00")
    assert ArrearsEntry.objects.get().reference == "B-1"
