"""The demand letter (催缴函): what the employee owes for shares the company advanced, as a PDF.

The seed story's letter: the company paid 王芳's own share of social insurance and housing fund
in the months her wages did not cover it, offset part of it against her final pay, and asks for
the rest by a set date, sent by EMS. The letter is evidence in a later arbitration, so:

* it is built from plain values (no database access here; a service fetches and passes them),
  and the totals are checked: what it asks for is exactly the advances less the offsets;
* the same letter renders to the same PDF bytes, so its hash can be recorded when it is sent
  (the PDF's creation and modification dates are the issue date, never the rendering time);
* rendering fetches nothing: fonts come from fontconfig and any URL in the HTML is refused.

The legal citations are data at the top of this module, so a lawyer can review and edit them
without touching the layout.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import cn2an
from django.template.loader import render_to_string

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import CENT, ZERO, format_money, parse_money
from renshi.core.months import Month
from renshi.core.policy import InsuranceKind
from renshi.people.identity import is_masked
from renshi.web.pdf import html_to_pdf

TEMPLATE = "notices/demand_letter.html"
TITLE = "催缴函"

# --- Legal basis: the texts cited in the letter. Review with counsel before changing. ---------
#
# Each string is printed as one numbered item. Quotations are verbatim from the published
# texts; "……" marks where a quotation stops before the end of the provision.

# The employee's own share exists by statute: each of the three insurances with an employee
# share is paid "由用人单位和职工共同缴纳". (Work injury and maternity have no employee share:
# 社会保险法 第三十三条、第五十三条, so they never appear on a letter.)
SOCIAL_INSURANCE_LAW_SHARES = (
    "《中华人民共和国社会保险法》第十条第一款、第二十三条第一款、第四十四条："
    "基本养老保险费、职工基本医疗保险费和失业保险费由用人单位和职工共同缴纳。"
)
# The company's role is withholding agent for the employee's share: it deducts from wages and
# remits; when the wage is too small it pays the rest in the employee's name (the advance).
SOCIAL_INSURANCE_LAW_ART_60 = (
    "《中华人民共和国社会保险法》第六十条第一款："
    "“职工应当缴纳的社会保险费由用人单位代扣代缴，"
    "用人单位应当按月将缴纳社会保险费的明细情况告知本人。”"
)
# Article 19 (withholding) is the one in point; article 18 only sets how the monthly deposit
# is computed, which the letter does not argue about.
HOUSING_FUND_REGULATION_ART_19 = (
    "《住房公积金管理条例》第十九条第一款："
    "“职工个人缴存的住房公积金，由所在单位每月从其工资中代扣代缴。”"
)
# The claim to repayment: the employee was relieved of her own debt to the funds without legal
# ground at the company's expense (不当得利).
CIVIL_CODE_ART_985 = (
    "《中华人民共和国民法典》第九百八十五条："
    "“得利人没有法律根据取得不当利益的，受损失的人可以请求得利人返还取得的利益……”"
)
# 无因管理 is not cited by default: it requires that the manager had "没有法定的或者约定的义务",
# and the employer arguably had a statutory duty to remit the contributions in full
# (社会保险法 第六十条 "按时足额缴纳"). Counsel may add it as an alternative ground.
CIVIL_CODE_ART_979 = (
    "《中华人民共和国民法典》第九百七十九条第一款："
    "“管理人没有法定的或者约定的义务，为避免他人利益受损失而管理他人事务的，"
    "可以请求受益人偿还因管理事务而支出的必要费用……”"
)

DEFAULT_CONSEQUENCES = (
    "如您未在上述期限内支付，本公司将依法申请劳动争议仲裁或通过其他法律途径追偿。"
    "如您对上述金额有异议，请在期限届满前与本公司联系核对。"
)

# The employee's share per item, as the letter names it; keyed like ``ArrearsEntry.items``.
HOUSING_FUND_CODE = "housing_fund"
ITEM_LABELS: Mapping[str, str] = {
    InsuranceKind.PENSION.value: "养老保险（个人部分）",
    InsuranceKind.MEDICAL.value: "医疗保险（个人部分）",
    InsuranceKind.UNEMPLOYMENT.value: "失业保险（个人部分）",
    HOUSING_FUND_CODE: "住房公积金（个人部分）",
}
_HOUSING_FUND_MARK = "公积金"  # an item label with it is a housing fund line
_INSURANCE_MARK = "保险"  # and one with this a social insurance line

# --- Errors ---------------------------------------------------------------------------------

TOTAL_MISMATCH = gettext_noop(
    "total owed {total} is not the advances {advanced} plus the offsets {offsets} ({expected})"
)
NOTHING_OWED = gettext_noop("total owed {total}: a demand letter asks for more than zero")
NO_LINES = gettext_noop("a demand letter lists at least one advance")
NOT_CENTS = gettext_noop("{field}: '{value}' is not an amount in yuan and fen")
OFFSET_NOT_NEGATIVE = gettext_noop("offset '{description}' {amount}: offsets are negative")
DEADLINE_NOT_AFTER_ISSUE = gettext_noop(
    "deadline {deadline} is not after the issue date {issue_date}"
)
ID_NOT_MASKED = gettext_noop("the resident ID on a letter must be masked, e.g. **************152X")
REQUIRED_TEXT = gettext_noop("{field}: required on a demand letter")
UNKNOWN_ITEM = gettext_noop("{field}: '{value}' is not an item with an employee share")
NEGATIVE_CAPITALS = gettext_noop("{value}: amounts in capitals are not negative")


class DemandLetterError(CoreError):
    """A letter that cannot be sent as given; ``template`` is one of the constants above."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template  # type: ignore[misc]
        super().__init__(**params)


