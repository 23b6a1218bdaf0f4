"""The demo company's warnings and notices, each case at a different stage as of ``DEMO_NOW``.

Warnings and notices are driven by time, so the story is played with a simulated clock: at each
moment the real ``alert_tick(now=...)`` runs (raising and resolving warnings, creating and
sending notices, generating demand letters), and the people's steps in between go through the
same services the web pages call, each at its own plausible moment. Nothing is written
directly except what has no service of its own (the notice settings and the verified contact
addresses, which HR enters in the admin).

The company switched on notices on 2025-10-09, after approving September's payroll (so the
seed employee's final settlement is on the ledger and her debt is the 1500.00 of the seed
story). As of DEMO_NOW, 2025-11-07 09:00, three days before October's wages are paid:

1. HX0003, on 事假 from 2025-10-09 to 2025-11-28: October's wages will not cover her share;
   warned at DEMO_NOW itself, three days before payday, and notified.
2. HX0006: an overpaid bonus found on 2025-11-03 (recorded as an amount owed); notified that
   day, the link opened the next day, not acknowledged yet, not due for a letter yet.
3. HX0004, on 事假 for all of September: the company advanced his share; notified on
   2025-10-09, no answer, demand letter on 2025-10-16, not yet posted (HR's next step).
4. HX0001 王芳, who left on 2025-09-12 owing 1500.00: notified, opened the link, no answer,
   demand letter, posted by EMS on 2025-10-17 with the scanned receipt; the case is open.
5. HX0005, on 事假 for all of September: notified, acknowledged in the portal the same
   evening, repaid by bank transfer on 2025-10-20; the warning resolved.

The story needs the four staff above besides HX0001 and 李明 (HX0002), so it is played when the
demo has at least ``STORY_MIN_EMPLOYEES`` employees.
"""

from __future__ import annotations

import datetime
import email
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings

from renshi import clock
from renshi.alerts.models import Alert, AlertState, RuleKind
from renshi.alerts.services import alert_tick
from renshi.attendance.models import LeaveType
from renshi.attendance.services import leave_record_approve, leave_record_create
from renshi.core.i18n import gettext_noop
from renshi.notices.models import (
    ContactAddress,
    ContactKind,
    DeliveryAttempt,
    DemandLetter,
    Notice,
    NoticeSettings,
)
from renshi.notices.services import notice_acknowledge, notice_open, postal_dispatch_record
from renshi.payroll.services import arrears_balance, arrears_repayment_record, receivable_record
from renshi.people.models import Company, Employee
from renshi.web.pdf import html_to_pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Three days before 2025-11-10, when October's wages are paid: the moment the demo shows.
DEMO_NOW = datetime.datetime(2025, 11, 7, 9, 0, tzinfo=SHANGHAI)
GO_LIVE = datetime.datetime(2025, 10, 9, 14, 0, tzinfo=SHANGHAI)
# When HR entered the company's records and its payroll history from January to September into
# Renshi: the evidence log and the events record the demo's history at this moment, before the
# story's own moments, so the log's times follow its order.
HISTORY_ENTERED = datetime.datetime(2025, 10, 8, 9, 0, tzinfo=SHANGHAI)
OPEN_MONTH_CALCULATED = datetime.datetime(2025, 11, 5, 10, 0, tzinfo=SHANGHAI)

SHARE_WARNING = "HX0003"  # stage 1
NOTICE_OPENED = "HX0006"  # stage 2
LETTER_NOT_POSTED = "HX0004"  # stage 3
LETTER_POSTED = "HX0001"  # stage 4, the seed story
REPAID = "HX0005"  # stage 5
STORY_MIN_EMPLOYEES = 6

# The employees who sign in to the portal in the story (the seed employee has hers already).
PORTAL_ACCOUNTS = {REPAID: "hx0005", NOTICE_OPENED: "hx0006"}
EMS_TRACKING_NUMBER = "1104258390765"
STORY_MAIL_DIR = "demo-mail"

IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323b) NetType/4G Language/zh_CN"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
    "MicroMessenger/8.0.48.2580(0x28003035) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0"
)
_LINK = re.compile(r"/n/([\w-]+)/")


