"""The workspace on the demo company, as the lead's browser test and a visitor meet it: the
open October run shows the seed story's warnings (HX0003's share not covered, HX0001 王芳's
arrears), and each demo account lands on the cards of its role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from renshi.demo import demo_company_load
from renshi.payroll.models import PayrollRun

pytestmark = pytest.mark.django_db


def test_the_open_demo_run_shows_the_seed_storys_warnings(client):
    demo_company_load(employees=6)
    users = get_user_model().objects
    run = PayrollRun.objects.get(company__code="huaxia", month="2025-10")
    client.force_login(users.get(username="hr"))

    home = client.get("/work/")
    page = client.get(f"/work/payroll/{run.pk}/")

    assert home.context["run"] == run
    html = page.content.decode()
    block = html[html.index('id="run-warnings"') : html.index('id="run-payslips"')]
    assert "HX0003" in block
    assert "HX0001" in block
    assert "王芳" in block
    rules = {row["employee"]: set() for row in page.context["warnings"]}
    for row in page.context["warnings"]:
        rules[row["employee"]].add(row["rule"])
    assert "share_not_covered" in rules["HX0003"]
    assert "arrears_over" in rules["HX0001"]
    client.force_login(users.get(username="finance"))
    assert 'id="run-approve"' in client.get(f"/work/payroll/{run.pk}/").content.decode()
    client.force_login(users.get(username="wangfang"))
    assert client.get("/work/").status_code == 403
