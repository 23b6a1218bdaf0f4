"""HTML to PDF, the one way Renshi does it: WeasyPrint, with nothing fetched from anywhere.

Letters, payslips and the case timeline are documents someone may rely on, so a PDF must not
depend on a URL that could change or be unreachable: every stylesheet is inline and the fonts
are the installed Noto CJK. WeasyPrint logs each step at INFO, which is noise in a server's or a
command's output, so its progress log is quieted while it renders.
"""

from __future__ import annotations

import logging


def html_to_pdf(html: str) -> bytes:
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
