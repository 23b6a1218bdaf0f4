"""What a person sees in a real browser: the language, the calculators and the policy library."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Response

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")
BRAND = "人事 Renshi"
# Kept after the run so a person can look at the rendered result page.
SI_SCREENSHOT = Path(tempfile.gettempdir()) / "renshi-si.png"
CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "renshi"
    / "locale"
    / "zh_Hans"
    / "LC_MESSAGES"
    / "django.mo"
)


def _open(page: Page, live_server: Any, path: str) -> Response:
    response = page.goto(live_server.url + path)
    assert response is not None, f"{path} gave no response"
    assert response.ok, f"{path} answered {response.status}"
    return response


def _cell(row: Locator, column: int) -> str:
    return row.locator("td").nth(column).inner_text().strip()


def test_the_home_page_is_in_chinese_by_default(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    _open(page, live_server, "/")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".navbar-brand").inner_text().strip() == BRAND
    assert page.locator("select[name=language]").input_value() == "zh-hans"
    # The translated heading and footer, not the brand nor a city's Chinese name, prove that
    # the catalogue (locale/zh_Hans/LC_MESSAGES/django.mo) is compiled and used.
    assert CATALOGUE.exists(), f"{CATALOGUE} is missing: run `renshi compilemessages`"
    assert CJK.search(page.locator("main h1").inner_text()), "the home page heading is not Chinese"
    assert CJK.search(page.locator("footer").inner_text()), "the footer is not Chinese"
    screenshot = tmp_path / "home.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0


def test_switching_the_language_shows_the_page_in_english(page: Page, live_server: Any) -> None:
    _open(page, live_server, "/")

    with page.expect_navigation():
        page.locator("#language-form select[name=language]").select_option("en")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.rstrip("/").endswith("/en")
    assert page.locator("select[name=language]").input_value() == "en"
    assert not CJK.search(page.locator("main h1").inner_text())


def test_switching_back_to_chinese_returns_to_the_unprefixed_page(
    page: Page, live_server: Any
) -> None:
    _open(page, live_server, "/en/calc/si/")

    with page.expect_navigation():
        page.locator("#language-form select[name=language]").select_option("zh-hans")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.url == live_server.url + "/calc/si/"


def test_the_social_insurance_calculator_shows_both_shares_for_a_wage(
    page: Page, live_server: Any, fixture_policy_dir: Path
) -> None:
    _open(page, live_server, "/calc/si/")
    form = page.locator("#calc-form")
    form.locator("select[name=city]").select_option("testville")
    form.locator("input[name=month]").fill("2025-01")
    form.locator("input[name=wage]").fill("10000")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    pension = page.locator("#si-result tr[data-kind=pension]")
    assert pension.count() == 1
    assert _cell(pension, 3) == "1600.00"  # employer
    assert _cell(pension, 5) == "800.00"  # employee
    assert page.locator("#si-employee-total").inner_text().strip() == "1053.00"
    assert page.locator(".field-error").count() == 0
    # The city keeps its choice and the figures their inputs, so a second try starts from here.
    assert form.locator("select[name=city]").input_value() == "testville"
    assert form.locator("input[name=month]").input_value() == "2025-01"
    page.screenshot(path=str(SI_SCREENSHOT), full_page=True)
    assert SI_SCREENSHOT.stat().st_size > 0


def test_a_bad_month_shows_an_error_on_the_month_field(
    page: Page, live_server: Any, fixture_policy_dir: Path
) -> None:
    _open(page, live_server, "/calc/si/")
    form = page.locator("#calc-form")
    form.locator("select[name=city]").select_option("testville")
    form.locator("input[name=month]").fill("2025-13")
    form.locator("input[name=wage]").fill("10000")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    month_error = form.locator("input[name=month] ~ .field-error")
    assert month_error.count() >= 1
    assert month_error.first.is_visible()
    assert month_error.first.inner_text().strip()
    assert form.locator("input[name=wage] ~ .field-error").count() == 0
    assert page.locator("#si-result").count() == 0


def test_the_income_tax_calculator_reproduces_the_official_example(
    page: Page, live_server: Any
) -> None:
    _open(page, live_server, "/calc/iit/")
    form = page.locator("#calc-form")
    form.locator("input[name=monthly_income]").fill("30000")
    form.locator("input[name=special_deductions]").fill("4500")
    form.locator("input[name=additional_deductions]").fill("2000")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    rows = page.locator("#iit-result tbody tr:not(.result-total)")
    assert rows.count() == 12
    assert [_cell(rows.nth(i), 6) for i in range(3)] == ["555.00", "625.00", "1850.00"]
    assert page.locator("#iit-total").inner_text().strip() == "27480.00"


def test_the_policy_library_lists_every_city_with_its_confidence_counts(
    page: Page, live_server: Any, fixture_policy_dir: Path
) -> None:
    from renshi.policies.selectors import policy_library

    cities = policy_library().cities
    _open(page, live_server, "/policies/")

    rows = page.locator("#policy-list tbody tr")
    assert rows.count() == len(cities)
    assert "testville" in cities
    assert len(cities) > 1, "the bundled cities are missing beside the test city"
    links = [rows.nth(i).locator("td a").get_attribute("href") or "" for i in range(rows.count())]
    assert sorted(link.rstrip("/").rsplit("/", 1)[-1] for link in links) == sorted(cities)
    testville = page.locator("#policy-list tbody tr", has=page.locator("a[href$='/testville/']"))
    assert "测试市" in testville.inner_text()
    for i in range(rows.count()):
        counts = [_cell(rows.nth(i), column) for column in (4, 5, 6, 7)]
        assert all(count.isdigit() for count in counts), f"row {i}: confidence counts {counts}"
    # The made-up city marks every figure U, so it has no V and no R.
    assert [_cell(testville, column) for column in (4, 5)] == ["0", "0"]
    assert int(_cell(testville, 6)) > 0
