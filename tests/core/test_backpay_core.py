"""Back-payment arithmetic: the same shares payroll computes, only what is missing, the late fee
of 社会保险法 第八十六条 on social insurance (none on the housing fund), and clear errors."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core import backpay as bp
from renshi.core.backpay import BaseOrigin, MonthBasis, Paid, calculate_backpay, late_fee
from renshi.core.contributions import calculate_contributions
from renshi.core.months import Month
from renshi.core.policy import Confidence
from renshi.core.policy_loader import load_library

LIBRARY = load_library()
TODAY = datetime.date(2025, 11, 7)
HIRED = Month(2024, 1)
D = Decimal


def _basis(month: Month, base: str = "7162", city: str = "beijing", **fields) -> MonthBasis:  # type: ignore[no-untyped-def]
    return MonthBasis(
        month=month,
        city=city,
        base=D(base),
        origin=fields.pop("origin", BaseOrigin.ENROLMENT),
        housing_fund_rate=fields.pop("housing_fund_rate", D("0.12")),
        work_injury_class=fields.pop("work_injury_class", "1"),
        **fields,
    )


def _compute(*bases: MonthBasis, pay_date: datetime.date = datetime.date(2025, 12, 7), **kw):  # type: ignore[no-untyped-def]
    return calculate_backpay(
        LIBRARY,
        list(bases),
        hire_month=kw.pop("hire_month", HIRED),
        last_employed=kw.pop("last_employed", None),
        today=kw.pop("today", TODAY),
        pay_date=pay_date,
    )


def _item(month: bp.BackPayMonth, code: str) -> bp.BackPayItem:
    return next(item for item in month.items if item.code == code)


def test_beijing_2025_07_each_item_is_what_payroll_computes_for_that_month() -> None:
    snapshot = LIBRARY.lookup("beijing", Month(2025, 7))
    payroll = calculate_contributions(
        snapshot,
        wage=D("7162"),
        base=D("7162"),
        housing_fund_rate=D("0.12"),
        work_injury_class="1",
    )
    (month,) = _compute(_basis(Month(2025, 7))).months
    for line in payroll.items:
        item = _item(month, f"si.{line.kind.value}")
        assert (item.employer, item.employee) == (line.employer, line.employee)
        assert (item.base, item.employer_rate, item.employee_rate) == (
            line.base,
            line.employer_rate,
            line.employee_rate,
        )
        assert item.rounding is line.rounding
        assert item.period == line.period == "2025-07..2026-06"
        assert item.sources == line.sources
    hf = _item(month, "hf")
    assert (hf.employer, hf.employee, hf.base) == (
        payroll.housing_fund.employer,
        payroll.housing_fund.employee,
        payroll.housing_fund.base,
    )
    assert month.employer == payroll.employer_total_with_housing_fund
    assert month.employee == payroll.employee_total_with_housing_fund


def test_beijing_2025_07_hand_checked_vector() -> None:
    # Beijing 2025-07..2026-06 (beijing.toml): pension 16 % / 8 %, medical 9.8 % / 2 % + 3 yuan
    # (serious-illness mutual aid), base 7162 (the floor), all half-up to the cent:
    #   pension  employer 7162 × 0.16 = 1145.92, employee 7162 × 0.08 = 572.96
    #   medical  employer 7162 × 0.098 = 701.876 → 701.88, employee 7162 × 0.02 + 3 = 146.24
    # Paid on 2025-08-30: due 2025-07-31, so 30 days late; pension's fee
    #   (1145.92 + 572.96) × 0.0005 × 30 = 25.7832 → 25.78
    (month,) = _compute(
        _basis(Month(2025, 7)),
        today=datetime.date(2025, 8, 30),
        pay_date=datetime.date(2025, 8, 30),
    ).months
    pension, medical = _item(month, "si.pension"), _item(month, "si.medical")
    assert (pension.employer, pension.employee) == (D("1145.92"), D("572.96"))
    assert (medical.employer, medical.employee) == (D("701.88"), D("146.24"))
    assert month.due.date == datetime.date(2025, 7, 31)
    assert month.late_days == 30
    assert pension.late_fee == D("25.78")


def test_late_fee_of_30_days_on_1000_is_15() -> None:
    assert late_fee(D("1000.00"), daily_rate=D("0.0005"), days=30) == D("15.00")


def test_the_late_fee_rate_comes_from_the_city_data_with_its_source() -> None:
    (month,) = _compute(_basis(Month(2025, 7))).months
    assert month.late_fee_rate == D("0.0005")
    assert month.late_fee_source is not None
    assert month.late_fee_source.id == "si-law-86"
    assert month.late_fee_confidence is Confidence.VERIFIED
    assert month.late_fee_period == "2023-01.."


def test_housing_fund_has_no_daily_late_fee() -> None:
    (month,) = _compute(_basis(Month(2025, 7))).months
    hf = _item(month, "hf")
    assert hf.late_days > 0
    assert hf.late_fee == D("0.00")
    assert hf.late_fee_rule == bp.RULE_HOUSING_FUND_NO_LATE_FEE
    assert _item(month, "si.pension").late_fee_rule == bp.RULE_LATE_FEE


def test_only_what_was_not_contributed_is_asked() -> None:
    full = _compute(_basis(Month(2025, 7))).months[0]
    pension = _item(full, "si.pension")
    paid = {
        "si.pension": Paid(pension.employer, pension.employee),
        "si.medical": Paid(D("700.00"), D("146.24")),
    }
    (month,) = _compute(_basis(Month(2025, 7), paid=paid)).months
    assert "si.pension" in month.settled
    assert "si.pension" not in [item.code for item in month.items]
    medical = _item(month, "si.medical")
    assert (medical.employer, medical.employee) == (D("1.88"), D("0.00"))
    assert medical.employer_paid == D("700.00")


def test_a_month_contributed_in_full_asks_nothing() -> None:
    full = _compute(_basis(Month(2025, 7))).months[0]
    paid = {item.code: Paid(item.employer_due, item.employee_due) for item in full.items}
    result = _compute(_basis(Month(2025, 7), paid=paid))
    assert result.is_empty
    assert result.grand_total == 0


def test_the_base_is_clamped_to_that_periods_floor() -> None:
    # 2025-06 lies in the 2024-07..2025-06 period, 2025-07 in the next one with a higher floor.
    june, july = _compute(_basis(Month(2025, 6), "5000"), _basis(Month(2025, 7), "5000")).months
    june_pension, july_pension = _item(june, "si.pension"), _item(july, "si.pension")
    assert july_pension.clamped == "floor"
    assert july_pension.base == D("7162")
    assert june_pension.clamped == "floor"
    assert june_pension.base == june_pension.floor
    assert june_pension.floor < july_pension.floor
    assert june_pension.period == "2024-07..2025-06"


def test_the_citys_due_day_is_used_when_the_library_knows_it() -> None:
    (shanghai,) = _compute(
        _basis(Month(2025, 7), "8000", city="shanghai", housing_fund_rate=D("0.07"))
    ).months
    assert shanghai.due.date == datetime.date(2025, 7, 15)
    assert shanghai.due.rule.code == bp.DUE_CITY_DAY
    assert shanghai.due.rule.confidence is Confidence.REPORTED
    (beijing,) = _compute(_basis(Month(2025, 7))).months
    assert beijing.due.rule is bp.DUE_END_OF_MONTH


def test_paid_before_the_due_date_bears_no_fee() -> None:
    result = _compute(
        _basis(Month(2025, 10)),
        today=datetime.date(2025, 11, 1),
        pay_date=datetime.date(2025, 11, 1),
    )
    assert result.months[0].late_days == 1
    assert bp.late_days(datetime.date(2025, 10, 31), datetime.date(2025, 10, 31)) == 0
    assert bp.late_days(datetime.date(2025, 10, 31), datetime.date(2025, 10, 20)) == 0


def test_months_come_out_in_order_and_figures_are_json_with_decimal_strings() -> None:
    result = _compute(_basis(Month(2025, 7)), _basis(Month(2025, 3)))
    assert [str(month.month) for month in result.months] == ["2025-03", "2025-07"]
    figures = result.figures()
    json.dumps(figures)  # no Decimal, date or enum left
    assert figures["grand_total"] == str(result.grand_total)
    assert figures["months"][1]["items"][0]["employer"] == str(result.months[1].items[0].employer)


# --- Errors -------------------------------------------------------------------------------


def test_an_empty_list_is_refused() -> None:
    with pytest.raises(bp.NoMonthsError) as caught:
        _compute()
    assert caught.value.template == bp.NO_MONTHS
    assert caught.value.field == "months"


def test_a_duplicate_month_is_refused() -> None:
    with pytest.raises(bp.DuplicateMonthError) as caught:
        _compute(_basis(Month(2025, 7)), _basis(Month(2025, 7)))
    assert caught.value.field == "months[1]"
    assert caught.value.params["month"] == "2025-07"


@pytest.mark.parametrize("month", [Month(2025, 11), Month(2026, 1)])
def test_a_month_not_over_yet_is_refused(month: Month) -> None:
    with pytest.raises(bp.MonthNotOverError) as caught:
        _compute(_basis(month))
    assert caught.value.template == bp.MONTH_NOT_OVER
    assert caught.value.params["last"] == "2025-10"


def test_a_month_before_hire_is_refused() -> None:
    with pytest.raises(bp.MonthBeforeHireError) as caught:
        _compute(_basis(Month(2025, 2)), _basis(Month(2023, 12)))
    assert caught.value.field == "months[1]"
    assert caught.value.params == {"field": "months[1]", "month": "2023-12", "hire": "2024-01"}


def test_a_month_after_leaving_is_refused() -> None:
    with pytest.raises(bp.MonthAfterLeavingError) as caught:
        _compute(_basis(Month(2025, 10)), last_employed=Month(2025, 9))
    assert caught.value.params["last"] == "2025-09"


def test_a_month_without_policy_data_is_refused() -> None:
    with pytest.raises(bp.NoPolicyError) as caught:
        _compute(_basis(Month(2022, 6)), hire_month=Month(2020, 1))
    assert caught.value.field == "months[0]"
    assert caught.value.params["city"] == "beijing"
    assert caught.value.template == bp.NO_POLICY


def test_a_figure_the_library_does_not_know_is_refused_as_no_policy() -> None:
    # guangzhou.toml: the Guangdong pension floor for 2022-07..2023-06 was not found.
    with pytest.raises(bp.NoPolicyError) as caught:
        _compute(
            _basis(Month(2023, 1), city="guangzhou", housing_fund_rate=None),
            hire_month=Month(2023, 1),
        )
    assert caught.value.params["month"] == "2023-01"


def test_an_unknown_city_is_refused_as_no_policy() -> None:
    with pytest.raises(bp.NoPolicyError):
        _compute(_basis(Month(2025, 7), city="atlantis"))


def test_a_payment_date_before_today_is_refused() -> None:
    with pytest.raises(bp.PayDatePastError):
        _compute(_basis(Month(2025, 7)), pay_date=datetime.date(2025, 11, 6))


# --- Properties ---------------------------------------------------------------------------

CITIES = ["beijing", "shanghai", "guangzhou", "shenzhen", "hangzhou", "chengdu"]


def _computable(city: str, month: Month) -> bool:
    try:
        bp.calculate_month(
            LIBRARY, MonthBasis(month, city, D(10000), BaseOrigin.REQUESTED), pay_date=TODAY
        )
    except bp.NoPolicyError:
        return False
    return True


# Per city, the months of 2023-01..2025-10 whose figures the library knows in full.
COMPUTABLE = {
    city: [m for m in (Month(2023, 1).add(n) for n in range(34)) if _computable(city, m)]
    for city in CITIES
}
# Hangzhou's employer medical rate is unknown to the library: no month of it computes.
COMPUTABLE = {city: months for city, months in COMPUTABLE.items() if months}


@st.composite
def month_lists(draw: st.DrawFn) -> tuple[str, list[Month]]:
    city = draw(st.sampled_from(sorted(COMPUTABLE)))
    months = draw(st.lists(st.sampled_from(COMPUTABLE[city]), min_size=1, max_size=6, unique=True))
    return city, months


@given(
    chosen=month_lists(),
    base=st.integers(min_value=0, max_value=60_000),
    days=st.integers(min_value=0, max_value=2_000),
)
def test_the_total_is_the_sum_of_its_parts(
    chosen: tuple[str, list[Month]], base: int, days: int
) -> None:
    city, months = chosen
    result = calculate_backpay(
        LIBRARY,
        [MonthBasis(month, city, D(base), BaseOrigin.REQUESTED) for month in months],
        hire_month=Month(2023, 1),
        last_employed=None,
        today=TODAY,
        pay_date=TODAY + datetime.timedelta(days=days),
    )
    items = [item for month in result.months for item in month.items]
    assert result.grand_total == sum((item.total for item in items), D(0))
    assert result.grand_total == (
        result.employer_total + result.employee_total + result.late_fee_total
    )
    assert result.late_fee_total == sum((month.late_fee for month in result.months), D(0))
    assert all(item.late_fee >= 0 and item.employer >= 0 and item.employee >= 0 for item in items)


@given(
    amount=st.decimals(min_value=0, max_value=100_000, places=2),
    first=st.integers(min_value=0, max_value=5_000),
    more=st.integers(min_value=0, max_value=5_000),
)
def test_the_late_fee_grows_with_the_days(amount: Decimal, first: int, more: int) -> None:
    rate = D("0.0005")
    assert late_fee(amount, daily_rate=rate, days=first) <= late_fee(
        amount, daily_rate=rate, days=first + more
    )


@given(amount=st.decimals(min_value=0, max_value=1_000_000, places=2))
def test_zero_days_cost_no_fee(amount: Decimal) -> None:
    assert late_fee(amount, daily_rate=D("0.0005"), days=0) == D("0.00")
