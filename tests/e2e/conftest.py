"""Browser tests: a real headless Chromium (Debian's) against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, so Django would refuse
database access there (``SynchronousOnlyOperation``) while tearing down the transactional
database. ``DJANGO_ALLOW_ASYNC_UNSAFE`` is the documented way round it for Playwright with
``live_server``; it must be set before any database access.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("RENSHI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_SERVICES = (
    os.environ.get("RENSHI_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
)


def _missing(reason: str) -> None:
    message = f"Chromium is required for the browser tests but not available: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run; never downloaded, Debian's package only."""
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing (install Debian's `chromium` package)")
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as error:
            _missing(f"{CHROMIUM} did not start: {error}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in a fresh context: no cookies, so no language carried over.

    The browser asks for English (``Accept-Language: en-US``) on purpose: unprefixed pages
    must still be Chinese, the site's default, whatever the browser prefers.
    """
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
