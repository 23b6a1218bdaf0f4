"""The REST API: a valid OpenAPI document, the calculators with the CLI's shapes, clear errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from renshi.config.api import api

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_valid_and_lists_the_calculators() -> None:
    # Validate the document as clients receive it: JSON, where status codes are strings.
    schema = json.loads(json.dumps(api.get_openapi_schema()))

    validate(schema)  # raises on any violation of the OpenAPI specification
    assert {
        "/api/v1/calc/si",
        "/api/v1/calc/iit",
        "/api/v1/calc/bonus",
        "/api/v1/calc/pension",
        "/api/v1/policies/",
    } <= set(schema["paths"])


def test_the_openapi_document_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Renshi API"


def test_the_api_docs_page_loads_its_assets_locally(client: Client) -> None:
    html = client.get("/api/v1/docs").content.decode()

    assert "swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html


def test_social_insurance_over_http(client: Client, fixture_policy_dir: object) -> None:
    response = client.post(
        "/api/v1/calc/si",
        {"city": "testville", "month": "2025-01", "wage": "10000"},
        content_type="application/json",
    )

    assert response.status_code == 200
    data = response.json()
    pension = next(item for item in data["items"] if item["kind"] == "pension")
    assert (pension["base"], pension["employer"], pension["employee"]) == (
        "10000.00",
        "1600.00",
        "800.00",
    )
    assert data["employee_total"] == "1053.00"
    assert data["housing_fund"]["rate"] == "0.07"


def test_a_bad_month_is_a_422_naming_the_field(client: Client) -> None:
    response = client.post(
        "/api/v1/calc/si",
        {"city": "beijing", "month": "2025-13", "wage": "10000"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["field"] == "month"
    assert response.json()["code"] == "MonthFormatError"


def test_an_error_speaks_the_language_asked_for(client: Client) -> None:
    english = client.post(
        "/api/v1/calc/bonus",
        {"amount": "-5"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert english.status_code == 422
    assert english.json()["field"] == "amount"
    assert "must not be negative" in english.json()["message"]


def test_income_tax_over_http_reproduces_the_official_example(client: Client) -> None:
    # STA explanation of 公告2018年第61号: 30,000 / 4,500 / 2,000 → 555, 625, 1,850.
    response = client.post(
        "/api/v1/calc/iit",
        {
            "year": 2025,
            "monthly_income": "30000",
            "special_deductions": "4500",
            "additional_deductions": "2000",
        },
        content_type="application/json",
    )

    months = response.json()["months"]
    assert [m["withholding"] for m in months[:3]] == ["555.00", "625.00", "1850.00"]


def test_bonus_and_pension_over_http(client: Client) -> None:
    bonus = client.post(
        "/api/v1/calc/bonus", {"amount": "36001"}, content_type="application/json"
    ).json()
    pension = client.post(
        "/api/v1/calc/pension",
        {
            "birth": "1960-05",
            "gender": "male",
            "avg_wage": "10000",
            "contribution_index": "1.0",
            "years": "30",
            "account_balance": "200000",
        },
        content_type="application/json",
    ).json()

    assert bonus["tax"] == "3390.10"
    assert (pension["retirement_month"], pension["divisor"], pension["total"]) == (
        "2020-05",
        139,
        "4438.85",
    )


def test_the_policy_library_over_http(client: Client, fixture_policy_dir: object) -> None:
    cities = client.get("/api/v1/policies/").json()
    testville = client.get("/api/v1/policies/testville").json()
    missing = client.get("/api/v1/policies/atlantis")

    assert "testville" in {c["city"] for c in cities}
    assert testville["social_insurance"][0]["items"]["pension"]["floor"]["value"] == "5000.00"
    assert testville["sources"]["test"]["title"] == "Test fixture"
    assert missing.status_code == 404


def test_special_additional_deductions_over_http(client: Client) -> None:
    # 国发〔2023〕13号: two children 2 × 2,000 + only child supporting parents 3,000
    # + rent in a major city 1,500 = 8,500 a month.
    ok = client.post(
        "/api/v1/calc/deductions",
        {"children": 2, "elderly_only_child": True, "rent_tier": "major"},
        content_type="application/json",
    )
    both = client.post(
        "/api/v1/calc/deductions",
        {"housing_loan": True, "rent_tier": "major"},
        content_type="application/json",
    )

    assert ok.json()["monthly"] == "8500.00"
    assert both.status_code == 422
    assert both.json()["field"] == "rent_tier"