# --- Values -----------------------------------------------------------------------------------


def _cents(amount: object, *, field: str) -> Decimal:
    """A Decimal with at most two places; floats and sub-fen amounts are refused."""
    if not isinstance(amount, Decimal):
        raise DemandLetterError(NOT_CENTS, field=field, value=amount)
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise DemandLetterError(NOT_CENTS, field=field, value=amount)
    return amount


@dataclass(frozen=True, slots=True)
class LetterLine:
    """One advance: a month, the item in Chinese (``养老保险（个人部分）``) and the amount."""

    month: str
    item: str
    amount: Decimal

    def __post_init__(self) -> None:
        Month.parse(self.month, field="line.month")
        if not self.item.strip():
            raise DemandLetterError(REQUIRED_TEXT, field="line.item")
        _cents(self.amount, field=f"{self.month} {self.item}")


@dataclass(frozen=True, slots=True)
class PaymentInstructions:
    """Where to pay and what to quote so the payment can be matched to the letter."""

    bank_name: str
    account_name: str
    account_number: str
    reference: str


@dataclass(frozen=True, kw_only=True)
class DemandLetter:
    """Everything printed on one 催缴函. ``total_owed`` must equal the lines plus the offsets.

    ``offsets`` are (description, negative amount), e.g. the final settlement's offset.
    ``legal_basis`` defaults to the citations that fit the lines (see ``default_legal_basis``).
    """

    letter_number: str
    company_name: str
    company_address: str
    company_phone: str
    company_credit_code: str
    employee_name: str
    employee_number: str
    employee_id_masked: str
    employee_address: str = ""
    lines: Sequence[LetterLine]
    offsets: Sequence[tuple[str, Decimal]] = ()
    total_owed: Decimal
    deadline: datetime.date
    payment: PaymentInstructions
    contact_person: str
    contact_phone: str
    issue_date: datetime.date
    legal_basis: Sequence[str] | None = None
    consequences: str = DEFAULT_CONSEQUENCES

    def __post_init__(self) -> None:
        for name in (
            "letter_number",
            "company_name",
            "employee_name",
            "contact_person",
            "contact_phone",
            "consequences",
        ):
            if not str(getattr(self, name)).strip():
                raise DemandLetterError(REQUIRED_TEXT, field=name)
        if not is_masked(self.employee_id_masked):
            raise DemandLetterError(ID_NOT_MASKED)
        lines = tuple(self.lines)
        if not lines:
            raise DemandLetterError(NO_LINES)
        offsets = tuple((str(text), amount) for text, amount in self.offsets)
        for text, amount in offsets:
            if _cents(amount, field=text) >= ZERO:
                raise DemandLetterError(OFFSET_NOT_NEGATIVE, description=text, amount=amount)
        total = _cents(self.total_owed, field="total_owed")
        advanced = sum((line.amount for line in lines), ZERO)
        offset_total = sum((amount for _, amount in offsets), ZERO)
        if total != advanced + offset_total:
            raise DemandLetterError(
                TOTAL_MISMATCH,
                total=total,
                advanced=advanced,
                offsets=offset_total,
                expected=advanced + offset_total,
            )
        if total <= ZERO:
            raise DemandLetterError(NOTHING_OWED, total=total)
        if self.deadline <= self.issue_date:
            raise DemandLetterError(
                DEADLINE_NOT_AFTER_ISSUE, deadline=self.deadline, issue_date=self.issue_date
            )
        basis = default_legal_basis(lines) if self.legal_basis is None else self.legal_basis
        # Frozen: normalise the sequences to tuples once, so the letter cannot change later.
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "legal_basis", tuple(basis))

    @property
    def advanced_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def months(self) -> tuple[str, ...]:
        """The months with an advance, in order."""
        return tuple(sorted({line.month for line in self.lines}))


def default_legal_basis(lines: Iterable[LetterLine]) -> tuple[str, ...]:
    """The statutes for the items on the letter, then the civil-law ground for repayment."""
    items = [line.item for line in lines]
    has_insurance = any(_INSURANCE_MARK in item or _HOUSING_FUND_MARK not in item for item in items)
    has_housing_fund = any(_HOUSING_FUND_MARK in item for item in items)
    basis: list[str] = []
    if has_insurance:
        basis += [SOCIAL_INSURANCE_LAW_SHARES, SOCIAL_INSURANCE_LAW_ART_60]
    if has_housing_fund:
        basis.append(HOUSING_FUND_REGULATION_ART_19)
    basis.append(CIVIL_CODE_ART_985)
    return tuple(basis)