def at(text: str) -> datetime.datetime:
    """A wall-clock moment in the company's time zone."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def story_leave_record(*, company: Company, leave_types: dict[str, LeaveType]) -> None:
    """The long unpaid leaves behind stages 1, 3 and 5; before payroll is run, as in life."""
    leaves = [
        (SHARE_WARNING, "2025-10-09", "2025-11-28", "母亲在老家做手术，需回去长期陪护"),
        (LETTER_NOT_POSTED, "2025-09-01", "2025-09-30", "回老家处理房屋拆迁事宜"),
        (REPAID, "2025-09-01", "2025-09-30", "陪同孩子出国入学"),
    ]
    for number, start, end, reason in leaves:
        leave = leave_record_create(
            actor=None,
            employee=Employee.objects.get(company=company, number=number),
            leave_type=leave_types["personal"],
            start_date=datetime.date.fromisoformat(start),
            end_date=datetime.date.fromisoformat(end),
            reason=reason,
        )
        leave_record_approve(actor=None, leave=leave)


@dataclass(frozen=True, slots=True)
class People:
    hr: Any
    finance: Any
    employees: dict[str, Employee]


def story_play(
    *, company: Company, hr: Any, finance: Any, calculate_open_month: Callable[[], None]
) -> list[dict[str, Any]]:
    """Play the story from go-live to DEMO_NOW; ``calculate_open_month`` is HR calculating
    October's payroll on 2025-11-05. Returns where each stage stands."""
    numbers = (SHARE_WARNING, NOTICE_OPENED, LETTER_NOT_POSTED, LETTER_POSTED, REPAID)
    people = People(
        hr=hr,
        finance=finance,
        employees={
            e.number: e for e in Employee.objects.filter(company=company, number__in=numbers)
        },
    )
    with _demo_mail():
        with clock.simulated(GO_LIVE):
            _notices_set_up(company, people)
            # September's payroll is approved: HX0001, HX0004 and HX0005 owe more than 500.
            alert_tick(now=GO_LIVE)
        repaid = people.employees[REPAID]
        _open(repaid, at("2025-10-09T21:10"), "117.136.38.21", WINDOWS_EDGE)
        with clock.simulated(at("2025-10-09T21:12")):
            notice_acknowledge(
                actor=repaid.user,
                notice=_notice(repaid),
                now=at("2025-10-09T21:12"),
                ip="117.136.38.21",
                user_agent=WINDOWS_EDGE,
            )
        _open(
            people.employees[LETTER_POSTED], at("2025-10-10T20:05"), "223.104.38.17", IPHONE_WECHAT
        )

        # Seven days without an answer: the demand letters.
        with clock.simulated(GO_LIVE + datetime.timedelta(days=7)):
            alert_tick(now=GO_LIVE + datetime.timedelta(days=7))
        with clock.simulated(at("2025-10-17T10:30")):
            _post_by_ems(people, at("2025-10-17T10:30"))

        with clock.simulated(at("2025-10-20T15:30")):
            arrears_repayment_record(
                actor=finance,
                employee=repaid,
                amount=arrears_balance(repaid),
                paid_on=datetime.date(2025, 10, 20),
                reference="网银转账 2025102015301867",
                note="本人转账还清公司垫付的9月社保及公积金个人部分",
            )
        with clock.simulated(at("2025-10-20T15:35")):
            alert_tick(now=at("2025-10-20T15:35"))

        overpaid = people.employees[NOTICE_OPENED]
        with clock.simulated(at("2025-11-03T10:00")):
            receivable_record(
                actor=finance,
                employee=overpaid,
                amount="1200.00",
                on=datetime.date(2025, 11, 3),
                reason="2025年9月工资中第三季度绩效奖金重复发放，应予退还",
                reference="薪资复核 2025-11-03",
            )
        with clock.simulated(at("2025-11-03T10:05")):
            alert_tick(now=at("2025-11-03T10:05"))
        _open(overpaid, at("2025-11-04T12:30"), "120.229.17.84", ANDROID_WECHAT)

        with clock.simulated(OPEN_MONTH_CALCULATED):
            calculate_open_month()  # after every ledger movement, so October can be approved
        with clock.simulated(DEMO_NOW):
            alert_tick(now=DEMO_NOW)  # three days before payday: October's share warning
    return story_stages(company=company)


