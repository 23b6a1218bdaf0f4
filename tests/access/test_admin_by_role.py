"""The admin opens by Renshi role: ``RoleBackend`` turns roles into Django model permissions,
and what each role may then do there is still decided by the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from tests.factories import (
    grant_role,
    make_company,
    make_department,
    make_employee,
    make_enrolment,
    make_user,
)
from tests.payroll.factories import assign_salary

from renshi.access.backends import ROLE_MODEL_PERMISSIONS, RoleBackend
from renshi.access.models import Role
from renshi.attendance.models import LeaveType
from renshi.attendance.services import leave_record_create, leave_types_install_defaults
from renshi.core.months import Month
from renshi.payroll import services
from renshi.payroll.models import PayrollRun, RunState

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:payroll_payrollrun_changelist")
PAYSLIPS = reverse("admin:payroll_payslip_changelist")
LEAVES = reverse("admin:attendance_leaverecord_changelist")


@pytest.fixture
def company():
    return make_company(code="acme")


@pytest.fixture
def production(company):
    return make_department(company, code="PROD")


@pytest.fixture
def run(company, production) -> PayrollRun:
    employee = make_employee(
        company, number="E001", hire_date=datetime.date(2024, 1, 1), department=production
    )
    make_enrolment(employee, base=Decimal("10000"), start_month="2024-01")
    assign_salary(employee, month="2024-01")
    return services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))


def _staff(company, role: str, department=None):
    user = make_user(is_staff=True)
    grant_role(user, company, role, department=department)
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _action(client: Client, run: PayrollRun, action: str):
    return client.post(RUNS, {"action": action, "_selected_action": [run.pk]}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _perms(user) -> set[str]:
    return RoleBackend().get_all_permissions(user)


# --- the backend ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (
            Role.HR,
            {
                "people.change_employee",
                "people.view_enrolmentchange",
                "attendance.add_leaverecord",
                "payroll.add_payrollrun",
                "payroll.change_salaryassignment",
                "payroll.view_payslip",
                "policies.add_policyfile",
            },
            {
                "people.add_company",
                "people.change_enrolmentchange",
                "payroll.change_payslip",
                "payroll.add_arrearsentry",
                "policies.change_policyfile",
                "access.view_roleassignment",
            },
        ),
        (
            Role.FINANCE,
            {
                "people.view_employee",
                "payroll.view_payslip",
                "payroll.change_payrollrun",
                "attendance.view_leaverecord",  # the long leaves waiting for a prepayment
            },
            {
                "people.view_enrolment",
                "payroll.add_payrollrun",
                "payroll.change_salarystructure",
                "attendance.change_leaverecord",
                "policies.view_policyfile",
            },
        ),
        (
            Role.SI_CLERK,
            {
                "people.change_enrolment",
                "people.view_enrolmentchange",
                "payroll.add_baseadjustment",
                "payroll.view_baseadjustmentline",
                "payroll.view_arrearsentry",
            },
            {"people.change_employee", "payroll.view_payslip", "payroll.view_payrollrun"},
        ),
        (
            Role.MANAGER,
            {"people.view_employee", "attendance.change_leaverecord", "attendance.view_leavemonth"},
            {
                "people.view_company",
                "attendance.add_leaverecord",
                "payroll.view_payrollrun",
                "payroll.view_payslip",
            },
        ),
        (
            Role.AUDITOR,
            {"people.view_contract", "attendance.view_attendancemonth", "payroll.view_payslip"},
            {"payroll.add_payrollrun", "payroll.change_payrollrun", "access.view_roleassignment"},
        ),
    ],
)
def test_each_role_grants_its_model_permissions_and_no_others(
    company, production, role, granted, refused
):
    user = _staff(company, role, department=production if role == Role.MANAGER else None)

    perms = _perms(user)

    assert granted <= perms
    assert not refused & perms


def test_no_role_grants_delete(company, production):
    for role in Role:
        user = make_user()
        grant_role(user, company, role, production if role == Role.MANAGER else None)
        assert not [p for p in _perms(user) if ".delete_" in p]


def test_every_permission_in_the_map_names_an_installed_model():
    for granted in ROLE_MODEL_PERMISSIONS.values():
        for name, actions in granted.items():
            assert apps.get_model(name), name
            assert actions <= {"view", "add", "change"}, name


def test_an_auditor_may_view_every_model_of_people_attendance_and_payroll(company):
    auditor = _staff(company, Role.AUDITOR)
    models = [
        model
        for label in ("people", "attendance", "payroll")
        for model in apps.get_app_config(label).get_models()
    ]

    missing = [
        m for m in models if not auditor.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")
    ]

    assert missing == []


def test_a_role_in_any_company_counts(company):
    user = make_user()
    grant_role(user, make_company(), Role.FINANCE)

    assert user.has_perm("payroll.change_payrollrun")


def test_a_user_without_a_role_gets_nothing():
    assert _perms(make_user(is_staff=True)) == set()


def test_an_inactive_user_gets_nothing(company):
    user = _staff(company, Role.HR)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert _perms(user) == set()
    assert not RoleBackend().has_perm(user, "payroll.view_payrollrun")
    assert not RoleBackend().has_module_perms(user, "payroll")


def test_an_anonymous_user_gets_nothing():
    assert RoleBackend().get_all_permissions(AnonymousUser()) == set()
    assert not RoleBackend().has_module_perms(AnonymousUser(), "people")


def test_questions_about_an_object_are_left_to_renshis_checks(company):
    user = _staff(company, Role.HR)

    assert RoleBackend().get_all_permissions(user, obj=company) == set()
    assert not RoleBackend().has_perm(user, "people.view_company", obj=company)


def test_module_permissions_follow_the_role(company, production):
    manager = _staff(company, Role.MANAGER, department=production)
    backend = RoleBackend()

    assert backend.has_module_perms(manager, "attendance")
    assert backend.has_module_perms(manager, "people")
    assert not backend.has_module_perms(manager, "payroll")
    assert not backend.has_module_perms(manager, "access")


def test_django_asks_the_backend_in_sync_and_async_code(company):
    auditor = _staff(company, Role.AUDITOR)

    assert auditor.has_perm("payroll.view_payslip")
    assert auditor.has_module_perms("payroll")
    assert async_to_sync(auditor.ahas_perm)("payroll.view_payslip")
    assert not async_to_sync(auditor.ahas_perm)("payroll.add_payslip")


# --- the admin -----------------------------------------------------------------------------


def test_hr_sees_the_run_list_and_calculates_a_run(company, run):
    client = _client(_staff(company, Role.HR))

    listed = client.get(RUNS)
    calculated = _action(client, run, "calculate")

    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [run]
    assert calculated.status_code == 200
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED


def test_finance_approves_a_calculated_run(company, run):
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    finance = _staff(company, Role.FINANCE)

    _action(_client(finance), run, "approve")

    run.refresh_from_db()
    assert run.state == RunState.APPROVED
    assert run.events.last().actor == finance


def test_hr_is_told_they_may_not_approve_and_the_run_stays_calculated(company, run):
    services.payroll_run_calculate(actor=None, run=run, executor="inline")

    response = _action(_client(_staff(company, Role.HR)), run, "approve")

    run.refresh_from_db()
    assert run.state == RunState.CALCULATED
    assert any("acme 2025-08" in m and "payroll.approve" in m for m in _messages(response))


def test_a_manager_is_refused_payroll_but_sees_the_leave_list(company, production, run):
    leave_types_install_defaults(company=company)
    leave_record_create(
        actor=None,
        employee=run.company.employees.get(),
        leave_type=LeaveType.objects.get(company=company, code="annual"),
        start_date=datetime.date(2025, 3, 10),
        end_date=datetime.date(2025, 3, 14),
        reason="",
    )
    client = _client(_staff(company, Role.MANAGER, department=production))

    leaves = client.get(LEAVES)

    assert client.get(RUNS).status_code == 403
    assert client.get(PAYSLIPS).status_code == 403
    assert leaves.status_code == 200
    assert len(leaves.context["cl"].result_list) == 1


def test_an_auditor_sees_payslips_but_may_not_add_one(company, run):
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    client = _client(_staff(company, Role.AUDITOR))

    listed = client.get(PAYSLIPS)

    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 1
    assert not listed.context["has_add_permission"]
    assert client.get(reverse("admin:payroll_payslip_add")).status_code == 403


def test_an_auditor_is_not_offered_the_run_actions(company, run):
    client = _client(_staff(company, Role.AUDITOR))

    listed = client.get(RUNS)
    refused = _action(client, run, "calculate")

    assert listed.status_code == 200
    assert listed.context["action_form"] is None
    run.refresh_from_db()
    assert refused.status_code == 200
    assert run.state == RunState.DRAFT


def test_a_staff_user_without_a_role_is_refused_the_run_list(run):
    client = _client(make_user(is_staff=True))

    assert client.get(RUNS).status_code == 403


def test_the_admin_index_shows_the_apps_each_role_works_in(company, production):
    hr = _client(_staff(company, Role.HR)).get(reverse("admin:index"))
    manager = _client(_staff(company, Role.MANAGER, department=production)).get(
        reverse("admin:index")
    )

    assert {app["app_label"] for app in hr.context["app_list"]} == {
        "people",
        "attendance",
        "payroll",
        "policies",
        "backpay",
        "alerts",
        "notices",
    }
    assert {app["app_label"] for app in manager.context["app_list"]} == {"people", "attendance"}
