"""One payslip as the employee reads it: its lines grouped, each with its explanation.

Shared by the payslip page and its PDF, so both say the same thing. Every explanation is the
line's own ``Message`` (``renshi.payroll.selectors.line_explanation``) rendered in the reader's
language; nothing is recalculated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.core.money import ZERO
from renshi.core.policy import UnknownCity
from renshi.payroll.models import Payslip, PayslipLine
from renshi.payroll.presenters import line_label
from renshi.payroll.selectors import line_explanation
from renshi.policies.selectors import policy_library

# Line kinds (renshi.core.payroll.LineKind) by the group the payslip shows them in, in order.
GROUPS: tuple[tuple[str, Any, frozenset[str]], ...] = (
    ("earnings", _("Earnings"), frozenset({"earning"})),
    ("time", _("Leave and absence deductions"), frozenset({"time_deduction"})),
    ("deductions", _("Other deductions"), frozenset({"deduction"})),
    ("gross", _("Gross pay"), frozenset({"gross"})),
    (
        "contributions",
        _("Social insurance and housing fund"),
        frozenset({"contribution", "housing_fund"}),
    ),
    ("tax", _("Income tax"), frozenset({"tax"})),
    ("arrears", _("Share advanced and arrears"), frozenset({"advance", "recovery"})),
    ("net", _("Net pay"), frozenset({"net"})),
)
# How each kind moves the pay, for the sign shown before the amount.
SIGNS = {
    "earning": "+",
    "time_deduction": "−",
    "deduction": "−",
    "contribution": "−",
    "housing_fund": "−",
    "tax": "−",
    "recovery": "−",
    "advance": "+",
}


@dataclass(frozen=True, slots=True)
class LineView:
    code: str
    kind: str
    label: str
    sign: str
    amount: Decimal
    employer_amount: Decimal
    base: Decimal | None
    rate: Decimal | None
    period: str
    explanation: str

    @property
    def rate_percent(self) -> str:
        """The rate as a percentage without trailing zeros: 0.080000 → ``8``."""
        if self.rate is None:
            return ""
        return f"{(self.rate * 100).normalize():f}"


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    title: str
    lines: tuple[LineView, ...]


@dataclass(frozen=True, slots=True)
class PayslipView:
    payslip: Payslip
    groups: tuple[Group, ...]
    city_name: str
    periods: tuple[str, ...]
    tax_basis: dict[str, Any]

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)

    @property
    def contributions_total(self) -> Decimal:
        group = self.group("contributions")
        return sum((line.amount for line in group.lines), ZERO) if group else ZERO

    @property
    def employer_total(self) -> Decimal:
        group = self.group("contributions")
        return sum((line.employer_amount for line in group.lines), ZERO) if group else ZERO


def city_name(city: str, language: str | None) -> str:
    """The city's name from the policy library, in Chinese unless the reader reads English."""
    if not city:
        return ""
    try:
        policy = policy_library().city(city)
    except UnknownCity:
        return city
    return policy.name_en if (language or "").startswith("en") else policy.name_zh


def _line_view(line: PayslipLine) -> LineView:
    return LineView(
        code=line.code,
        kind=line.kind,
        label=line_label(line.code, line.params, gettext),
        sign=SIGNS.get(line.kind, ""),
        amount=line.amount,
        employer_amount=line.employer_amount,
        base=line.base,
        rate=line.rate,
        period=line.period,
        explanation=line_explanation(line).render(gettext),
    )


def payslip_view(payslip: Payslip, *, language: str | None) -> PayslipView:
    rows = list(payslip.lines.order_by("seq"))
    lines = [_line_view(line) for line in rows]
    groups = []
    for key, title, kinds in GROUPS:
        members = tuple(line for line in lines if line.kind in kinds)
        if members:
            groups.append(Group(key, str(title), members))
    contribution_kinds = GROUPS[4][2]
    periods = tuple(
        sorted({ln.period for ln in lines if ln.kind in contribution_kinds and ln.period})
    )
    tax = next((line for line in rows if line.kind == "tax"), None)
    tax_basis = dict(tax.params) if tax is not None else {}
    return PayslipView(
        payslip=payslip,
        groups=tuple(groups),
        city_name=city_name(payslip.city, language),
        periods=periods,
        tax_basis=tax_basis,
    )