@contextmanager
def _demo_mail() -> Iterator[None]:
    """Email goes out through Django's file backend while the story is played.

    Chosen because ``make run`` has no mail server: with the SMTP backend every email would
    fail and be retried, and the story would show failed deliveries instead of notices that
    went out. The file backend really sends: the channel builds, hashes and hands over the
    message, and the backend writes it to ``<data dir>/demo-mail/``, where a person trying the
    demo can read each email; the delivery records the backend's acceptance as it is
    ("accepted by ...filebased.EmailBackend"), nothing is marked sent without a send. After the
    demo load the configured backend is used again.
    """
    directory = settings.DATA_DIR / STORY_MAIL_DIR
    directory.mkdir(parents=True, exist_ok=True)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(directory),
    ):
        yield


def _notices_set_up(company: Company, people: People) -> None:
    """What HR enters before switching notices on: who signs them, where to pay, and the
    addresses bound to each employee (no service of their own: HR keeps them in the admin)."""
    NoticeSettings.objects.update_or_create(
        company=company,
        defaults={
            "sender_email": "hr@huaxia.example",
            "contact_person": "张敏（人力资源部）",
            "contact_phone": "010-64380000 转 8021",
            "bank_name": "中国工商银行北京酒仙桥支行",
            "bank_account_name": company.name,
            "bank_account_number": "0200001209001234567",
            "payment_days": 15,
            "link_days": 30,
        },
    )
    for number, employee in sorted(people.employees.items()):
        if number == LETTER_POSTED:
            # She left: her personal mailbox, from the onboarding form she signed.
            address, how = "wangfang.bj@example.com", "入职登记表本人填写并签字确认（个人邮箱）"
            verified_at = at("2021-03-15T10:00")
        else:
            address, how = employee.email, "企业邮箱，入职时开通，本人登录确认"
            verified_at = datetime.datetime.combine(
                employee.hire_date, datetime.time(10, 0), tzinfo=SHANGHAI
            )
        ContactAddress.objects.create(
            employee=employee,
            kind=ContactKind.EMAIL,
            address=address,
            verification=how,
            verified_at=verified_at,
            verified_by=people.hr,
        )
        ContactAddress.objects.create(
            employee=employee,
            kind=ContactKind.MOBILE,
            address="+86" + employee.phone,
            verification="员工门户短信验证码，本人输入",
            verified_at=at("2025-09-26T11:20"),
            verified_by=people.hr,
        )


def _notice(employee: Employee) -> Notice:
    """The employee's latest notice."""
    notice = Notice.objects.filter(employee=employee).order_by("-created_at", "-id").first()
    assert notice is not None, f"no notice to {employee.number}"
    return notice


