"""The case page of one employee: the seed story step by step, who may see it, recording a
postal dispatch and a repayment from it, and the downloads of the proof."""

from __future__ import annotations

import datetime
import email
import hashlib
import re
from decimal import Decimal
from email import policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary, run_month

from renshi.access.models import Role
from renshi.alerts.case import mask_address
from renshi.alerts.services import alert_tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.notices.channels import registry
from renshi.notices.channels.base import utc_now
from renshi.notices.channels.email import EmailChannel
from renshi.notices.models import ContactAddress, DeliveryAttempt, DemandLetter, PostalDispatch
from renshi.notices.services import TrackingNumberRequiredError, postal_dispatch_record
from renshi.payroll.models import ArrearsEntry
from renshi.payroll.services import arrears_repayment_record

pytestmark = pytest.mark.django_db

FULL_MONTH = {
    "pension": "572.96",
    "medical": "146.24",
    "unemployment": "35.81",
    "housing_fund": "851.00",
}


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


class Travel:
    """Records written by the services carry the simulated moment (``auto_now_add`` and the
    email channel's clock included), so the story's steps have the times they would have."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment: datetime.datetime | None = None
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.moment or real_now())
        monkeypatch.setattr(
            registry, "EmailChannel", lambda: EmailChannel(clock=lambda: self.moment or utc_now())
        )

    def to(self, text: str) -> datetime.datetime:
        self.moment = at(text)
        return self.moment

    def back(self) -> None:
        self.moment = None


@pytest.fixture
def travel(monkeypatch):
    return Travel(monkeypatch)


def _staff(company, role: str, name: str):
    user = make_user(name)
    grant_role(user, company, role)
    return user


def _case(number: str = "HX0001") -> str:
    return f"/cases/{number}/"


def _kinds(page) -> list[str]:
    return [event.kind for event in page.context["timeline"]]


def _in_order(expected: list[str], kinds: list[str]) -> bool:
    remaining = iter(kinds)
    return all(kind in remaining for kind in expected)


def _token(payload: bytes) -> str:
    message = email.message_from_bytes(payload, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver/n/([\w-]+)/", text).group(1)


def test_the_seed_story_shows_each_step_in_order(client, settings, travel):
    settings.RENSHI_PUBLIC_URL = "http://testserver"
    company = make_company(code="acme", payday=10)
    hr = _staff(company, Role.HR, "hr")
    employee = make_employee(
        company, number="HX0001", name="王芳", hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang"),
    )  # fmt: skip
    ContactAddress.objects.create(
        employee=employee,
        kind="email",
        address="wangfang@example.cn",
        verification="入职登记表本人签字确认",
        verified_at=at("2021-03-15T10:00"),
    )
    make_enrolment(
        employee, base=Decimal("7088.75"), start_month="2021-03", housing_fund_rate=Decimal("0.12")
    )
    assign_salary(employee, base="6000", month="2021-03")
    leave_types_install_defaults(company=company)
    travel.to("2025-06-03T10:00")
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=LeaveType.objects.get(company=company, code="personal"),
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 8, 31),
        reason="家中老人住院",
    )
    travel.to("2025-06-04T09:00")
    leave_record_approve(actor=None, leave=leave)
    travel.to("2025-06-05T12:00")
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)

    # Warned 3 days before payday and emailed; the employee opens the link that evening.
    alert_tick(now=travel.to("2025-07-07T09:00"))
    attempt = DeliveryAttempt.objects.get(delivery__address="wangfang@example.cn")
    travel.back()
    settings.RENSHI_SIMULATED_NOW = at("2025-07-07T20:15")
    opened = client.get(f"/n/{_token(bytes(attempt.payload))}/", HTTP_USER_AGENT="Mozilla/5.0")
    assert opened.status_code == 200
    settings.RENSHI_SIMULATED_NOW = None

    # June to August advanced; the arrears notice, no answer, a demand letter, posted by EMS.
    for month, moment in (
        ("2025-06", "2025-07-10T10:00"),
        ("2025-07", "2025-08-10T10:00"),
        ("2025-08", "2025-09-01T08:00"),
    ):
        travel.to(moment)
        run_month(company, month)
    alert_tick(now=travel.to("2025-09-01T09:00"))
    alert_tick(now=travel.to("2025-09-08T09:00"))
    letter = DemandLetter.objects.get()
    travel.to("2025-09-09T15:00")
    postal_dispatch_record(
        actor=None,
        letter=letter,
        tracking_number="EMS1234567890CN",
        dispatched_on=datetime.date(2025, 9, 9),
        receipt=SimpleUploadedFile("receipt.jpg", b"scanned-receipt", content_type="image/jpeg"),
    )
    # A repayment closes the case.
    travel.to("2025-09-15T11:00")
    arrears_repayment_record(
        actor=None, employee=employee, amount="3500", paid_on=datetime.date(2025, 9, 15)
    )
    alert_tick(now=travel.to("2025-09-15T18:00"))
    travel.back()

    client.force_login(hr)
    page = client.get(_case())

    assert page.status_code == 200
    kinds = _kinds(page)
    story = [
        "leave.requested",
        "leave.approved",
        "alert.raise",  # the share not covered
        "notice",
        "delivery.sent",
        "alert.notify",
        "notice.opened",
        "arrears.advance",  # June's housing fund
        "arrears.advance",
        "arrears.advance",
        "alert.raise",  # arrears above 500
        "notice",
        "letter",
        "alert.escalate",
        "dispatch",
        "arrears.repayment",
        "alert.resolve",
    ]
    assert _in_order(story, kinds), kinds
    times = [event.at for event in page.context["timeline"]]
    assert times == sorted(times)
    advances = [e for e in page.context["timeline"] if e.kind == "arrears.advance"]
    assert [e.balance for e in advances][-1] == Decimal("3500.00")
    assert page.context["balance"] == Decimal("0.00")
    html = page.content.decode()
    assert "EMS1234567890CN" in html
    assert letter.sha256 in html
    assert attempt.sha256 in html
    assert "w***@example.cn" in html
    assert "wangfang@example.cn" not in html  # the address is masked
    assert "Mozilla/5.0" in html


# --- a lighter case: one month advanced in full, warned, a letter after 7 days ------------


@pytest.fixture
def case():
    company = make_company(code="acme")
    employee = make_employee(
        company, number="HX0001", name="王芳", hire_date=datetime.date(2024, 1, 1)
    )
    ArrearsEntry.objects.create(
        company=company,
        employee=employee,
        month="2025-08",
        kind="advance",
        amount=Decimal("1606.01"),
        items=FULL_MONTH,
    )
    alert_tick(now=at("2025-09-01T09:00"))
    alert_tick(now=at("2025-09-08T09:00"))
    return employee


def test_someone_without_a_role_is_refused(client, case):
    client.force_login(make_user("nobody"))

    assert client.get(_case()).status_code == 403
    assert (
        client.get(f"/cases/HX0001/letters/{DemandLetter.objects.get().pk}/pdf/").status_code == 403
    )


def test_the_employee_does_not_see_their_case_page(client, case):
    case.user = make_user("wangfang")
    case.save()
    client.force_login(case.user)

    assert client.get(_case()).status_code == 403


def test_an_unknown_number_is_not_found(client, case):
    client.force_login(_staff(case.company, Role.AUDITOR, "auditor"))

    assert client.get(_case("HX9999")).status_code == 404
    assert client.get(_case()).status_code == 200


def test_the_letter_pdf_is_the_stored_bytes(client, case):
    letter = DemandLetter.objects.get()
    client.force_login(_staff(case.company, Role.FINANCE, "finance"))

    response = client.get(f"/cases/HX0001/letters/{letter.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert hashlib.sha256(response.content).hexdigest() == letter.sha256


def test_hr_records_a_postal_dispatch_that_appears_on_the_timeline(client, case):
    letter = DemandLetter.objects.get()
    client.force_login(_staff(case.company, Role.HR, "hr"))

    response = client.post(
        "/cases/HX0001/dispatch/?company=acme",
        {
            "dispatch-letter": letter.pk,
            "dispatch-tracking_number": " EMS1234567890CN ",
            "dispatch-dispatched_on": "2025-09-09",
            "dispatch-receipt": SimpleUploadedFile("receipt.jpg", b"scanned", "image/jpeg"),
        },
    )

    assert response.status_code == 302
    dispatch = PostalDispatch.objects.get()
    assert dispatch.tracking_number == "EMS1234567890CN"
    page = client.get(response["Location"])
    events = [e for e in page.context["timeline"] if e.kind == "dispatch"]
    assert len(events) == 1
    assert "EMS1234567890CN" in events[0].title
    receipt = client.get(events[0].links[0].url)
    assert b"".join(receipt.streaming_content) == b"scanned"


def test_a_dispatch_without_a_tracking_number_shows_the_error_and_writes_nothing(client, case):
    letter = DemandLetter.objects.get()
    client.force_login(_staff(case.company, Role.HR, "hr"))

    response = client.post(
        "/cases/HX0001/dispatch/",
        {
            "dispatch-letter": letter.pk,
            "dispatch-tracking_number": "  ",
            "dispatch-dispatched_on": "2025-09-09",
        },
    )

    assert response.status_code == 400
    with translation.override("zh-hans"):  # the page's language; the field by its label
        expected = TrackingNumberRequiredError(field=gettext("tracking number")).render(gettext)
    assert response.context["dispatch_form"].errors["tracking_number"] == [expected]
    assert 'id="dispatch-form"' in response.content.decode()
    assert not PostalDispatch.objects.exists()


def test_finance_records_a_repayment_and_too_much_is_refused(client, case):
    client.force_login(_staff(case.company, Role.FINANCE, "finance"))
    form = {"repayment-paid_on": "2025-09-15", "repayment-reference": "BANK-1"}

    too_much = client.post("/cases/HX0001/repayment/", {**form, "repayment-amount": "2000"})
    paid = client.post("/cases/HX0001/repayment/", {**form, "repayment-amount": "1606.01"})

    assert too_much.status_code == 400
    assert too_much.context["repayment_form"].errors["amount"]
    assert paid.status_code == 302
    assert ArrearsEntry.objects.filter(kind="repayment").count() == 1
    assert client.get(_case()).context["balance"] == Decimal("0.00")


def test_hr_is_not_offered_the_repayment_form_nor_finance_the_dispatch_form(client, case):
    client.force_login(_staff(case.company, Role.HR, "hr"))
    hr_page = client.get(_case())
    client.force_login(_staff(case.company, Role.FINANCE, "finance"))
    finance_page = client.get(_case())

    assert hr_page.context["dispatch_form"] is not None
    assert hr_page.context["repayment_form"] is None
    assert finance_page.context["dispatch_form"] is None
    assert finance_page.context["repayment_form"] is not None
    refused = client.post(
        "/cases/HX0001/dispatch/",
        {
            "dispatch-letter": DemandLetter.objects.get().pk,
            "dispatch-tracking_number": "EMS1",
            "dispatch-dispatched_on": "2025-09-09",
        },
    )
    assert refused.status_code == 400
    assert refused.context["dispatch_form"].non_field_errors()  # why, on the form
    assert not PostalDispatch.objects.exists()


def test_the_board_links_each_warning_to_its_case(client, case):
    client.force_login(_staff(case.company, Role.HR, "hr"))

    rows = client.get("/alerts/").context["rows"]

    arrears = next(row for row in rows if row["rule"] == "arrears_over")
    assert arrears["case_url"] == "/cases/HX0001/?company=acme"
    assert client.get(arrears["case_url"]).status_code == 200


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("wangfang@example.cn", "w***@example.cn"),
        ("13812345678", "138****5678"),
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret",
            "https://qyapi.weixin.qq.com/…",
        ),
        ("HX0001", "HX0001"),
    ],
)
def test_addresses_are_masked(address, masked):
    assert mask_address(address) == masked
