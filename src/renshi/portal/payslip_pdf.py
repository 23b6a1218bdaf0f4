"""A payslip as an A4 PDF, in the reader's language, for the employee to keep or hand on
(a bank, a landlord, a visa application).

Rendered the way the demand letter and the evidence timeline are (``renshi.notices.letters``,
``renshi.evidence.package_timeline``): WeasyPrint over a template, fonts by family name through
fontconfig (Noto CJK), and no URL fetched, so the PDF depends on nothing outside the server.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from renshi.portal.records_payslip import PayslipView

TEMPLATE = "portal/records/payslip_pdf.html"


def payslip_filename(view: PayslipView) -> str:
    """``payslip-HX0001-2025-05.pdf``: the employee's number and the month."""
    payslip = view.payslip
    return f"payslip-{payslip.employee.number}-{payslip.month}.pdf"


def render_payslip_pdf(view: PayslipView, *, company_name: str) -> bytes:
    html = render_to_string(TEMPLATE, {"view": view, "company_name": company_name})
    # WeasyPrint logs each step at INFO, which is noise in the server's log.
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)
    try:
        # Imported here: WeasyPrint loads pango through cffi, which only PDF rendering needs.
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        fetcher = URLFetcher(allowed_protocols=frozenset())
        pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    finally:
        progress.setLevel(level)
    assert pdf is not None, "write_pdf without a target returns the bytes"
    return bytes(pdf)
