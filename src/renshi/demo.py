"""Demonstration data: a realistic manufacturing company, and the story Renshi exists for.

``demo_company_load(employees=N)`` creates 华夏精密制造有限公司 with N employees in five cities
(departments, positions, salaries with raises, leave, new hires and leavers), closes payroll
January to September 2025 and calculates October for HR to approve. Everything goes through
the services, as a user's data would.

The seed story (seed article 000) is employee HX0001 王芳 in Beijing: 事假 from 2025-06-06 to
2025-08-31, three months in which her wages do not cover her own share, so the company advances
287.98 (June, partly covered by three days' pay) + 1606.01 (July) + 1606.01 (August) = 3500.00.
July's share is higher than June's because her 7088.75 base is raised to Beijing's new floor of
7162 from 2025-07. She comes back in September and leaves on 2025-09-12; her final pay before
the offset is 2000.00, so the final settlement leaves her owing exactly 1500.00.

With enough employees (``demo_story.STORY_MIN_EMPLOYEES``) the demo also holds the warnings and
notices of that story and four others, each at a different stage as of ``DEMO_NOW``, three days
before October's wages are paid (see ``renshi.demo_story``); ``make run`` serves the demo with
its clock set to that moment.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from renshi import clock
from renshi.access.models import Role, RoleAssignment
from renshi.attendance.calendar import is_working_day
from renshi.attendance.models import LeaveType
from renshi.attendance.services import (
    leave_record_approve,
    leave_record_create,
    leave_types_install_defaults,
)
from renshi.core.months import Month, month_range
from renshi.demo_story import (
    DEMO_NOW,
    HISTORY_ENTERED,
    OPEN_MONTH_CALCULATED,
    PORTAL_ACCOUNTS,
    STORY_MIN_EMPLOYEES,
    story_leave_record,
    story_play,
)
from renshi.payroll.services import (
    payroll_run_approve,
    payroll_run_calculate,
    payroll_run_create,
    payroll_run_mark_paid,
)
from renshi.payroll.structures import (
    ComponentSpec,
    payroll_adjustment_add,
    salary_assign,
    salary_structure_create,
)
from renshi.people.identity import resident_id_check_digit
from renshi.people.models import Company, Employee
from renshi.people.services import (
    company_create,
    department_create,
    employee_account_link,
    employee_onboard,
    employee_resign,
    employees_mark_left,
    enrolment_confirm_add,
    enrolment_confirm_remove,
    position_create,
)
from renshi.people.validation import EnrolmentInput

COMPANY_CODE = "huaxia"
DEMO_PASSWORD = "renshi-demo-2025"  # noqa: S105 - documented demo accounts, demo data only
FIRST_MONTH = Month(2025, 1)
LAST_CLOSED = Month(2025, 9)
OPEN_MONTH = Month(2025, 10)
SEED_NUMBER = "HX0001"
MEAL_ALLOWANCE = Decimal("400")

# Hangzhou is not used: its employer medical rate is unknown to the library, so its employees
# could not be paid until HR imports the figure.
CITIES = [("beijing", 40), ("shanghai", 20), ("guangzhou", 15), ("shenzhen", 15), ("chengdu", 10)]
DEPARTMENTS = [
    ("GM", "总经办"),
    ("HR", "人力资源部"),
    ("FIN", "财务部"),
    ("PROD", "生产部"),
    ("QA", "质量部"),
    ("RD", "研发部"),
    ("SALES", "销售部"),
]
POSITIONS = [
    ("OP", "操作工", 5500, 8000),
    ("TECH", "技术员", 8000, 14000),
    ("ENG", "工程师", 14000, 30000),
    ("SALES", "销售代表", 7000, 16000),
    ("CLERK", "文员", 5000, 8000),
    ("MGR", "经理", 20000, 40000),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕晓红丹萍鹏辉玲婷雪梅浩宇欣怡子涵思远佳琪"  # noqa: E501

ACCOUNTS = [
    ("hr", "人事 张敏", Role.HR),
    ("finance", "财务 刘洋", Role.FINANCE),
    ("sbclerk", "社保专员 陈静", Role.SI_CLERK),
    ("manager", "生产部经理 赵刚", Role.MANAGER),
    ("auditor", "审计 周平", Role.AUDITOR),
]

Progress = Callable[[str], None]


def _resident_id(
    rng: random.Random, birth: datetime.date, is_male: bool, area: str, used: set[str]
) -> str:
    """A checksum-valid ID (the 17th digit odd for men), never one already handed out."""
    while True:
        sequence = rng.randrange(0, 500) * 2 + (1 if is_male else 0)
        first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + resident_id_check_digit(first17)


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


AREAS = {
    "beijing": "110105",
    "shanghai": "310104",
    "guangzhou": "440106",
    "shenzhen": "440305",
    "chengdu": "510107",
}


def _user(username: str, display: str, *, is_staff: bool) -> Any:
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username, f"{username}@huaxia.example", DEMO_PASSWORD, is_staff=is_staff
    )
    user.first_name = display
    user.save(update_fields=["first_name"])
    return user


def demo_company_load(*, employees: int = 120, progress: Progress | None = None) -> dict[str, Any]:
    """Create the demo company, close its payroll and play the story of its warnings and
    notices up to DEMO_NOW; idempotent (an existing one is kept)."""
    report = progress or (lambda message: None)
    existing = Company.objects.filter(code=COMPANY_CODE).first()
    if existing is not None:
        return {"created": False, "company": COMPANY_CODE}
    employees = max(employees, 2)
    is_story = employees >= STORY_MIN_EMPLOYEES
    with clock.simulated(HISTORY_ENTERED):
        with transaction.atomic():
            company, structure, leave_types, departments = _company()
            report("company")
            seed = _seed_story(company, structure, leave_types, departments)
            _regular_staff(company, structure, leave_types, departments, employees - 1)
            if is_story:
                story_leave_record(company=company, leave_types=leave_types)
            users = _accounts(company, departments, seed, is_story=is_story)
            report("employees")
        closed = _payroll(company, report)

    def calculate_open_month() -> None:
        _calculate(company, OPEN_MONTH)
        report(str(OPEN_MONTH))

    stages: list[dict[str, Any]] = []
    if is_story:
        stages = story_play(
            company=company,
            hr=users["hr"],
            finance=users["finance"],
            calculate_open_month=calculate_open_month,
        )
        report("story")
    else:
        with clock.simulated(OPEN_MONTH_CALCULATED):
            calculate_open_month()
    # Leavers whose last day has passed by the demo's moment.
    with clock.simulated(DEMO_NOW):
        employees_mark_left(actor=None, company=company, today=DEMO_NOW.date())
    return {
        "created": True,
        "company": COMPANY_CODE,
        "employees": Employee.objects.filter(company=company).count(),
        "months_closed": closed,
        "open_month": str(OPEN_MONTH),
        "seed_employee": SEED_NUMBER,
        "password": DEMO_PASSWORD,
        "accounts": list(users),
        "now": DEMO_NOW.isoformat(),
        "stages": stages,
    }


def _company() -> tuple[Company, Any, dict[str, LeaveType], dict[str, Any]]:
    company = company_create(
        actor=None,
        code=COMPANY_CODE,
        name="华夏精密制造有限公司",
        default_city="beijing",
        payday=10,
        credit_code="91110105MA01ABCD39",
        address="北京市朝阳区酒仙桥路10号",
        phone="010-64380000",
    )
    departments = {
        code: department_create(actor=None, company=company, code=code, name=name)
        for code, name in DEPARTMENTS
    }
    for code, name, _, _ in POSITIONS:
        position_create(actor=None, company=company, code=code, name=name)
    structure = salary_structure_create(
        actor=None,
        company=company,
        code="standard",
        name="标准薪资结构",
        components=[
            ComponentSpec("base", "基本工资", "base"),
            ComponentSpec("post", "岗位津贴", "allowance"),
            ComponentSpec("meal", "餐补", "allowance", is_prorated=False),
        ],
    )
    leave_types_install_defaults(company=company)
    leave_types = {t.code: t for t in LeaveType.objects.filter(company=company)}
    return company, structure, leave_types, departments


def _seed_story(
    company: Company, structure: Any, leave_types: dict[str, LeaveType], departments: Any
) -> Employee:
    """王芳: three months of 事假, then she leaves owing 1500.00 (see the module docstring)."""
    employee = employee_onboard(
        actor=None,
        company=company,
        number=SEED_NUMBER,
        name="王芳",
        id_number="11010519900307152X",
        hire_date=datetime.date(2021, 3, 15),
        phone="13800138001",
        email="wangfang@huaxia.example",
        bank_name="中国工商银行北京酒仙桥支行",
        bank_account="6222020200112233445",
        department=departments["PROD"],
        position=company.positions.get(code="OP"),
        work_city="beijing",
        enrolment=EnrolmentInput(
            base="7088.75", housing_fund_rate="0.12", work_injury_class="1", start_month="2021-03"
        ),
    )
    enrolment_confirm_add(actor=None, enrolment=employee.enrolments.get())
    salary_assign(
        actor=None,
        employee=employee,
        structure=structure,
        effective_month=Month(2021, 3),
        amounts={"base": "6000"},
    )
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=leave_types["personal"],
        start_date=datetime.date(2025, 6, 6),
        end_date=datetime.date(2025, 8, 31),
        reason="家中老人住院，需长期陪护",
    )
    leave_record_approve(actor=None, leave=leave)
    payroll_adjustment_add(
        actor=None,
        employee=employee,
        month=Month(2025, 9),
        code="project",
        name="项目奖金（按在岗月数折算）",
        kind="bonus",
        amount="1192.22",
    )
    employee_resign(
        actor=None, employee=employee, leave_date=datetime.date(2025, 9, 12), reason="个人原因"
    )
    return employee


def _regular_staff(
    company: Company,
    structure: Any,
    leave_types: dict[str, LeaveType],
    departments: Any,
    count: int,
) -> None:
    rng = random.Random(20250101)  # noqa: S311 - demo data, not secrets
    positions = {p.code: p for p in company.positions.all()}
    cities = [city for city, weight in CITIES for _ in range(weight)]
    department_codes = [code for code, _ in DEPARTMENTS]
    used_ids: set[str] = set()
    for index in range(count):
        number = f"HX{index + 2:04d}"
        is_first = index == 0  # 李明: the documented ordinary employee account
        city = "beijing" if is_first else rng.choice(cities)
        code, _, low, high = POSITIONS[1] if is_first else rng.choice(POSITIONS)
        wage = Decimal(rng.randrange(low, high + 1, 100))
        is_male = is_first or rng.random() < 0.55
        birth = datetime.date(rng.randrange(1968, 2002), rng.randrange(1, 13), rng.randrange(1, 29))
        if rng.random() < 0.08 and not is_first:  # joined this year
            hire = datetime.date(2025, rng.randrange(2, 10), rng.randrange(1, 29))
        else:
            hire = datetime.date(
                rng.randrange(2016, 2025), rng.randrange(1, 13), rng.randrange(1, 29)
            )
        # Most declare their wage as base; some are kept at a lower base, which the annual
        # adjustment flags as below the actual wage.
        post = Decimal(rng.choice((0, 300, 500, 800)))
        monthly = wage + post + MEAL_ALLOWANCE  # the whole wage is the contribution base
        base = monthly if rng.random() > 0.12 else (wage * Decimal("0.6")).quantize(Decimal("1"))
        employee = employee_onboard(
            actor=None,
            company=company,
            number=number,
            name="李明" if is_first else _name(rng),
            id_number=_resident_id(rng, birth, is_male, AREAS[city], used_ids),
            hire_date=hire,
            phone=f"139{rng.randrange(10_000_000, 99_999_999)}",
            email=f"{number.lower()}@huaxia.example",
            bank_name="中国建设银行",
            bank_account=f"6217{rng.randrange(10**14, 10**15)}",
            department=departments["PROD" if is_first else rng.choice(department_codes)],
            position=positions[code],
            work_city=city,
            enrolment=EnrolmentInput(base=str(base), work_injury_class="1"),
        )
        hire_month = Month(hire.year, hire.month)
        if hire_month < OPEN_MONTH:
            enrolment_confirm_add(actor=None, enrolment=employee.enrolments.get())
        salary_assign(
            actor=None,
            employee=employee,
            structure=structure,
            effective_month=hire_month,
            amounts={"base": str(wage), "post": str(post), "meal": str(MEAL_ALLOWANCE)},
            additional_deductions=rng.choice(("0", "0", "1000", "2000", "3000")),
        )
        if hire_month < Month(2025, 4) and rng.random() < 0.25:  # a raise from April
            salary_assign(
                actor=None,
                employee=employee,
                structure=structure,
                effective_month=Month(2025, 4),
                amounts={
                    "base": str((wage * Decimal("1.08")).quantize(Decimal("1"))),
                    "post": str(post),
                    "meal": str(MEAL_ALLOWANCE),
                },
            )
        if not is_first and hire.year < 2025 and rng.random() < 0.05:
            _leaver(rng, employee)
        else:
            _leave(rng, employee, leave_types, hire)


def _leave(
    rng: random.Random, employee: Employee, leave_types: dict[str, LeaveType], hire: datetime.date
) -> None:
    roll = rng.random()
    if roll < 0.10:
        kind, days = "personal", rng.randrange(1, 4)
    elif roll < 0.18:
        kind, days = "sick", rng.randrange(2, 6)
    elif roll < 0.40:
        kind, days = "annual", rng.randrange(1, 6)
    else:
        return
    start = datetime.date(2025, rng.randrange(3, 10), rng.randrange(1, 20))
    if start <= hire:
        return
    while not is_working_day(start):
        start += datetime.timedelta(days=1)
    leave = leave_record_create(
        actor=None,
        employee=employee,
        leave_type=leave_types[kind],
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        reason="",
    )
    leave_record_approve(actor=None, leave=leave)


def _leaver(rng: random.Random, employee: Employee) -> None:
    day = datetime.date(2025, rng.randrange(6, 10), rng.randrange(1, 28))
    employee_resign(actor=None, employee=employee, leave_date=day, reason="个人发展")
    if day.month < 9:  # the 减员 has been filed for the early leavers
        enrolment = employee.enrolments.order_by("-start_month").first()
        if enrolment is not None:
            enrolment_confirm_remove(
                actor=None, enrolment=enrolment, today=datetime.date(2025, 10, 15)
            )


def _accounts(
    company: Company, departments: Any, seed: Employee, *, is_story: bool
) -> dict[str, Any]:
    users = {}
    for username, display, role in ACCOUNTS:
        user = _user(username, display, is_staff=True)
        RoleAssignment.objects.create(
            user=user,
            company=company,
            role=role,
            department=departments["PROD"] if role == Role.MANAGER else None,
        )
        users[username] = user
    portal = {seed.number: "wangfang", "HX0002": "liming"}
    if is_story:  # the story's employees who sign in to the portal
        portal.update(PORTAL_ACCOUNTS)
    for number, username in portal.items():
        employee = Employee.objects.get(company=company, number=number)
        user = _user(username, employee.name, is_staff=False)
        employee_account_link(actor=None, employee=employee, user=user)
        users[username] = user
    return users


def _payroll(company: Company, report: Progress) -> int:
    """January to September: calculated, approved and paid, one month after another."""
    closed = 0
    for month in month_range(FIRST_MONTH, LAST_CLOSED):
        run = _calculate(company, month)
        payroll_run_approve(actor=None, run=run)
        payroll_run_mark_paid(actor=None, run=run)
        closed += 1
        report(str(month))
    return closed


def _calculate(company: Company, month: Month) -> Any:
    run = payroll_run_create(actor=None, company=company, month=month)
    payroll_run_calculate(actor=None, run=run, executor="inline")
    return run