def letter_lines_from_items(month: str, items: Mapping[str, object]) -> tuple[LetterLine, ...]:
    """Lines for one month from an advance's ``items`` (``{"pension": "572.96", ...}``).

    Items come out in the order of ``ITEM_LABELS``; zero items are left out.
    """
    for code in items:
        if code not in ITEM_LABELS:
            raise DemandLetterError(UNKNOWN_ITEM, field=f"{month} items", value=code)
    lines = []
    for code, label in ITEM_LABELS.items():
        if code in items:
            amount = _cents(parse_money(items[code], field=code), field=f"{month} {code}")
            if amount:
                lines.append(LetterLine(month, label, amount))
    return tuple(lines)


# --- Formatting -------------------------------------------------------------------------------


def amount_in_capitals(amount: Decimal) -> str:
    """The amount in Chinese financial capitals (大写金额), e.g. 1500.00 → 壹仟伍佰元整.

    cn2an's "rmb" mode follows 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的
    基本规定》 for everything a letter prints; checked for 1500.00 壹仟伍佰元整, 1606.01
    壹仟陆佰零陆元零壹分 (零 between 元 and a lone 分), 287.98 贰佰捌拾柒元玖角捌分, 3500.00
    叁仟伍佰元整, 0.50 伍角 (no 零元 before it; 整 after 角 is optional), 10.00 壹拾元整 (the
    rule keeps 壹 before 拾), 100000.07 壹拾万元零柒分, 10010.50 壹万零壹拾元伍角, 0.00 零元整,
    so its output is used unchanged. What it gets wrong is input: it silently rounds a third
    decimal away (1.005 → 壹元整) and writes 负 for negatives, so both are refused here.
    """
    value = _cents(amount, field="amount")
    if value < ZERO:
        raise DemandLetterError(NEGATIVE_CAPITALS, value=value)
    return str(cn2an.an2cn(format_money(value), "rmb"))


def chinese_date(day: datetime.date) -> str:
    """``2025年10月20日``: the form a Chinese letter is dated in."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(month: str) -> str:
    """``2025-06`` → ``2025年6月``."""
    parsed = Month.parse(month)
    return f"{parsed.year}年{parsed.month}月"


def _what_was_advanced(lines: Sequence[LetterLine]) -> str:
    basis = default_legal_basis(lines)
    has_insurance = SOCIAL_INSURANCE_LAW_ART_60 in basis
    has_housing_fund = HOUSING_FUND_REGULATION_ART_19 in basis
    if has_insurance and has_housing_fund:
        return "社会保险费和住房公积金"
    if has_housing_fund:
        return "住房公积金"
    return "社会保险费"


def _table(lines: Sequence[LetterLine]) -> list[dict[str, Any]]:
    """One group per month: its rows, and a subtotal when it has more than one."""
    groups: list[dict[str, Any]] = []
    for month in sorted({line.month for line in lines}):
        rows = [line for line in lines if line.month == month]
        subtotal = sum((line.amount for line in rows), ZERO)
        groups.append(
            {
                "month": chinese_month(month),
                "rows": [{"item": r.item, "amount": format_money(r.amount)} for r in rows],
                "rowspan": len(rows) + (1 if len(rows) > 1 else 0),
                "subtotal": format_money(subtotal) if len(rows) > 1 else "",
            }
        )
    return groups


def demand_letter_context(letter: DemandLetter) -> dict[str, Any]:
    """The template's context: every figure and date already in the form it is printed in."""
    months = [chinese_month(month) for month in letter.months]
    return {
        "title": TITLE,
        "letter": letter,
        "issue_date_iso": letter.issue_date.isoformat(),
        "issue_date": chinese_date(letter.issue_date),
        "deadline": chinese_date(letter.deadline),
        "months": "、".join(months),
        "what": _what_was_advanced(letter.lines),
        "groups": _table(letter.lines),
        "advanced_total": format_money(letter.advanced_total),
        "offsets": [
            {"description": text, "amount": format_money(amount)} for text, amount in letter.offsets
        ],
        "total": format_money(letter.total_owed),
        "total_capitals": amount_in_capitals(letter.total_owed),
        "legal_basis": list(letter.legal_basis or ()),
    }


def render_demand_letter_html(letter: DemandLetter) -> str:
    return render_to_string(TEMPLATE, demand_letter_context(letter))


def render_demand_letter_pdf(letter: DemandLetter) -> bytes:
    """The letter as an A4 PDF; the same letter always gives the same bytes.

    WeasyPrint writes no date of its own when the HTML names one (``dcterms.created`` and
    ``dcterms.modified`` carry the issue date), adds no /ID unless asked, and names font
    subsets by a hash of the glyphs used; so the output depends only on the letter, WeasyPrint's
    version and the installed fonts.
    """
    return html_to_pdf(render_demand_letter_html(letter))
