"""Back-payment (补缴) of social insurance and housing fund for months already past.

For each month asked, the city's figures in force that month (``PolicyLibrary.lookup``), the base
that month (the enrolment's when one covered it, else the base the employee asks for or the
latest known one), clamped to the period's floor and ceiling, give each item's shares exactly
as payroll computes them: this module calls :func:`calculate_contributions`, the function a
payroll run calls, so rates, fixed amounts and each item's named rounding rule are the same.
What was already contributed that month (an approved payslip's contribution lines) is taken
off, so only the missing items and amounts are asked.

Social insurance paid late bears a late fee (滞纳金) of the daily rate in the city's contribution
rules (0.05 % a day, 《社会保险法》第八十六条) on the unpaid amount, counted from the day after the
due date to the payment date. The fee is the employer's: the statute charges it to 用人单位, so
the employee's share of the contribution stays the employee's and the fee does not. The housing
fund has no daily fee: 《住房公积金管理条例》第三十八条 orders the unit to pay within a deadline
and then lets the centre ask a court to enforce it.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from renshi.core.contributions import calculate_contributions
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO, RoundingRule, apply_rounding
from renshi.core.months import Month
from renshi.core.policy import (
    HOUSING_FUND_LABEL,
    INSURANCE_LABELS,
    Confidence,
    ContributionRulesPeriod,
    InsuranceKind,
    PolicyLibrary,
    PolicyPeriodMissing,
    PolicySnapshot,
    Source,
    UnknownCity,
    UnknownFigure,
)

# --- Named rules ------------------------------------------------------------------------------

RULE_LATE_FEE = "《社会保险法》第八十六条"  # 自欠缴之日起，按日加收万分之五的滞纳金
RULE_HOUSING_FUND_NO_LATE_FEE = "《住房公积金管理条例》第三十八条"
# The fee of one item of one month, rounded once to the cent; bureaus state their fee "四舍五入到
# 小数点后两位" (wenda.cardbaobao.com/138012.html). They round the month's whole fee, this rounds
# each item's, so the sum may differ from the bureau's by a cent per item: the bureau decides.
LATE_FEE_ROUNDING = RoundingRule.HALF_UP_CENT
HOUSING_FUND_CODE = "hf"  # the payslip's line codes: "si.<kind>" and "hf"


def item_code(kind: InsuranceKind) -> str:
    return f"si.{kind.value}"


@dataclass(frozen=True, slots=True)
class NamedRule:
    """A rule the computation relies on, with where it comes from and how sure we are."""

    code: str
    title: str
    source: str
    url: str
    confidence: Confidence


# Contributions for month M are due by the last day of M: secondary sources describing how the
# bureaus compute late fees start counting on "结算日期的第二个月1日", the first day of the
# following month (wenda.cardbaobao.com/138012.html; 瑞方人力, m.haiwei-china.com/news166.html).
# A city's own due day (``contribution_rules.due_day``), when the library knows it, wins.
DUE_END_OF_MONTH = NamedRule(
    code="due_end_of_month",
    title="contributions for a month are due by the last day of that month",
    source="社保滞纳金计算规则: 滞纳金计算起日期取结算日期的第二个月1日 (secondary sources)",
    url="https://wenda.cardbaobao.com/138012.html",
    confidence=Confidence.REPORTED,
)
DUE_CITY_DAY = "due_city_day"  # the rule's code when the city's due day is used
HOUSING_FUND_NO_LATE_FEE = NamedRule(
    code="housing_fund_no_late_fee",
    title=(
        "no daily late fee on the housing fund: the centre orders the unit to pay within a "
        "deadline, then may ask a court to enforce it"
    ),
    source=(
        "《住房公积金管理条例》第三十八条: 单位逾期不缴或者少缴住房公积金的，"
        "由住房公积金管理中心责令限期缴存；逾期仍不缴存的，可以申请人民法院强制执行 "
        "(statute text as quoted verbatim by m12333.cn and hxzfgjj.com; "
        "art. 37 fines only for not registering)"
    ),
    url="https://m12333.cn/qa/mmrrr.html",
    confidence=Confidence.VERIFIED,
)

# --- Errors ---------------------------------------------------------------------------------

NO_MONTHS = gettext_noop("{field}: choose at least one month to back-pay")
DUPLICATE_MONTH = gettext_noop("{field}: {month} is listed more than once")
MONTH_NOT_OVER = gettext_noop(
    "{field}: {month} is not over yet; only months up to {last} can be back-paid"
)
MONTH_BEFORE_HIRE = gettext_noop("{field}: {month} is before the month of hire {hire}")
MONTH_AFTER_LEAVING = gettext_noop("{field}: {month} is after the last month of employment {last}")
NO_POLICY = gettext_noop("{field}: no policy figures for {city} in {month}: {detail}")
NO_CONTRIBUTION_RULES = gettext_noop(
    "the library has no contribution rules (due date, late fee) for that month"
)
PAY_DATE_PAST = gettext_noop("{field}: the payment date {date} is before today {today}")


class BackPayError(CoreError):
    """A back-payment that cannot be computed as asked."""


class NoMonthsError(BackPayError):
    template = NO_MONTHS


class DuplicateMonthError(BackPayError):
    template = DUPLICATE_MONTH


class MonthNotOverError(BackPayError):
    template = MONTH_NOT_OVER


class MonthBeforeHireError(BackPayError):
    template = MONTH_BEFORE_HIRE


class MonthAfterLeavingError(BackPayError):
    template = MONTH_AFTER_LEAVING


class NoPolicyError(BackPayError):
    template = NO_POLICY


class PayDatePastError(BackPayError):
    template = PAY_DATE_PAST


# --- Inputs ---------------------------------------------------------------------------------


class BaseOrigin(enum.StrEnum):
    ENROLMENT = "enrolment"  # the enrolment covering the month
    REQUESTED = "requested"  # no enrolment that month: the base the employee asked for
    LATEST = "latest"  # no enrolment that month: the latest enrolment's base


@dataclass(frozen=True, slots=True)
class Paid:
    """What was contributed for one item of one month already."""

    employer: Decimal
    employee: Decimal


@dataclass(frozen=True, slots=True)
class MonthBasis:
    """One month to back-pay: where, on which base, and what was paid already (by item code;
    an item absent from ``paid`` had nothing contributed)."""

    month: Month
    city: str
    base: Decimal
    origin: BaseOrigin
    item_bases: Mapping[InsuranceKind, Decimal] = field(default_factory=dict)
    housing_fund_base: Decimal | None = None
    housing_fund_rate: Decimal | None = None
    work_injury_class: str | None = None
    paid: Mapping[str, Paid] = field(default_factory=dict)


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackPayItem:
    """One item of one month: what the month required, what was paid, what is asked now."""

    code: str
    label: str  # a msgid
    wage_base: Decimal
    base: Decimal
    clamped: str | None
    floor: Decimal
    ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employer_fixed: Decimal
    employee_fixed: Decimal
    employer_due: Decimal
    employee_due: Decimal
    employer_paid: Decimal
    employee_paid: Decimal
    employer: Decimal  # asked now
    employee: Decimal  # asked now
    rounding: RoundingRule
    period: str
    sources: tuple[Source, ...]
    late_days: int
    late_fee_rate: Decimal  # zero for the housing fund
    late_fee: Decimal
    late_fee_rule: str

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee + self.late_fee


@dataclass(frozen=True, slots=True)
class DueDate:
    date: datetime.date
    rule: NamedRule


@dataclass(frozen=True, slots=True)
class BackPayMonth:
    month: Month
    city: str
    origin: BaseOrigin
    due: DueDate
    late_days: int
    late_fee_rate: Decimal
    late_fee_source: Source | None
    late_fee_confidence: Confidence
    late_fee_period: str
    items: tuple[BackPayItem, ...]  # only the items with something missing
    settled: tuple[str, ...]  # item codes contributed in full already
    warnings: tuple[Message, ...]

    @property
    def employer(self) -> Decimal:
        return sum((item.employer for item in self.items), ZERO)

    @property
    def employee(self) -> Decimal:
        return sum((item.employee for item in self.items), ZERO)

    @property
    def late_fee(self) -> Decimal:
        return sum((item.late_fee for item in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee + self.late_fee


@dataclass(frozen=True, slots=True)
class BackPayResult:
    pay_date: datetime.date
    months: tuple[BackPayMonth, ...]

    @property
    def employer_total(self) -> Decimal:
        return sum((month.employer for month in self.months), ZERO)

    @property
    def employee_total(self) -> Decimal:
        return sum((month.employee for month in self.months), ZERO)

    @property
    def late_fee_total(self) -> Decimal:
        """Borne by the employer (社会保险法 第八十六条 charges it to 用人单位)."""
        return sum((month.late_fee for month in self.months), ZERO)

    @property
    def grand_total(self) -> Decimal:
        return self.employer_total + self.employee_total + self.late_fee_total

    @property
    def is_empty(self) -> bool:
        """Nothing is missing in any month asked."""
        return not any(month.items for month in self.months)

    def figures(self) -> dict[str, Any]:
        """The result as JSON-ready data, every Decimal as a string: what is shown, stored and
        hashed, so two results with the same figures give the same bytes."""
        return {
            "pay_date": self.pay_date.isoformat(),
            "employer_total": str(self.employer_total),
            "employee_total": str(self.employee_total),
            "late_fee_total": str(self.late_fee_total),
            "grand_total": str(self.grand_total),
            "months": [_month_figures(month) for month in self.months],
        }


def _source_figures(source: Source | None) -> dict[str, str] | None:
    if source is None:
        return None
    return {"id": source.id, "title": source.title, "url": source.url}


def _month_figures(month: BackPayMonth) -> dict[str, Any]:
    return {
        "month": str(month.month),
        "city": month.city,
        "base_origin": month.origin.value,
        "due_date": month.due.date.isoformat(),
        "due_rule": {
            "code": month.due.rule.code,
            "title": month.due.rule.title,
            "source": month.due.rule.source,
            "url": month.due.rule.url,
            "confidence": month.due.rule.confidence.value,
        },
        "late_days": month.late_days,
        "late_fee_rate": str(month.late_fee_rate),
        "late_fee_source": _source_figures(month.late_fee_source),
        "late_fee_confidence": month.late_fee_confidence.value,
        "late_fee_period": month.late_fee_period,
        "employer": str(month.employer),
        "employee": str(month.employee),
        "late_fee": str(month.late_fee),
        "total": str(month.total),
        "settled": list(month.settled),
        "items": [_item_figures(item) for item in month.items],
    }


def _item_figures(item: BackPayItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "label": item.label,
        "wage_base": str(item.wage_base),
        "base": str(item.base),
        "clamped": item.clamped,
        "floor": str(item.floor),
        "ceiling": str(item.ceiling),
        "employer_rate": str(item.employer_rate),
        "employee_rate": str(item.employee_rate),
        "employer_fixed": str(item.employer_fixed),
        "employee_fixed": str(item.employee_fixed),
        "employer_due": str(item.employer_due),
        "employee_due": str(item.employee_due),
        "employer_paid": str(item.employer_paid),
        "employee_paid": str(item.employee_paid),
        "employer": str(item.employer),
        "employee": str(item.employee),
        "rounding": item.rounding.value,
        "period": item.period,
        "sources": [_source_figures(source) for source in item.sources],
        "late_days": item.late_days,
        "late_fee_rate": str(item.late_fee_rate),
        "late_fee": str(item.late_fee),
        "late_fee_rule": item.late_fee_rule,
        "total": str(item.total),
    }


# --- Rules ----------------------------------------------------------------------------------


def last_day(month: Month) -> datetime.date:
    following = month.add(1)
    return datetime.date(following.year, following.month, 1) - datetime.timedelta(days=1)


def due_date(month: Month, rules: ContributionRulesPeriod | None) -> DueDate:
    """When ``month``'s contributions were due: the city's due day in that month when the
    library knows it, else the month's last day (``DUE_END_OF_MONTH``)."""
    figure = None if rules is None else rules.due_day
    if figure is not None and figure.value is not None:
        end = last_day(month)
        day = min(int(figure.value), end.day)
        source = figure.source
        return DueDate(
            datetime.date(month.year, month.month, day),
            NamedRule(
                code=DUE_CITY_DAY,
                title=f"day {day} of the month",
                source="" if source is None else source.title,
                url="" if source is None else source.url,
                confidence=figure.confidence,
            ),
        )
    return DueDate(last_day(month), DUE_END_OF_MONTH)


