"""A payslip as an A4 PDF, in the reader's language, for the employee to keep or hand on
(a bank, a landlord, a visa application).

Rendered the way the demand letter and the evidence timeline are (``renshi.notices.letters``,
``renshi.evidence.package_timeline``): WeasyPrint over a template, fonts by family name through
fontconfig (Noto CJK), and no URL fetched, so the PDF depends on nothing outside the server.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from renshi.portal.records_payslip import PayslipView
from renshi.web.pdf import html_to_pdf

TEMPLATE = "portal/records/payslip_pdf.html"


def payslip_filename(view: PayslipView) -> str:
    """``payslip-HX0001-2025-05.pdf``: the employee's number and the month."""
    payslip = view.payslip
    return f"payslip-{payslip.employee.number}-{payslip.month}.pdf"


def render_payslip_pdf(view: PayslipView, *, company_name: str) -> bytes:
    return html_to_pdf(render_to_string(TEMPLATE, {"view": view, "company_name": company_name}))
