"""The notices back office: HR edits the settings and addresses, and sees the proof of each
notice scoped to its company, without any way to change or delete it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.factories import grant_role, make_company, make_employee, make_user

from renshi.access.models import Role
from renshi.alerts.services import alert_tick
from renshi.notices.models import (
    ContactAddress,
    DeliveryAttempt,
    DemandLetter,
    Notice,
    NoticeSettings,
)
from renshi.payroll.models import ArrearsEntry

pytestmark = pytest.mark.django_db

FULL_MONTH = {
    "pension": "572.96",
    "medical": "146.24",
    "unemployment": "35.81",
    "housing_fund": "851.00",
}


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def _hr(company) -> Client:
    user = make_user(is_staff=True)
    grant_role(user, company, Role.HR)
    client = Client()
    client.force_login(user)
    return client


def _notice_for(company, number: str) -> Notice:
    employee = make_employee(company, number=number, email=f"{number.lower()}@example.cn")
    ArrearsEntry.objects.create(
        company=company,
        employee=employee,
        month="2025-08",
        kind="advance",
        amount=Decimal("1606.01"),
        items=FULL_MONTH,
    )
    alert_tick(now=at("2025-09-01T09:00"))
    return Notice.objects.get(employee=employee)


@pytest.fixture
def companies():
    acme, other = make_company(code="acme"), make_company(code="other")
    _notice_for(acme, "A001")
    _notice_for(other, "B001")
    return acme, other


def test_hr_sees_the_attempts_of_its_company_and_cannot_delete_one(companies):
    acme, _other = companies
    client = _hr(acme)
    attempt = DeliveryAttempt.objects.get(delivery__notice__employee__number="A001")
    changelist = reverse("admin:notices_deliveryattempt_changelist")

    page = client.get(changelist)
    shown = list(page.context["cl"].result_list)
    detail = client.get(reverse("admin:notices_deliveryattempt_change", args=[attempt.pk]))
    delete = client.get(reverse("admin:notices_deliveryattempt_delete", args=[attempt.pk]))
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )

    assert page.status_code == 200
    assert shown == [attempt]  # not the other company's
    assert "delete_selected" not in page.context["cl"].model_admin.get_actions(page.wsgi_request)
    assert detail.status_code == 200
    assert attempt.sha256 in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    assert DeliveryAttempt.objects.filter(pk=attempt.pk).exists()


@pytest.mark.parametrize(
    "model",
    ["notice", "delivery", "noticeopening", "acknowledgement", "demandletter", "postaldispatch"],
)
def test_hr_may_list_the_proof_but_not_add_to_it(companies, model):
    client = _hr(companies[0])

    assert client.get(reverse(f"admin:notices_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:notices_{model}_add")).status_code == 403


def test_the_notices_can_be_searched_by_employee_number(companies):
    client = _hr(companies[0])

    found = client.get(reverse("admin:notices_notice_changelist"), {"q": "A001"})
    none = client.get(reverse("admin:notices_notice_changelist"), {"q": "B001"})

    assert [n.employee.number for n in found.context["cl"].result_list] == ["A001"]
    assert list(none.context["cl"].result_list) == []


def test_hr_edits_the_notice_settings_and_records_how_an_address_was_verified(companies):
    acme, other = companies
    client = _hr(acme)
    settings = NoticeSettings.objects.get(company=acme)
    address = ContactAddress.objects.create(
        employee=acme.employees.get(), kind="email", address="a001@example.cn"
    )

    saved = client.post(
        reverse("admin:notices_noticesettings_change", args=[settings.pk]),
        {"sender_email": "hr@acme.example", "payment_days": 10, "link_days": 30},
    )
    verified = client.post(
        reverse("admin:notices_contactaddress_change", args=[address.pk]),
        {
            "verification": "入职登记表本人签字确认",
            "verified_at_0": "2025-09-01",
            "verified_at_1": "10:00:00",
        },
    )
    others = client.get(
        reverse(
            "admin:notices_noticesettings_change",
            args=[NoticeSettings.objects.get(company=other).pk],
        )
    )

    assert saved.status_code == 302
    settings.refresh_from_db()
    assert (settings.sender_email, settings.payment_days) == ("hr@acme.example", 10)
    assert verified.status_code == 302
    address.refresh_from_db()
    assert address.verification == "入职登记表本人签字确认"
    assert address.verified_by is not None
    assert others.status_code == 302  # not in HR's list: the admin says it does not exist


def test_the_letter_admin_links_to_its_pdf(companies):
    acme, _other = companies
    alert_tick(now=at("2025-09-08T09:00"))
    letter = DemandLetter.objects.get(notice__company=acme)

    page = _hr(acme).get(reverse("admin:notices_demandletter_change", args=[letter.pk]))

    assert page.status_code == 200
    assert f"/cases/A001/letters/{letter.pk}/pdf/" in page.content.decode()