def late_days(due: datetime.date, pay_date: datetime.date) -> int:
    """Days late: from the day after ``due`` to ``pay_date``, both included (0 if not late).

    Bureaus stop counting the day before the back-payment is declared (the sources of
    ``DUE_END_OF_MONTH``); paid on the day it is declared, that is one day fewer than here,
    so this estimate errs on the side of the higher fee."""
    return max((pay_date - due).days, 0)


def late_fee(amount: Decimal, *, daily_rate: Decimal, days: int) -> Decimal:
    """``amount`` × ``daily_rate`` × ``days``, rounded by ``LATE_FEE_ROUNDING``."""
    return apply_rounding(amount * daily_rate * days, LATE_FEE_ROUNDING)


# --- Checks ---------------------------------------------------------------------------------


def check_months(
    months: Sequence[Month],
    *,
    hire_month: Month,
    last_employed: Month | None,
    today: datetime.date,
    field: str = "months",
) -> tuple[Month, ...]:
    """The months in order, or the first problem: none, a duplicate, a month not over yet,
    before the month of hire, or after the last month employed (``None`` while employed)."""
    if not months:
        raise NoMonthsError(field=field)
    last_over = Month(today.year, today.month).add(-1)
    seen: set[Month] = set()
    for index, month in enumerate(months):
        where = f"{field}[{index}]"
        if month in seen:
            raise DuplicateMonthError(field=where, month=str(month))
        seen.add(month)
        if month > last_over:
            raise MonthNotOverError(field=where, month=str(month), last=str(last_over))
        if month < hire_month:
            raise MonthBeforeHireError(field=where, month=str(month), hire=str(hire_month))
        if last_employed is not None and month > last_employed:
            raise MonthAfterLeavingError(field=where, month=str(month), last=str(last_employed))
    return tuple(sorted(months))


