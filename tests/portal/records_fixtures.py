"""A small company for the portal's own-records pages, built with the payroll factories.

王芳 (HX0001, account ``wangfang``): enrolled in Beijing from January to June 2025 on a base of
10,000, paid 10,000 a month. March and April are whole months of unpaid leave, so the company
advances her whole share both months (2,253.00 each); May recovers 2,000.00 (20% of the wage)
and she repays 1,000.00 by bank transfer. By the FIFO rule March is settled and April's pension
is partly and the rest wholly still owed: 4,506.00 − 3,000.00 = 1,506.00. June's run is
calculated but not approved (not hers to see yet); her enrolment ends in June, so July, the
current month, is broken off (断缴).

李明 (HX0002, account ``liming``): enrolled from January, 8,000 a month, nothing unusual.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from tests.factories import make_company, make_employee, make_enrolment, make_user
from tests.payroll.factories import assign_salary, run_month, set_attendance

from renshi.notices.models import Notice, NoticeSettings, NoticeState
from renshi.payroll import services
from renshi.payroll.models import PayrollRun
from renshi.people.models import Company, Employee

PASSWORD = "pw-records-1"
NOW = "2025-07-15T10:00"
# Working days (Monday to Friday) in March and April 2025, none of them a public holiday.
SCHEDULED = {"2025-03": "21", "2025-04": "22"}


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@dataclass
class Story:
    company: Company
    wang: Employee
    li: Employee
    june: PayrollRun
    notice: Notice
    other_notice: Notice


def make_notice(employee: Employee, *, subject: str, amount: str, created: str) -> Notice:
    return Notice.objects.create(
        company=employee.company,
        employee=employee,
        subject=subject,
        body_text=f"{employee.name}：您好。公司为您垫付的个人缴费尚欠 {amount} 元，"
        "请于期限内支付。",
        amount=Decimal(amount),
        deadline=datetime.date(2025, 7, 31),
        state=NoticeState.SENT,
        created_at=at(created),
    )


def build_story(settings) -> Story:
    settings.RENSHI_SIMULATED_NOW = at(NOW)
    company = make_company(code="acme", name="华夏精密制造有限公司")
    NoticeSettings.objects.create(
        company=company,
        contact_person="李娜",
        contact_phone="010-8888 6666",
        bank_name="中国工商银行北京朝阳支行",
        bank_account_name="华夏精密制造有限公司",
        bank_account_number="0200 0012 3456 7890",
        payment_days=15,
    )
    wang = make_employee(
        company,
        number="HX0001",
        name="王芳",
        gender="female",
        hire_date=datetime.date(2021, 3, 15),
        user=make_user("wangfang", password=PASSWORD),
    )
    make_enrolment(wang, base=Decimal("10000"), start_month="2025-01", end_month="2025-06")
    assign_salary(wang, base="10000", month="2025-01")
    li = make_employee(
        company,
        number="HX0002",
        name="李明",
        hire_date=datetime.date(2024, 6, 1),
        user=make_user("liming", password=PASSWORD),
    )
    make_enrolment(li, base=Decimal("8000"), start_month="2025-01")
    assign_salary(li, base="8000", month="2025-01")
    for month, days in SCHEDULED.items():
        set_attendance(wang, month, scheduled=days, worked="0", absent=days)
    for month in ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05"):
        run_month(company, month)
    services.arrears_repayment_record(
        actor=None,
        employee=wang,
        amount="1000.00",
        paid_on=datetime.date(2025, 6, 3),
        reference="ICBC 0603",
    )
    june = run_month(company, "2025-06", approve=False)
    notice = make_notice(
        wang, subject="垫付社保个人部分的还款通知", amount="1506.00", created="2025-07-01T09:00"
    )
    other = make_notice(li, subject="李明的通知", amount="10.00", created="2025-07-02T09:00")
    return Story(company, wang, li, june, notice, other)
