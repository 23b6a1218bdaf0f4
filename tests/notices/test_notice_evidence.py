"""Notices and demand letters in the evidence log: the notice as rendered (without its link's
token), every delivery attempt with the exact bytes the mail server received, the openings and
the acknowledgement, the letter's PDF and the dispatch's receipt, each written with its change.
Copies to HR and finance are kept out of the employee's case file."""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.factories import grant_role, make_company, make_employee, make_enrolment, make_user
from tests.notices.servers import SmtpTestServer
from tests.payroll.factories import assign_salary, run_month

from renshi.access.models import Role
from renshi.alerts.models import Alert, RuleKind
from renshi.alerts.services import alert_tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.evidence.canonical import FloatRefusedError
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import (
    evidence_blob_bytes,
    evidence_entries,
    evidence_entry_document,
    evidence_log_size,
)
from renshi.evidence.services import EvidenceRecord
from renshi.notices import services
from renshi.notices.evidence import TOKEN_WITHHELD
from renshi.notices.models import (
    ContactAddress,
    DeliveryAttempt,
    DemandLetter,
    Notice,
    NoticeSettings,
    PostalDispatch,
)

pytestmark = pytest.mark.django_db

EMPLOYEE_ADDRESS = "wangfang@example.cn"
HR_ADDRESS = "li.na@acme.example"
FINANCE_ADDRESS = "zhao.qiang@acme.example"


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
def owing():
    """王芳 of the seed story owes 3500.00 advanced over her unpaid leave (June to August); HR
    and finance have their own addresses, the company writes from hr@acme.example."""
    company = make_company(code="acme", payday=10)
    NoticeSettings.objects.create(company=company, sender_email="hr@acme.example")
    grant_role(make_user("li.na", email=HR_ADDRESS), company, Role.HR)
    grant_role(make_user("zhao.qiang", email=FINANCE_ADDRESS), company, Role.FINANCE)
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
        address=EMPLOYEE_ADDRESS,
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
    for month in range(1, 9):
        run_month(company, f"2025-{month:02d}")
    return company, employee


def _documents(kind: str, **filters) -> list[dict]:
    return [evidence_entry_document(e) for e in evidence_entries(kinds=[kind], **filters)]


def _arrears_notice() -> Notice:
    return Notice.objects.get(alert__rule__kind=RuleKind.ARREARS_OVER)


def _sent(*, employee) -> dict[str, dict]:
    """The arrears notice's ``notice.sent`` documents filed under ``employee`` (or under no
    one), by address."""
    notice = _arrears_notice()
    return {
        d["data"]["address"]: d
        for d in _documents("notice.sent")
        if d["data"]["notice"] == notice.pk and d["employee"] == getattr(employee, "pk", None)
    }


def _received_by(smtp: SmtpTestServer, address: str) -> bytes:
    [content] = [m.content for m in smtp.received if m.rcpt_tos == (address,)]
    return content


def _blob(document: dict, name: str) -> bytes | None:
    return evidence_blob_bytes(sha256=document["blobs"][name])


def test_each_email_is_an_entry_holding_the_bytes_the_server_received(owing, smtp):
    company, employee = owing

    alert_tick(now=at("2025-09-01T09:00"))

    to_employee = _sent(employee=employee)[EMPLOYEE_ADDRESS]
    received = _received_by(smtp, EMPLOYEE_ADDRESS)
    assert _blob(to_employee, "message.eml") == received
    assert to_employee["blobs"]["message.eml"] == hashlib.sha256(received).hexdigest()
    data = to_employee["data"]
    assert data["sha256"] == hashlib.sha256(received).hexdigest()
    assert (data["channel"], data["attempt"], data["status"]) == ("email", 1, "sent")
    assert data["recipient_role"] == "employee"
    assert data["binding"]["is_verified"] is True
    assert data["binding"]["verification"] == "入职登记表本人签字确认"
    attempt = DeliveryAttempt.objects.get(
        delivery__address=EMPLOYEE_ADDRESS, delivery__notice=_arrears_notice()
    )
    assert data["provider_response"] == attempt.provider_response
    assert data["provider_response"].startswith("250 ")
    assert data["provider_message_id"] == attempt.provider_message_id != ""
    assert to_employee["recorded_at"] == "2025-09-01T09:00:00+08:00"