def _open(employee: Employee, moment: datetime.datetime, ip: str, user_agent: str) -> None:
    """The employee clicks the personal link in the email they received. Only the token's hash
    is stored, so the token is read from the very bytes that were sent."""
    notice = _notice(employee)
    attempt = (
        DeliveryAttempt.objects.filter(
            delivery__notice=notice,
            delivery__channel="email",
            delivery__is_copy=False,
            outcome="sent",
        )
        .order_by("id")
        .first()
    )
    assert attempt is not None, f"no email went out to {employee.number}"
    message = email.message_from_bytes(bytes(attempt.payload), policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = _LINK.search(body.get_content())  # type: ignore[attr-defined]
    assert match is not None, f"no personal link in the email to {employee.number}"
    with clock.simulated(moment):
        notice_open(token=match.group(1), now=moment, ip=ip, user_agent=user_agent)


def _post_by_ems(people: People, moment: datetime.datetime) -> None:
    """HR prints the seed employee's letter, posts it by EMS and uploads the scanned receipt."""
    employee = people.employees[LETTER_POSTED]
    letter = DemandLetter.objects.get(notice__employee=employee)
    receipt = _ems_receipt_pdf(employee, letter, moment)
    postal_dispatch_record(
        actor=people.hr,
        letter=letter,
        tracking_number=EMS_TRACKING_NUMBER,
        dispatched_on=moment.date(),
        receipt=SimpleUploadedFile(
            f"EMS-{EMS_TRACKING_NUMBER}.pdf", receipt, content_type="application/pdf"
        ),
    )


def _ems_receipt_pdf(employee: Employee, letter: DemandLetter, moment: datetime.datetime) -> bytes:
    """A stand-in for the scan of the EMS receipt HR would upload: the sender's copy of the
    waybill, with the tracking number, both parties and what was posted."""
    company = employee.company
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: 180mm 110mm; margin: 6mm; }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 9pt; }}
h1 {{ font-size: 12pt; margin: 0 0 2mm; }}
table {{ border-collapse: collapse; width: 100%; }}
td {{ border: 0.3mm solid #333; padding: 1.5mm; vertical-align: top; }}
.number {{ font-size: 16pt; letter-spacing: 1mm; font-family: monospace; }}
</style></head><body>
<h1>中国邮政 EMS 国内标准快递 · 邮件详情单（寄件人存根）</h1>
<p class="number">{EMS_TRACKING_NUMBER}</p>
<table>
<tr><td>寄件人：{company.name} 人力资源部 张敏<br>{company.address}<br>电话：{company.phone}</td>
<td>收件人：{employee.name}<br>北京市朝阳区将台路5号院3号楼2单元801<br>电话：{employee.phone}</td></tr>
<tr><td>内件品名：文件（催缴函 {letter.number}）<br>数量：1 件　重量：0.1 千克</td>
<td>资费：22.00 元（月结）<br>收寄日期：{moment:%Y-%m-%d %H:%M}<br>
收寄局：北京酒仙桥营业部　营业员：0317</td></tr>
</table></body></html>"""
    return html_to_pdf(html)


STAGE_NAMES = {
    "share_warning": gettext_noop("warned before payday"),
    "notice_opened": gettext_noop("notice opened, not acknowledged"),
    "letter_not_posted": gettext_noop("demand letter, not yet posted"),
    "letter_posted": gettext_noop("demand letter posted by EMS, case open"),
    "repaid": gettext_noop("acknowledged and repaid, case closed"),
}


def story_stages(*, company: Company) -> list[dict[str, Any]]:
    """Which employees stand at which stage now (other cases may join the story's: the demo's
    leavers who left owing money get notices and letters like anyone else)."""
    alerts = Alert.objects.filter(company=company, employee__isnull=False)
    letters = DemandLetter.objects.filter(notice__company=company)
    notices = Notice.objects.filter(company=company)

    def numbers(rows: Any, field: str) -> list[str]:
        return sorted(set(rows.values_list(field, flat=True)))

    standing = (AlertState.OPEN, AlertState.NOTIFIED)
    return [
        {
            "stage": "share_warning",
            "employees": numbers(
                alerts.filter(rule__kind=RuleKind.SHARE_NOT_COVERED, state__in=standing),
                "employee__number",
            ),
        },
        {
            "stage": "notice_opened",
            "employees": numbers(
                notices.filter(
                    links__openings__isnull=False,
                    acknowledgement__isnull=True,
                    letters__isnull=True,
                    alert__state__in=standing,
                ),
                "employee__number",
            ),
        },
        {
            "stage": "letter_not_posted",
            "employees": numbers(
                letters.filter(dispatches__isnull=True, notice__alert__state=AlertState.ESCALATED),
                "notice__employee__number",
            ),
        },
        {
            "stage": "letter_posted",
            "employees": numbers(
                letters.filter(dispatches__isnull=False, notice__alert__state=AlertState.ESCALATED),
                "notice__employee__number",
            ),
        },
        {
            "stage": "repaid",
            "employees": numbers(
                notices.filter(
                    acknowledgement__isnull=False,
                    alert__rule__kind=RuleKind.ARREARS_OVER,
                    alert__state=AlertState.RESOLVED,
                ),
                "employee__number",
            ),
        },
    ]