# --- Calculation ----------------------------------------------------------------------------


def _snapshot(
    library: PolicyLibrary, basis: MonthBasis, where: str
) -> tuple[PolicySnapshot, ContributionRulesPeriod, Decimal]:
    try:
        snapshot = library.lookup(basis.city, basis.month, field=where)
    except (PolicyPeriodMissing, UnknownCity) as error:
        raise NoPolicyError(
            field=where, city=basis.city, month=str(basis.month), detail=error.message
        ) from None
    rules = snapshot.contribution_rules
    if rules is None:
        raise NoPolicyError(
            field=where,
            city=basis.city,
            month=str(basis.month),
            detail=Message(NO_CONTRIBUTION_RULES),
        )
    try:
        rate = snapshot.require(rules.late_fee_daily_rate, field=f"{where}.late_fee_daily_rate")
    except UnknownFigure as error:
        raise NoPolicyError(
            field=where, city=basis.city, month=str(basis.month), detail=error.message
        ) from None
    return snapshot, rules, rate


def _missing(due: Decimal, paid: Decimal) -> Decimal:
    return max(due - paid, ZERO)


def calculate_month(
    library: PolicyLibrary, basis: MonthBasis, *, pay_date: datetime.date, field: str = "month"
) -> BackPayMonth:
    """One month's missing contributions and their late fee, as of ``pay_date``."""
    snapshot, rules, daily_rate = _snapshot(library, basis, field)
    try:
        contributions = calculate_contributions(
            snapshot,
            wage=basis.base,
            base=basis.base,
            housing_fund_rate=basis.housing_fund_rate,
            work_injury_class=basis.work_injury_class,
            item_bases=basis.item_bases,
            housing_fund_base=basis.housing_fund_base,
        )
    except UnknownFigure as error:  # a floor, ceiling or rate the library does not know
        raise NoPolicyError(
            field=field, city=basis.city, month=str(basis.month), detail=error.message
        ) from None
    due = due_date(basis.month, rules)
    days = late_days(due.date, pay_date)
    nothing = Paid(ZERO, ZERO)
    items: list[BackPayItem] = []
    settled: list[str] = []
    for line in contributions.items:
        code = item_code(line.kind)
        paid = basis.paid.get(code, nothing)
        employer = _missing(line.employer, paid.employer)
        employee = _missing(line.employee, paid.employee)
        if not employer and not employee:
            settled.append(code)
            continue
        items.append(
            BackPayItem(
                code=code,
                label=INSURANCE_LABELS[line.kind],
                wage_base=line.wage_base,
                base=line.base,
                clamped=line.clamped,
                floor=line.floor,
                ceiling=line.ceiling,
                employer_rate=line.employer_rate,
                employee_rate=line.employee_rate,
                employer_fixed=line.employer_fixed,
                employee_fixed=line.employee_fixed,
                employer_due=line.employer,
                employee_due=line.employee,
                employer_paid=paid.employer,
                employee_paid=paid.employee,
                employer=employer,
                employee=employee,
                rounding=line.rounding,
                period=line.period,
                sources=line.sources,
                late_days=days,
                late_fee_rate=daily_rate,
                # The employer paid neither share on time: the fee runs on both (the employer
                # withholds and pays the employee's, 社会保险法 第六十条), and is the employer's.
                late_fee=late_fee(employer + employee, daily_rate=daily_rate, days=days),
                late_fee_rule=RULE_LATE_FEE,
            )
        )
    hf = contributions.housing_fund
    paid = basis.paid.get(HOUSING_FUND_CODE, nothing)
    employer = _missing(hf.employer, paid.employer)
    employee = _missing(hf.employee, paid.employee)
    if employer or employee:
        items.append(
            BackPayItem(
                code=HOUSING_FUND_CODE,
                label=HOUSING_FUND_LABEL,
                wage_base=hf.wage_base,
                base=hf.base,
                clamped=hf.clamped,
                floor=hf.floor,
                ceiling=hf.ceiling,
                employer_rate=hf.rate,
                employee_rate=hf.rate,
                employer_fixed=ZERO,
                employee_fixed=ZERO,
                employer_due=hf.employer,
                employee_due=hf.employee,
                employer_paid=paid.employer,
                employee_paid=paid.employee,
                employer=employer,
                employee=employee,
                rounding=hf.rounding,
                period=hf.period,
                sources=hf.sources,
                late_days=days,
                late_fee_rate=ZERO,
                late_fee=apply_rounding(ZERO, LATE_FEE_ROUNDING),
                late_fee_rule=RULE_HOUSING_FUND_NO_LATE_FEE,
            )
        )
    else:
        settled.append(HOUSING_FUND_CODE)
    figure = rules.late_fee_daily_rate
    return BackPayMonth(
        month=basis.month,
        city=snapshot.policy.city,
        origin=basis.origin,
        due=due,
        late_days=days,
        late_fee_rate=daily_rate,
        late_fee_source=figure.source,
        late_fee_confidence=figure.confidence,
        late_fee_period=f"{rules.start}..{rules.end if rules.end is not None else ''}",
        items=tuple(items),
        settled=tuple(settled),
        warnings=contributions.warnings,
    )


def calculate_backpay(
    library: PolicyLibrary,
    bases: Sequence[MonthBasis],
    *,
    hire_month: Month,
    last_employed: Month | None,
    today: datetime.date,
    pay_date: datetime.date,
) -> BackPayResult:
    """Every month asked, in order, with its missing items and late fees as of ``pay_date``."""
    months = check_months(
        [basis.month for basis in bases],
        hire_month=hire_month,
        last_employed=last_employed,
        today=today,
    )
    if pay_date < today:
        raise PayDatePastError(field="pay_date", date=pay_date.isoformat(), today=today.isoformat())
    position = {basis.month: index for index, basis in enumerate(bases)}
    by_month = {basis.month: basis for basis in bases}
    return BackPayResult(
        pay_date=pay_date,
        months=tuple(
            calculate_month(
                library, by_month[month], pay_date=pay_date, field=f"months[{position[month]}]"
            )
            for month in months
        ),
    )