def test_the_copies_to_hr_and_finance_are_filed_under_no_employee(owing, smtp):
    company, employee = owing

    alert_tick(now=at("2025-09-01T09:00"))

    copies = _sent(employee=None)
    notice = _arrears_notice()
    assert set(copies) == {HR_ADDRESS, FINANCE_ADDRESS}
    for address, role in ((HR_ADDRESS, "hr"), (FINANCE_ADDRESS, "finance")):
        copy = copies[address]
        assert copy["employee"] is None
        assert copy["data"]["about_employee"] == "HX0001"
        assert copy["data"]["recipient_role"] == role
        assert _blob(copy, "message.eml") == _received_by(smtp, address)
    # Nothing filed under the employee names a member of staff by their address.
    created = _documents("notice.created", employee=employee)[0]["data"]
    assert created["notice"] == notice.pk
    assert {"role": "hr", "channel": "email"} in created["recipients"]
    assert {"role": "finance", "channel": "email"} in created["recipients"]
    for entry in evidence_entries(employee=employee):
        document = bytes(entry.canonical)
        blobs = [
            evidence_blob_bytes(sha256=h) for h in evidence_entry_document(entry)["blobs"].values()
        ]
        for address in (HR_ADDRESS, FINANCE_ADDRESS):
            assert address.encode() not in document
            assert all(address.encode() not in blob for blob in blobs)


def test_the_notice_is_recorded_as_rendered_but_without_its_link_token(owing, smtp):
    company, employee = owing

    alert_tick(now=at("2025-09-01T09:00"))

    notice = _arrears_notice()
    received = _received_by(smtp, EMPLOYEE_ADDRESS).decode()
    token = re.search(r"http://testserver/n/([\w-]+)/", received).group(1)
    [created] = [
        d for d in _documents("notice.created", employee=employee)
        if d["data"]["notice"] == notice.pk
    ]  # fmt: skip
    data = created["data"]
    assert data["text"] == notice.body_text.replace(token, TOKEN_WITHHELD)
    assert data["text_sha256"] == hashlib.sha256(notice.body_text.encode()).hexdigest()
    assert data["subject"] == notice.subject
    assert data["alert"] == notice.alert_id
    assert data["amount"] == "3500.00"
    assert data["deadline"] == "2025-09-16"
    assert data["link_expires_at"] == "2025-10-01T09:00:00+08:00"
    assert data["recipients"][:2] == [
        {"role": "employee", "channel": "email", "address": EMPLOYEE_ADDRESS},
        {"role": "employee", "channel": "in_app", "address": "HX0001"},
    ]
    # Neither the token nor its hash is in any entry: a reader cannot open the link.
    for entry in EvidenceEntry.objects.all():
        assert token.encode() not in bytes(entry.canonical)
        assert services.token_hash(token).encode() not in bytes(entry.canonical)
    in_app = _sent(employee=employee)["HX0001"]
    assert (in_app["data"]["channel"], in_app["data"]["status"]) == ("in_app", "sent")
    assert in_app["data"]["sha256"] == data["text_sha256"]


