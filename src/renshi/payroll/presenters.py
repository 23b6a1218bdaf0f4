"""Payslips and ledgers as plain data in the reader's language, for the CLI, API and pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from renshi.core.i18n import gettext_noop
from renshi.core.money import format_money
from renshi.core.policy import INSURANCE_LABELS, InsuranceKind
from renshi.payroll.models import ArrearsKind, Payslip
from renshi.payroll.selectors import LedgerRow, line_explanation

Translate = Callable[[str], str]

LINE_LABELS = {
    "time.not_employed": gettext_noop("Days not employed"),
    "time.unpaid_leave": gettext_noop("Unpaid leave"),
    "time.sick_leave": gettext_noop("Sick leave"),
    "time.reduced_pay": gettext_noop("Long leave on reduced pay"),
    "gross": gettext_noop("Gross pay"),
    "hf": gettext_noop("Housing fund"),
    "iit": gettext_noop("Income tax"),
    "arrears.advance": gettext_noop("Share advanced by the company"),
    "arrears.recovery": gettext_noop("Arrears recovered"),
    "net": gettext_noop("Net pay"),
}


def line_label(code: str, params: dict[str, Any], translate: Translate) -> str:
    if code in LINE_LABELS:
        return translate(LINE_LABELS[code])
    if code.startswith("si."):
        return translate(INSURANCE_LABELS[InsuranceKind(code.removeprefix("si."))])
    return str(params.get("name", code))


def _money_or_blank(value: Any) -> str:
    return "" if value is None else format_money(value)


def payslip_data(payslip: Payslip, translate: Translate) -> dict[str, Any]:
    employee = payslip.employee
    return {
        "employee": employee.number,
        "name": employee.name,
        "month": payslip.month,
        "city": payslip.city,
        "is_final": payslip.is_final,
        "gross": format_money(payslip.gross),
        "employee_share": format_money(payslip.employee_share),
        "employer_share": format_money(payslip.employer_share),
        "iit": format_money(payslip.iit),
        "share_covered": format_money(payslip.share_covered),
        "advanced": format_money(payslip.advanced),
        "advanced_items": payslip.advanced_items,
        "recovered": format_money(payslip.recovered),
        "net": format_money(payslip.net),
        "arrears_before": format_money(payslip.arrears_before),
        "arrears_after": format_money(payslip.arrears_after),
        "lines": [
            {
                "code": line.code,
                "kind": line.kind,
                "label": line_label(line.code, line.params, translate),
                "amount": format_money(line.amount),
                "employer_amount": format_money(line.employer_amount),
                "base": _money_or_blank(line.base),
                "rate": "" if line.rate is None else f"{line.rate.normalize():f}",
                "period": line.period,
                "explanation": line_explanation(line).render(translate),
            }
            for line in payslip.lines.order_by("seq")
        ],
    }


def ledger_data(employee: Any, rows: Sequence[LedgerRow], translate: Translate) -> dict[str, Any]:
    labels = dict(ArrearsKind.choices)
    return {
        "employee": employee.number,
        "name": employee.name,
        "balance": format_money(rows[-1].balance) if rows else "0.00",
        "entries": [
            {
                "month": row.entry.month,
                "kind": row.entry.kind,
                "kind_label": str(labels[row.entry.kind]),
                "amount": format_money(row.entry.amount),
                "items": row.entry.items,
                "balance": format_money(row.balance),
                "reference": row.entry.reference,
                "note": row.entry.note,
                "recorded_at": row.entry.created_at.isoformat(),
            }
            for row in rows
        ],
    }
