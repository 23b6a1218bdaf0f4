"""The employee's payslips in the portal: only their own, only of approved or paid runs, each
line with its explanation, and the same payslip as a PDF; nobody else's by changing the id."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.utils import translation
from django.utils.html import escape
from tests.factories import grant_role, make_user
from tests.portal.records_fixtures import PASSWORD, build_story

from renshi.access.models import Role
from renshi.payroll import services
from renshi.payroll.models import Payslip
from renshi.payroll.selectors import line_explanation

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(settings):
    return build_story(settings)


def _signed_in(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def _payslip(employee, month):
    return Payslip.objects.get(employee=employee, month=month, calculation__run__month=month)


def _months_listed(response):
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-month="')[1:]]


def test_the_list_shows_the_visitors_approved_payslips_newest_first(client, story):
    response = _signed_in(client, "wangfang").get("/me/payslips/")

    assert response.status_code == 200
    # June's run is calculated but not approved: not hers to see yet.
    assert _months_listed(response) == ["2025-05", "2025-04", "2025-03", "2025-02", "2025-01"]
    html = response.content.decode()
    assert html.count("flag-advanced") == 2  # March and April
    assert html.count("flag-recovered") == 1  # May
    assert f'href="/me/payslips/{_payslip(story.li, "2025-05").pk}/"' not in html


def test_a_paid_run_stays_listed_and_a_run_back_to_calculated_disappears(client, story):
    may = story.wang.company.payroll_runs.get(month="2025-05")
    services.payroll_run_mark_paid(actor=None, run=may)
    _signed_in(client, "wangfang")
    assert "2025-05" in _months_listed(client.get("/me/payslips/"))

    april = story.wang.company.payroll_runs.get(month="2025-04")
    april.state = "calculated"  # as a reopened run is: no longer the employee's pay
    april.save(update_fields=["state"])

    assert "2025-04" not in _months_listed(client.get("/me/payslips/"))
    assert client.get(f"/me/payslips/{_payslip(story.wang, '2025-04').pk}/").status_code == 404


def test_an_hr_user_who_is_an_employee_sees_only_their_own_payslips_here(client, story):
    grant_role(story.wang.user, story.company, Role.HR)

    response = _signed_in(client, "wangfang").get("/me/payslips/")

    assert _months_listed(response) == ["2025-05", "2025-04", "2025-03", "2025-02", "2025-01"]
    other = _payslip(story.li, "2025-05")
    assert client.get(f"/me/payslips/{other.pk}/").status_code == 404
    june = Payslip.objects.get(employee=story.wang, calculation=story.june.calculation)
    assert client.get(f"/me/payslips/{june.pk}/").status_code == 404


def test_another_employee_cannot_open_the_payslip_or_its_pdf_by_changing_the_id(client, story):
    payslip = _payslip(story.wang, "2025-04")
    _signed_in(client, "liming")

    page = client.get(f"/me/payslips/{payslip.pk}/")
    pdf = client.get(f"/me/payslips/{payslip.pk}/pdf/")

    assert page.status_code == 404
    assert pdf.status_code == 404
    assert "王芳" not in page.content.decode()
    assert pdf.get("Content-Type") != "application/pdf"


def test_the_payslip_page_explains_every_line_and_links_the_citys_rules(client, story):
    payslip = _payslip(story.wang, "2025-05")

    response = _signed_in(client, "wangfang").get(f"/me/payslips/{payslip.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("zh-hans"):
        explanations = [
            line_explanation(line).render(translation.gettext) for line in payslip.lines.all()
        ]
    assert len(explanations) == 12
    for text in explanations:
        assert escape(text) in html
    assert 'href="/policies/beijing/"' in html
    assert "2024-07..2025-06" in html  # the policy period used
    assert 'id="tax-basis"' in html
    assert 'id="arrears-figures"' in html
    assert "¥5747.00" in html


def test_the_payslip_page_renders_in_english_too(client, story):
    payslip = _payslip(story.wang, "2025-04")
    _signed_in(client, "wangfang")

    response = client.get(f"/en/me/payslips/{payslip.pk}/")

    html = response.content.decode()
    assert "The pay left after tax" in html  # the advance line's explanation, in English
    assert "Leave and absence deductions" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_pdf_is_the_payslip_with_the_name_and_the_net_pay(client, story, tmp_path):
    payslip = _payslip(story.wang, "2025-05")

    response = _signed_in(client, "wangfang").get(f"/me/payslips/{payslip.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="payslip-HX0001-2025-05.pdf"'
    path = tmp_path / "payslip.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "王芳" in text
    assert "HX0001" in text
    assert "5747.00" in text
    assert "华夏精密制造有限公司" in text


def test_an_account_linked_to_no_employee_is_refused_with_the_reason(client, story):
    make_user("auditor", password=PASSWORD)
    _signed_in(client, "auditor")

    for url in ("/me/payslips/", f"/me/payslips/{_payslip(story.wang, '2025-05').pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "portal/not_linked.html" in [t.name for t in response.templates]


def test_a_visitor_not_signed_in_is_sent_to_sign_in(client, story):
    response = client.get("/me/payslips/")

    assert response.status_code == 302
    assert "next=/me/payslips/" in response["Location"]
