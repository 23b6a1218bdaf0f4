"""The seed story with a simulated clock: warned 3 days before payday, emailed through a real
SMTP server and opened through the personal link, no answer for 7 days, a demand letter with
the right amounts, the postal dispatch recorded, and a repayment that closes the case."""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.notices.servers import SmtpTestServer
from tests.payroll.factories import assign_salary, run_month

from renshi.access.models import Role
from renshi.alerts.models import Alert, AlertState, RuleKind
from renshi.alerts.services import alert_tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.notices.models import (
    ContactAddress,
    DeliveryAttempt,
    DemandLetter,
    NoticeOpening,
    NoticeSettings,
)
from renshi.notices.services import notice_acknowledge, postal_dispatch_record
from renshi.payroll.services import arrears_repayment_record

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.fixture
def smtp(settings):
    with SmtpTestServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.RENSHI_PUBLIC_URL = "http://testserver"
        yield server


@pytest.fixture
def story():
    company = make_company(code="acme", payday=10)
    NoticeSettings.objects.create(
        company=company,
        sender_email="hr@acme.example",
        contact_person="张敏",
        contact_phone="010-64380000",
        bank_name="中国工商银行北京酒仙桥支行",
        bank_account_name="华夏精密制造有限公司",
        bank_account_number="0200001234567890123",
    )
    for role, name in ((Role.HR, "hr"), (Role.FINANCE, "finance")):
        grant_role(make_user(name, email=f"{name}@acme.example"), company, role)
    employee = make_employee(
        company,
        number="HX0001",
        name="王芳",
        hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang"),
    )
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
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=LeaveType.objects.get(company=company, code="personal"),
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 8, 31),
        reason="家中老人住院",
    )
    leave_record_approve(actor=None, leave=leave)
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)
    return company, employee


def _token(mail_bytes: bytes) -> str:
    import email
    from email import policy

    message = email.message_from_bytes(mail_bytes, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver/n/([\w-]+)/", text).group(1)


def test_the_seed_story_from_warning_to_repayment(story, smtp, client, settings):
    company, employee = story

    # 3 days before payday (July 10 pays June): warned, and the employee is emailed.
    alert_tick(now=at("2025-07-06T09:00"))
    assert smtp.received == []
    alert_tick(now=at("2025-07-07T09:00"))
    share = Alert.objects.get(rule__kind=RuleKind.SHARE_NOT_COVERED)
    assert share.amount == Decimal("287.98")
    assert share.state == AlertState.NOTIFIED
    to_employee = [m for m in smtp.received if "wangfang@example.cn" in m.rcpt_tos]
    assert len(to_employee) == 1
    attempt = DeliveryAttempt.objects.get(delivery__address="wangfang@example.cn")
    assert bytes(attempt.payload) == to_employee[0].content
    assert attempt.sha256 == hashlib.sha256(to_employee[0].content).hexdigest()
    assert attempt.delivery.contact.verification == "入职登记表本人签字确认"

    # The employee opens the personal link: logged with IP and browser, not trusted as identity.
    settings.RENSHI_SIMULATED_NOW = at("2025-07-07T20:15")
    page = client.get(
        f"/n/{_token(to_employee[0].content)}/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)"
    )
    assert page.status_code == 200
    assert "287.98" in page.content.decode()
    opening = NoticeOpening.objects.get()
    assert opening.user_agent == "Mozilla/5.0 (iPhone)"
    assert opening.ip == "127.0.0.1"

    # June to August are paid; 3500.00 is owed, above 500: a notice copying HR and finance.
    for month in ("2025-06", "2025-07", "2025-08"):
        run_month(company, month)
    alert_tick(now=at("2025-09-01T09:00"))
    arrears = Alert.objects.get(rule__kind=RuleKind.ARREARS_OVER)
    assert arrears.amount == Decimal("3500.00")
    recipients = {r for m in smtp.received[1:] for r in m.rcpt_tos}
    assert {"wangfang@example.cn", "hr@acme.example", "finance@acme.example"} <= recipients

    # Nothing for 7 days: a demand letter with the right amounts.
    alert_tick(now=at("2025-09-07T09:00"))
    assert not DemandLetter.objects.exists()
    alert_tick(now=at("2025-09-08T09:00"))
    arrears.refresh_from_db()
    assert arrears.state == AlertState.ESCALATED
    letter = DemandLetter.objects.get()
    assert letter.amount == Decimal("3500.00")
    assert letter.sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=bytes(letter.pdf), capture_output=True, check=True
        ).stdout.decode()
        assert "叁仟伍佰元整" in text.replace(" ", "")
        assert "王芳" in text

    # HR posts it by EMS and keeps the scanned receipt.
    dispatch = postal_dispatch_record(
        actor=None,
        letter=letter,
        tracking_number="EMS1234567890CN",
        dispatched_on=datetime.date(2025, 9, 9),
        receipt=SimpleUploadedFile("receipt.jpg", b"scanned-receipt", content_type="image/jpeg"),
    )
    assert dispatch.receipt_sha256 == hashlib.sha256(b"scanned-receipt").hexdigest()

    # A repayment closes the case.
    arrears_repayment_record(
        actor=None, employee=employee, amount="3500", paid_on=datetime.date(2025, 9, 15)
    )
    alert_tick(now=at("2025-09-15T18:00"))
    arrears.refresh_from_db()
    assert arrears.state == AlertState.RESOLVED


def test_an_acknowledged_notice_is_not_escalated(story, smtp, client, settings):
    company, employee = story
    for month in ("2025-06", "2025-07", "2025-08"):
        run_month(company, month)
    alert_tick(now=at("2025-09-01T09:00"))
    arrears = Alert.objects.get(rule__kind=RuleKind.ARREARS_OVER)
    notice = arrears.notices.get()

    with pytest.raises(Exception, match="only the employee"):
        notice_acknowledge(
            actor=make_user("someone"), notice=notice, now=at("2025-09-02T10:00"), ip=None,
            user_agent="",
        )  # fmt: skip
    settings.RENSHI_SIMULATED_NOW = at("2025-09-03T12:00")
    client.force_login(employee.user)
    response = client.post(f"/notices/{notice.pk}/acknowledge/")
    assert response.status_code == 302
    alert_tick(now=at("2025-09-09T09:00"))

    arrears.refresh_from_db()
    assert arrears.state == AlertState.ACKNOWLEDGED
    assert notice.acknowledgement.text_shown == notice.body_text
    assert not DemandLetter.objects.exists()


def test_a_delivery_that_keeps_failing_is_retried_then_reported_and_never_marked_sent(
    story, settings
):
    from tests.notices.servers import free_port

    from renshi.notices.models import Delivery

    company, employee = story
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    for month in ("2025-06", "2025-07", "2025-08"):
        run_month(company, month)

    moment = at("2025-09-01T09:00")
    for minutes in (0, 1, 6, 36, 156):
        alert_tick(now=moment + datetime.timedelta(minutes=minutes))

    delivery = Delivery.objects.get(
        address="wangfang@example.cn", notice__alert__rule__kind="arrears_over"
    )
    assert delivery.state == "failed"
    assert delivery.attempts == 5
    assert delivery.sent_at is None
    assert {t.outcome for t in delivery.tries.all()} == {"temporary"}
    # The in-app notice in the portal stands; only what went out is marked sent.
    assert delivery.notice.deliveries.get(channel="in_app").state == "sent"
