"""Django model permissions from Renshi roles, so that the admin opens for the people who work
in it without anyone maintaining Django groups alongside the roles.

A user holding a role in any company gets the role's model permissions below. They only decide
which admin pages and buttons exist; what is listed on them is scoped by the admins' querysets,
and every write is checked again, per company and employee, by the services (``require``).
Model permissions are never object permissions: asked about an object, this backend answers
nothing, as ``ModelBackend`` does. No role ever grants ``delete_``: Renshi keeps its records.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import BaseBackend

from renshi.access.models import Role, RoleAssignment

VIEW = frozenset({"view"})
EDIT = frozenset({"view", "add", "change"})  # never "delete"

PEOPLE_MODELS = (
    "company",
    "department",
    "position",
    "employee",
    "contract",
    "trainingrecord",
    "enrolment",
    "enrolmentchange",
)
ATTENDANCE_MODELS = (
    "leavesettings",
    "leavetype",
    "leaverecord",
    "leavemonth",
    "attendancemonth",
)
# Notices and their proof: read-only in the admin, whoever holds the permission.
NOTICE_PROOF_MODELS = (
    "notice",
    "delivery",
    "deliveryattempt",
    "noticeopening",
    "acknowledgement",
    "demandletter",
    "postaldispatch",
)
PAYROLL_MODELS = (
    "payrollsettings",
    "salarystructure",
    "salarycomponent",
    "salaryassignment",
    "payrolladjustment",
    "payrollrun",
    "payrollrunevent",
    "payrollcalculation",
    "calculationfailure",
    "payslip",
    "payslipline",
    "arrearsentry",
    "finalsettlement",
    "baseadjustment",
    "baseadjustmentline",
)


# Back-payment requests change only through their services (the portal and the workspace).
BACKPAY_MODELS = ("backpayrequest", "backpayevent")


def _all(app_label: str, models: tuple[str, ...]) -> dict[str, frozenset[str]]:
    return {f"{app_label}.{model}": VIEW for model in models}


# Role -> "app_label.model" -> actions. The admin is reached by the role's model permissions;
# access.RoleAssignment is for superusers only, and calc and web have no admin models.
ROLE_MODEL_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.HR: {
        # HR keeps the people records; companies are created by an administrator.
        "people.company": VIEW,
        "people.department": EDIT,
        "people.position": EDIT,
        "people.employee": EDIT,
        "people.contract": EDIT,
        "people.trainingrecord": EDIT,
        "people.enrolment": EDIT,
        "people.enrolmentchange": VIEW,  # the enrolment's history, written by the services
        # Leave and the monthly attendance figures are payroll inputs HR enters; the days per
        # month are derived when a leave is approved.
        **_all("attendance", ATTENDANCE_MODELS),
        "attendance.leavesettings": EDIT,
        "attendance.leavetype": EDIT,
        "attendance.leaverecord": EDIT,
        "attendance.attendancemonth": EDIT,
        # HR prepares and calculates payroll; results, history and the ledger are read-only.
        **_all("payroll", PAYROLL_MODELS),
        "payroll.payrollrun": EDIT,
        "payroll.salarystructure": EDIT,
        "payroll.salarycomponent": EDIT,
        "payroll.salaryassignment": EDIT,
        "payroll.payrolladjustment": EDIT,
        "payroll.payrollsettings": EDIT,
        "payroll.baseadjustment": EDIT,
        # Importing a city's policy file when the bundled library is behind.
        "policies.policyfile": frozenset({"view", "add"}),
        # The warning rules are the company's to set; warnings change through their actions.
        "alerts.warningrule": frozenset({"view", "change"}),
        "alerts.alert": frozenset({"view", "change"}),
        # What notices say about paying, the addresses they go to, and the proof they went.
        **_all("notices", NOTICE_PROOF_MODELS),
        "notices.noticesettings": EDIT,
        "notices.contactaddress": EDIT,
        **_all("backpay", BACKPAY_MODELS),
    },
    Role.FINANCE: {
        # Who is paid, not their HR records.
        "people.company": VIEW,
        "people.department": VIEW,
        "people.position": VIEW,
        "people.employee": VIEW,
        # Finance reads all of payroll; "change" on a run is what the approve, pay and reopen
        # actions need, and the services check the finance permissions behind them.
        **_all("payroll", PAYROLL_MODELS),
        "payroll.payrollrun": frozenset({"view", "change"}),
        # Finance follows up what is owed: the notices and letters asking for it.
        **_all("notices", NOTICE_PROOF_MODELS),
        "alerts.alert": frozenset({"view", "change"}),
        # The long leaves that wait for a prepayment, which finance records.
        "attendance.leaverecord": VIEW,
        # What the company will pay the bureau for back-payments.
        **_all("backpay", BACKPAY_MODELS),
    },
    Role.SI_CLERK: {
        # Social insurance: the enrolments (增员/减员, bases) and the annual base adjustment.
        "people.company": VIEW,
        "people.department": VIEW,
        "people.position": VIEW,
        "people.employee": VIEW,
        "people.enrolment": frozenset({"view", "change"}),
        "people.enrolmentchange": VIEW,
        "payroll.baseadjustment": EDIT,
        "payroll.baseadjustmentline": VIEW,
        # Shares the company advanced are what the clerk is asked about.
        "payroll.arrearsentry": VIEW,
        **_all("notices", NOTICE_PROOF_MODELS),
        "alerts.alert": frozenset({"view", "change"}),
        **_all("backpay", BACKPAY_MODELS),
    },
    Role.MANAGER: {
        # Their team (the admins show only their departments) and its leave; "change" is for
        # deciding on leave, which the services allow only within the managed departments.
        "people.employee": VIEW,
        "people.department": VIEW,
        "people.position": VIEW,
        **_all("attendance", ATTENDANCE_MODELS),
        "attendance.leaverecord": frozenset({"view", "change"}),
    },
    Role.AUDITOR: {
        # Reads everything a company's payroll rests on, changes nothing.
        **_all("people", PEOPLE_MODELS),
        **_all("attendance", ATTENDANCE_MODELS),
        **_all("payroll", PAYROLL_MODELS),
        "alerts.warningrule": VIEW,
        "alerts.alert": VIEW,
        **_all("notices", (*NOTICE_PROOF_MODELS, "noticesettings", "contactaddress")),
        **_all("backpay", BACKPAY_MODELS),
    },
}

_CACHE = "_renshi_role_perm_cache"


def role_model_permissions(role: str) -> set[str]:
    """``role``'s Django permissions, as ``"app_label.action_model"``."""
    granted = ROLE_MODEL_PERMISSIONS.get(role, {})
    return {
        f"{name.split('.')[0]}.{action}_{name.split('.')[1]}"
        for name, actions in granted.items()
        for action in actions
    }


class RoleBackend(BaseBackend):
    """Authenticates nobody; answers permission questions from the user's Renshi roles."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, _CACHE):  # asked many times per admin page
            roles = set(
                RoleAssignment.objects.filter(user_id=user_obj.pk).values_list("role", flat=True)
            )
            setattr(user_obj, _CACHE, set().union(*map(role_model_permissions, roles)))
        return set(getattr(user_obj, _CACHE))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj=obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))

    async def aget_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return await sync_to_async(self.get_all_permissions)(user_obj, obj)

    async def ahas_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in await self.aget_all_permissions(user_obj, obj)

    async def ahas_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return await sync_to_async(self.has_module_perms)(user_obj, app_label)
