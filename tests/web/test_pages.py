"""Pages: Chinese by default, English available, calculators and the policy library."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests.factories import make_user

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_home_page_is_chinese_by_default(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert CJK.search(html.replace("人事", ""))


def test_the_home_page_is_english_under_en(client: Client) -> None:
    html = client.get("/en/").content.decode()

    assert '<html lang="en">' in html
    assert "Social insurance" in html


def test_the_pages_load_no_asset_from_another_host(client: Client) -> None:
    html = client.get("/calc/si/").content.decode()

    assert not re.search(r'(src|href)="https?://', html)
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html


def test_the_bootstrap_asset_is_served_locally(client: Client) -> None:
    response = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")

    assert response.status_code == 200


def test_the_social_insurance_page_computes_from_the_form(
    client: Client, fixture_policy_dir: object
) -> None:
    response = client.get(
        "/en/calc/si/", {"city": "testville", "month": "2025-01", "wage": "10000"}
    )

    html = response.content.decode()
    assert 'id="si-result"' in html
    assert 'id="si-employee-total">1053.00<' in html


def test_a_bad_field_shows_its_error_on_the_form(
    client: Client, fixture_policy_dir: object
) -> None:
    response = client.get(
        "/en/calc/si/", {"city": "testville", "month": "2025-13", "wage": "10000"}
    )

    html = response.content.decode()
    assert "field-error" in html
    assert "YYYY-MM" in html
    assert 'id="si-result"' not in html


@pytest.mark.parametrize(
    ("path", "params", "marker"),
    [
        (
            "/en/calc/iit/",
            {
                "year": "2025",
                "monthly_income": "30000",
                "special_deductions": "4500",
                "additional_deductions": "2000",
                "start_month": "1",
            },
            'id="iit-total">27480.00<',
        ),
        ("/en/calc/bonus/", {"amount": "36001"}, 'id="bonus-tax">3390.10<'),
        (
            "/en/calc/pension/",
            {
                "birth": "1960-05",
                "gender": "male",
                "avg_wage": "10000",
                "contribution_index": "1.0",
                "years": "30",
                "account_balance": "200000",
            },
            'id="pension-total">4438.85<',
        ),
    ],
)
def test_each_calculator_page_shows_its_result(
    client: Client, path: str, params: dict[str, str], marker: str
) -> None:
    assert marker in client.get(path, params).content.decode()


def test_the_policy_pages_show_figures_with_confidence(
    client: Client, fixture_policy_dir: object
) -> None:
    listing = client.get("/policies/").content.decode()
    detail = client.get("/policies/testville/").content.decode()

    assert "testville" in listing
    assert "beijing" in listing
    assert "5000.00<sup>U</sup>" in detail
    assert client.get("/policies/atlantis/").status_code == 404


@pytest.mark.django_db
def test_people_sign_in_on_the_site_and_come_back_where_they_were(client):
    make_user("wangfang", password="s3cret-pass")  # an employee: no back-office access
    back = client.get("/leave/")
    assert back.status_code == 302
    assert back["Location"].startswith("/login/?next=")

    wrong = client.post("/login/", {"username": "wangfang", "password": "nope", "next": "/leave/"})
    assert 'id="login-error"' in wrong.content.decode()

    right = client.post(
        "/login/", {"username": "wangfang", "password": "s3cret-pass", "next": "/leave/"}
    )
    assert right.status_code == 302
    assert right["Location"] == "/leave/"