def test_opening_and_acknowledging_are_entries_with_the_browser_and_the_user(
    owing, smtp, client, settings
):
    company, employee = owing
    alert_tick(now=at("2025-09-01T09:00"))
    notice = _arrears_notice()
    received = _received_by(smtp, EMPLOYEE_ADDRESS).decode()
    token = re.search(r"http://testserver/n/([\w-]+)/", received).group(1)

    settings.RENSHI_SIMULATED_NOW = at("2025-09-02T20:15")
    client.get(f"/n/{token}/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    client.force_login(employee.user)
    client.post(f"/notices/{notice.pk}/acknowledge/", HTTP_USER_AGENT="Mozilla/5.0 (Mac)")

    [opened] = _documents("notice.opened", employee=employee)
    assert opened["data"]["notice"] == notice.pk
    assert opened["data"]["ip"] == "127.0.0.1"
    assert opened["data"]["user_agent"] == "Mozilla/5.0 (iPhone)"
    assert opened["data"]["at"] == "2025-09-02T20:15:00+08:00"
    assert opened["data"]["is_expired"] is False
    [acknowledged] = _documents("notice.acknowledged", employee=employee)
    assert acknowledged["data"]["user"] == "wangfang"
    assert acknowledged["data"]["user_agent"] == "Mozilla/5.0 (Mac)"
    assert acknowledged["data"]["ip"] == "127.0.0.1"
    assert acknowledged["data"]["text_sha256"] == notice.acknowledgement.text_sha256
    moves = [
        (d["data"]["from"], d["data"]["to"], d["data"]["actor"])
        for d in _documents("alert.changed", employee=employee)
        if d["data"]["alert"] == notice.alert_id
    ]
    assert moves == [("open", "notified", "system"), ("notified", "acknowledged", "wangfang")]


def test_the_letter_holds_its_pdf_and_the_dispatch_its_scanned_receipt(owing, smtp):
    company, employee = owing
    hr = company.roles.get(role=Role.HR).user
    alert_tick(now=at("2025-09-01T09:00"))

    alert_tick(now=at("2025-09-08T09:00"))
    letter = DemandLetter.objects.get()
    dispatch = services.postal_dispatch_record(
        actor=hr,
        letter=letter,
        tracking_number="EMS1234567890CN",
        dispatched_on=datetime.date(2025, 9, 9),
        receipt=SimpleUploadedFile("回执.JPG", b"scanned-receipt", content_type="image/jpeg"),
        address="北京市海淀区中关村大街1号院3号楼502室",
    )

    [issued] = _documents("letter.issued", employee=employee)
    assert _blob(issued, "letter.pdf") == bytes(letter.pdf)
    assert issued["data"]["number"] == letter.number
    assert issued["data"]["total"] == "3500.00"
    assert sum(Decimal(line["amount"]) for line in issued["data"]["lines"]) == Decimal("3500.00")
    assert issued["data"]["deadline"] == "2025-09-23"
    [escalated] = [
        d["data"] for d in _documents("alert.changed", employee=employee)
        if d["data"]["to"] == "escalated"
    ]  # fmt: skip
    assert (escalated["from"], escalated["note"]) == ("notified", letter.number)
    [dispatched] = _documents("letter.dispatched", employee=employee)
    assert _blob(dispatched, "receipt.jpg") == b"scanned-receipt"
    data = dispatched["data"]
    assert data["dispatch"] == dispatch.pk
    assert (data["carrier"], data["tracking_number"]) == ("EMS", "EMS1234567890CN")
    assert data["dispatched_on"] == "2025-09-09"
    assert data["address"] == "北京市海淀区中关村大街1号院3号楼502室"
    assert data["actor"] == "li.na"
    assert data["receipt_sha256"] == dispatch.receipt_sha256


def test_a_refused_attempt_is_an_entry_with_the_servers_answer(owing, smtp):
    company, employee = owing
    smtp.refuse(EMPLOYEE_ADDRESS, "550 5.1.1 mailbox unavailable")

    alert_tick(now=at("2025-09-01T09:00"))

    failed = _sent(employee=employee)[EMPLOYEE_ADDRESS]
    attempt = DeliveryAttempt.objects.get(
        delivery__address=EMPLOYEE_ADDRESS, delivery__notice=_arrears_notice()
    )
    data = failed["data"]
    assert (data["status"], data["outcome"], data["delivery_state"]) == (
        "failed",
        "permanent",
        "failed",
    )
    assert data["provider_response"] == "550 5.1.1 mailbox unavailable"
    assert "refused" in data["error"]
    assert _blob(failed, "message.eml") == bytes(attempt.payload)
    assert data["sha256"] == attempt.sha256


def test_a_failure_after_the_letter_leaves_neither_letter_nor_entry(owing, smtp, monkeypatch):
    alert_tick(now=at("2025-09-01T09:00"))

    def broken(**kwargs):
        raise RuntimeError("the warning could not be moved")

    monkeypatch.setattr(services, "alert_event_create", broken)
    with pytest.raises(RuntimeError):
        alert_tick(now=at("2025-09-08T09:00"))

    assert not DemandLetter.objects.exists()
    assert _documents("letter.issued") == []
    assert Alert.objects.get(rule__kind=RuleKind.ARREARS_OVER).state == "notified"


def test_a_refused_dispatch_entry_keeps_neither_the_dispatch_nor_the_receipt(
    owing, smtp, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    alert_tick(now=at("2025-09-01T09:00"))
    alert_tick(now=at("2025-09-08T09:00"))
    size = evidence_log_size()

    def unwritable(dispatch, **kwargs):
        company_id = dispatch.letter.notice.company_id
        return EvidenceRecord(kind="letter.dispatched", company_id=company_id, data={"x": 0.5})

    monkeypatch.setattr(services, "letter_dispatched_record", unwritable)
    with pytest.raises(FloatRefusedError):
        services.postal_dispatch_record(
            actor=None,
            letter=DemandLetter.objects.get(),
            tracking_number="EMS1234567890CN",
            dispatched_on=datetime.date(2025, 9, 9),
            receipt=SimpleUploadedFile("receipt.jpg", b"scanned-receipt"),
        )

    assert not PostalDispatch.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    assert evidence_log_size() == size
