"""Back-payment pages: the employee computes then submits, sees their requests and withdraws;
another employee sees none of it; HR's inbox lists it and accepts, rejects, completes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from renshi.backpay.models import BackPayRequest, BackPayState
from renshi.people.models import EmployeeStatus

pytestmark = pytest.mark.django_db

REQUEST_URL = "/me/backpay/"
INBOX_URL = "/work/backpay/"


def _digest(html: str) -> str:
    match = re.search(r'name="digest" value="([0-9a-f]{64})"', html)
    assert match is not None
    return match.group(1)


def _submit_through_the_page(client, months=("2024-05",), **extra):
    computed = client.post(REQUEST_URL, {"months": list(months), "action": "compute", **extra})
    return client.post(
        REQUEST_URL,
        {
            "months": list(months),
            "action": "submit",
            "digest": _digest(computed.content.decode()),
            "is_confirmed": "1",
            "reason": "入职后社保未缴",
            **extra,
        },
    )


def test_the_urls_keep_their_names():
    assert reverse("backpay:request") == REQUEST_URL
    assert reverse("backpay:inbox") == INBOX_URL
    assert reverse("backpay:detail", args=[7]) == "/work/backpay/7/"


def test_the_page_lists_the_gap_months_as_checkboxes(client, employee):
    client.force_login(employee.user)

    page = client.get(REQUEST_URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="backpay-form"' in html
    assert 'id="backpay-compute"' in html
    assert 'name="months" value="2024-01"' in html
    assert 'name="months" value="2024-12"' in html
    assert 'value="2025-01"' not in html  # enrolled
    assert 'id="backpay-result"' not in html


def test_compute_shows_the_table_totals_and_statement_and_writes_nothing(client, employee):
    client.force_login(employee.user)

    page = client.post(
        REQUEST_URL, {"months": ["2024-05"], "extra_month": "2024-06", "action": "compute"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="backpay-result"' in html
    assert 'id="backpay-confirm"' in html
    assert 'id="backpay-submit"' in html
    assert 'id="backpay-total"' in html
    assert 'data-month="2024-05"' in html
    assert 'data-month="2024-06"' in html
    assert 'data-item="si.pension"' in html
    assert not BackPayRequest.objects.exists()


def test_compute_shows_a_clear_error_for_a_month_before_hire(client, employee):
    client.force_login(employee.user)

    page = client.post(REQUEST_URL, {"extra_month": "2023-06", "action": "compute"})

    html = page.content.decode()
    assert 'id="backpay-error"' in html
    assert "2023-06" in html
    assert 'id="backpay-result"' not in html


def test_the_employee_computes_then_submits_and_sees_the_request(client, employee):
    client.force_login(employee.user)

    response = _submit_through_the_page(client)

    assert response.status_code == 302
    request = BackPayRequest.objects.get()
    assert request.employee == employee
    assert request.months == ["2024-05"]
    page = client.get(REQUEST_URL).content.decode()
    assert f'data-request="{request.pk}"' in page
    assert f'id="backpay-withdraw-{request.pk}"' in page
    assert "disabled" in page.split('value="2024-05"')[1].split(">")[0]


def test_submit_without_the_confirmation_shows_the_figures_again(client, employee):
    client.force_login(employee.user)
    computed = client.post(REQUEST_URL, {"months": ["2024-05"], "action": "compute"})

    page = client.post(
        REQUEST_URL,
        {"months": ["2024-05"], "action": "submit", "digest": _digest(computed.content.decode())},
    )

    html = page.content.decode()
    assert 'id="backpay-error"' in html
    assert 'id="backpay-result"' in html
    assert not BackPayRequest.objects.exists()


def test_another_employee_cannot_see_or_withdraw_the_request(client, employee, colleague):
    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()
    client.force_login(colleague.user)

    page = client.get(REQUEST_URL).content.decode()
    response = client.post(REQUEST_URL, {"action": "withdraw", "request": request.pk})

    assert f'data-request="{request.pk}"' not in page
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.state == BackPayState.SUBMITTED


def test_the_employee_withdraws_their_request(client, employee):
    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()

    response = client.post(REQUEST_URL, {"action": "withdraw", "request": request.pk})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == BackPayState.WITHDRAWN


def test_a_former_employee_gets_403(client, employee):
    employee.status = EmployeeStatus.LEFT
    employee.leave_date = datetime.date(2025, 9, 12)
    employee.save(update_fields=["status", "leave_date"])
    client.force_login(employee.user)

    assert client.get(REQUEST_URL).status_code == 403
    assert client.post(REQUEST_URL, {"months": ["2024-05"], "action": "compute"}).status_code == 403


def test_hr_inbox_lists_the_request_and_others_get_403(client, employee, hr, finance):
    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()

    assert client.get(INBOX_URL).status_code == 403
    assert client.get(f"/work/backpay/{request.pk}/").status_code == 403
    client.force_login(finance)
    assert client.get(INBOX_URL).status_code == 403
    client.force_login(hr)
    inbox = client.get(INBOX_URL)

    assert inbox.status_code == 200
    assert f'href="/work/backpay/{request.pk}/"' in inbox.content.decode()


def test_hr_accepts_then_completes(client, employee, hr):
    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()
    client.force_login(hr)
    detail = f"/work/backpay/{request.pk}/"

    page = client.get(detail).content.decode()
    assert 'id="backpay-accept"' in page
    assert 'data-item="si.pension"' in page
    client.post(detail, {"action": "accept", "note": ""})
    request.refresh_from_db()
    assert request.state == BackPayState.ACCEPTED
    assert 'id="backpay-complete"' in client.get(detail).content.decode()
    client.post(detail, {"action": "complete", "note": "回单 42"})

    request.refresh_from_db()
    assert request.state == BackPayState.DONE


def test_a_rejection_needs_a_note_and_the_employee_reads_it(client, employee, hr):
    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()
    client.force_login(hr)
    detail = f"/work/backpay/{request.pk}/"

    client.post(detail, {"action": "reject", "note": ""})
    request.refresh_from_db()
    assert request.state == BackPayState.SUBMITTED
    client.post(detail, {"action": "reject", "note": "该月已由前单位缴纳"})
    request.refresh_from_db()
    assert request.state == BackPayState.REJECTED

    client.force_login(employee.user)
    assert "该月已由前单位缴纳" in client.get(REQUEST_URL).content.decode()


def test_hr_of_another_company_gets_404_or_403_on_the_request(client, employee, hr):
    from tests.factories import grant_role, make_company, make_user

    from renshi.access.models import Role

    client.force_login(employee.user)
    _submit_through_the_page(client)
    request = BackPayRequest.objects.get()
    stranger = make_user("other-hr", is_staff=True)
    grant_role(stranger, make_company(code="other"), Role.HR)
    client.force_login(stranger)

    assert client.get(f"/work/backpay/{request.pk}/").status_code in (403, 404)
    assert f"/work/backpay/{request.pk}/" not in client.get(INBOX_URL).content.decode()
