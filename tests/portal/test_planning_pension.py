"""The portal's pension simulator: prefilled from the records, figures equal to the core's,
errors under the field at fault, a partial for htmx and the whole page otherwise."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import make_company
from tests.payroll.factories import assign_salary, run_month
from tests.portal.planning_fixtures import NOW, employee_with_account, signed_in

from renshi.core.money import format_money
from renshi.core.months import Month
from renshi.core.pension import (
    RetirementCategory,
    career_projection,
    pension_estimate,
)

pytestmark = pytest.mark.django_db

URL = "/en" + reverse("portal:pension")  # English pages: the assertions read English


@pytest.fixture(autouse=True)
def _fixed_clock(settings):
    settings.RENSHI_SIMULATED_NOW = NOW


def _params(**overrides):
    params = {
        "birth": "1990-05",
        "category": "male",
        "avg_wage": "10000",
        "years_here": "5",
        "account_here": "40000",
        "index_so_far": "1",
        "years_before": "3",
        "account_before": "20000",
        "future_years": "20",
        "future_index": "1.2",
        "gap_months": "3",
    }
    params.update(overrides)
    return params


def _text(response, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', response.content.decode())
    assert match, f"no element #{element_id}"
    return match.group(1).strip()


def test_a_man_born_in_may_1990_retires_in_may_2053_at_63_with_the_cores_figures(client):
    employee = employee_with_account()
    signed_in(client, employee)

    response = client.get(URL, _params())

    assert response.status_code == 200
    career = career_projection(
        average_wage=Decimal("10000"),
        years_so_far=Decimal("8"),
        index_so_far=Decimal("1"),
        account_so_far=Decimal("60000"),
        future_years=Decimal("20"),
        future_index=Decimal("1.2"),
    )
    estimate = pension_estimate(
        birth=Month(1990, 5),
        category=RetirementCategory.MALE,
        average_wage=Decimal("10000"),
        contribution_index=career.contribution_index,
        contribution_years=career.contribution_years,
        account_balance=career.account_balance,
        gap_months=3,
        gap_base=Decimal("12000"),
    )
    assert estimate.retirement.month == Month(2053, 5)
    assert estimate.retirement.age_years == 63
    assert _text(response, "retirement-month") == "2053-05"
    assert _text(response, "pension-total") == format_money(estimate.total_pension)
    assert _text(response, "pension-basic") == format_money(estimate.basic_pension)
    assert _text(response, "pension-personal") == format_money(estimate.personal_account_pension)
    assert estimate.gap_cost is not None
    assert format_money(estimate.gap_cost.monthly_loss) in _text_block(response, "pension-gap")
    assert 'id="pension-result"' in response.content.decode()


def _text_block(response, element_id):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</div>", start)]


def test_the_seed_example_a_3_month_gap_at_10000_costs_2400_and_about_17_a_month_at_60(client):
    # Born 1964-12: unaffected by the reform, retires at 60 (divisor 139).
    employee = employee_with_account(birth=datetime.date(1964, 12, 1))
    signed_in(client, employee)

    response = client.get(
        URL, _params(birth="1964-12", future_years="0", future_index="1", index_so_far="1")
    )

    gap = _text_block(response, "pension-gap")
    assert "2400.00" in gap
    assert "17.27" in gap  # 2400 ÷ 139


def test_a_woman_worker_retires_earlier_than_a_woman_cadre(client):
    employee = employee_with_account(gender="female", birth=datetime.date(1985, 3, 2))
    signed_in(client, employee)

    cadre = client.get(URL, _params(birth="1985-03", category="female_cadre"))
    worker = client.get(URL, _params(birth="1985-03", category="female_worker"))

    # Born 1985-03: cadres 55 → 58 (2043-03), workers 50 → 55 (2040-03).
    assert _text(cadre, "retirement-month") == "2043-03"
    assert _text(worker, "retirement-month") == "2040-03"


def test_a_man_is_not_offered_the_womens_categories(client):
    signed_in(client, employee := employee_with_account())

    response = client.get(URL, _params(category="female_worker"))

    assert employee.gender == "male"
    form = response.context["form"]
    assert [value for value, _label in form.fields["category"].choices] == ["male"]
    assert list(form.errors) == ["category"]
    assert 'id="pension-result"' not in response.content.decode()


def test_the_page_is_prefilled_from_the_records_and_computes_at_once(client):
    company = make_company(city="beijing")
    employee = employee_with_account(company, start_month="2025-01")
    assign_salary(employee, base="10000", month="2025-01")
    run_month(company, "2025-01")
    run_month(company, "2025-02")
    run_month(company, "2025-03", approve=False)  # not the employee's to see yet
    signed_in(client, employee)

    response = client.get(URL)

    html = response.content.decode()
    form = response.context["form"]
    # Enrolled from 2025-01; the last complete month on 2025-11-07 is October: 10 months.
    assert form.data["years_here"] == "0.83"
    # Two approved payslips with 800.00 of pension each.
    assert form.data["account_here"] == "1600.00"
    # Beijing's pension ceiling 35811 ÷ 3 = 11937.00; 10000 ÷ 11937 = 0.84.
    assert form.data["avg_wage"] == "11937.00"
    assert form.data["index_so_far"] == "0.84"
    assert form.data["birth"] == "1990-05"
    assert form.data["gap_months"] == "3"
    assert response.context["result"]["retirement_month"] == "2053-05"
    # The years ahead follow the retirement month: 2025-11 to 2053-05 is 330 months.
    assert response.context["result"]["career"]["future_years"] == "27.50"
    assert 'id="pension-form"' in html
    assert 'id="pension-simulate"' in html


def test_htmx_gets_the_panel_alone_and_a_plain_request_the_whole_page(client):
    signed_in(client, employee_with_account())

    partial = client.get(URL, _params(), HTTP_HX_REQUEST="true")
    full = client.get(URL, _params())

    assert "<html" not in partial.content.decode()
    assert 'id="pension-panel"' in partial.content.decode()
    assert 'id="pension-result"' in partial.content.decode()
    assert "<html" in full.content.decode()
    assert "vendor/echarts/echarts.min.js" in full.content.decode()
    assert 'hx-get="' in full.content.decode()


def test_the_chart_data_is_valid_json_with_amounts_as_strings(client):
    signed_in(client, employee_with_account())

    response = client.get(URL, _params())

    html = response.content.decode()
    assert 'id="pension-chart"' in html
    raw = re.search(
        r'<script id="pension-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert raw
    data = json.loads(raw.group(1))
    assert [point["months"] for point in data["points"]] == list(range(0, 37, 3))
    first, last = data["points"][0], data["points"][-1]
    assert isinstance(first["basic"], str)
    assert isinstance(first["personal"], str)
    # No gap: the estimate itself; a longer gap: less of both parts.
    assert Decimal(first["basic"]) + Decimal(first["personal"]) == Decimal(
        _text(response, "pension-total")
    )
    assert Decimal(last["basic"]) < Decimal(first["basic"])
    assert Decimal(last["personal"]) < Decimal(first["personal"])


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("future_index", "4", "at most 3"),
        ("index_so_far", "0", "at most 3"),
        ("avg_wage", "0", "above zero"),
        ("account_before", "-5", "must not be negative"),
        ("years_here", "-1", "must not be negative"),
        ("years_before", "59", "between 0 and 60"),
        ("birth", "1990-13", "YYYY-MM"),
        ("avg_wage", "lots", "not an amount of money"),
        ("gap_months", "-1", "whole number"),
        ("future_years", "55", "more than 60"),
    ],
)
def test_a_bad_value_is_refused_under_its_own_field(client, field, value, expected):
    signed_in(client, employee_with_account())

    response = client.get(URL, _params(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["result"] is None
    assert list(form.errors) == [field]
    assert expected in form.errors[field][0]
    assert str(form.fields[field].label) in form.errors[field][0]
    assert 'id="pension-result"' not in response.content.decode()


def test_years_short_of_the_minimum_are_warned_with_the_missing_months(client):
    signed_in(client, employee_with_account(birth=datetime.date(1964, 12, 1)))

    response = client.get(
        URL, _params(birth="1964-12", years_here="10", years_before="2", future_years="0")
    )

    # 12 years against 15 for a pension starting in 2024: 36 months missing.
    warning = _text(response, "pension-short")
    assert "36" in warning
    assert "15" in warning


def test_a_former_employee_can_still_simulate(client):
    employee = employee_with_account(status="left", leave_date=datetime.date(2025, 9, 12))
    signed_in(client, employee)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["result"] is not None


def test_the_simulator_needs_a_signed_in_employee(client):
    response = client.get(URL)

    assert response.status_code == 302
