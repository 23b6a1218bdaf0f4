"""The default warning rules every company starts with (SPEC C6), as data HR can change."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from renshi.alerts.models import Channel, Recipient, RuleKind, Severity


@dataclass(frozen=True, slots=True)
class RuleDefault:
    kind: RuleKind
    threshold: Decimal | None
    lead_days: int
    severity: Severity
    channels: tuple[str, ...]
    recipients: tuple[str, ...]
    copy_hr_and_finance: bool = False
    escalate_after_days: int = 7
    notes: str = field(default="", compare=False)


_HR = Recipient.HR.value
_FINANCE = Recipient.FINANCE.value
_CLERK = Recipient.SI_CLERK.value
_EMPLOYEE = Recipient.EMPLOYEE.value
_MANAGER = Recipient.MANAGER.value
_EMAIL = Channel.EMAIL.value
_IN_APP = Channel.IN_APP.value

DEFAULT_RULES = (
    # Seed 000: "当员工请假超过10天时 … 提取社保缴纳记录与当月工资明细".
    RuleDefault(
        RuleKind.LEAVE_OVER_DAYS, Decimal("10"), 0, Severity.INFO, (_IN_APP,), (_HR, _MANAGER)
    ),
    # Seed 000: "若工资不足以覆盖社保个人部分，便提前3天向HR发送预警通知".
    RuleDefault(
        RuleKind.SHARE_NOT_COVERED,
        None,
        3,
        Severity.WARNING,
        (_EMAIL, _IN_APP),
        (_HR, _EMPLOYEE),
        copy_hr_and_finance=True,
    ),
    # Seed 000: "当差额超过500元时，系统自动发送通知给员工，同时抄送给HR和财务；若员工在7天内未回应
    # … 自动生成《催缴函》".
    RuleDefault(
        RuleKind.ARREARS_OVER,
        Decimal("500"),
        0,
        Severity.CRITICAL,
        (_EMAIL, _IN_APP),
        (_EMPLOYEE, _HR, _FINANCE),
        copy_hr_and_finance=True,
        escalate_after_days=7,
    ),
    # Seed 001: "员工提交离职申请后，系统自动触发社保减员提醒（如离职前30天提醒HR办理减员手续）".
    RuleDefault(RuleKind.LEAVER_NOT_REMOVED, None, 30, Severity.WARNING, (_IN_APP,), (_CLERK, _HR)),
    # Seed 001: "当社保缴费截止日临近（如每月25日截止），系统提醒HR完成缴费".
    RuleDefault(
        RuleKind.CONTRIBUTION_DEADLINE,
        Decimal("25"),
        3,
        Severity.WARNING,
        (_IN_APP,),
        (_CLERK, _FINANCE),
    ),
    RuleDefault(
        RuleKind.CONTRIBUTIONS_BROKEN, None, 0, Severity.WARNING, (_IN_APP,), (_CLERK, _HR)
    ),
    # Seed 001: "社保缴费基数与工资基数不一致，被判定为错缴".
    RuleDefault(RuleKind.BASE_BELOW_WAGE, None, 0, Severity.WARNING, (_IN_APP,), (_HR, _CLERK)),
    RuleDefault(
        RuleKind.POLICY_PERIOD_MISSING, None, 31, Severity.CRITICAL, (_IN_APP,), (_HR, _CLERK)
    ),
)
