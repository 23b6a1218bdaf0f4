"""The case package's readable timeline (``timeline.pdf``), in Chinese, from the entries alone.

Each row is one entry as its canonical bytes say it: the time it was recorded, its kind, its
facts, its index and leaf hash, and the SHA-256 of its attachments. Nothing is read from the
business tables, which can change after the fact; the header names the company and the employee
as they are at export, and the checkpoint the entries are proven against.

Kinds and data keys are written by the services that record each event; the labels below cover
the known ones, and anything else is shown under its own name, so that a new kind or field is
never left out of the timeline. Rendering fetches nothing (fonts through fontconfig, no URL
allowed) and the PDF's dates are the checkpoint's, so the same entries give the same bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from renshi.web.pdf import html_to_pdf

TEMPLATE = "evidence/timeline.html"

KIND_LABELS: Mapping[str, str] = {
    "payroll.payslip": "工资单",
    "payroll.calculated": "工资核算",
    "payroll.approved": "工资审批通过",
    "policy.used": "适用的政策标准",
    "contribution.recorded": "社保公积金缴纳记录",
    "arrears.posted": "欠款入账（公司垫付）",
    "arrears.repaid": "欠款归还",
    "arrears.waived": "欠款减免",
    "arrears.receivable": "应退还款项",
    "arrears.prepaid": "预付款",
    "leave.requested": "请假申请",
    "leave.approved": "请假批准",
    "leave.rejected": "请假驳回",
    "leave.cancelled": "请假撤销",
    "leave.confirmed": "请假确认",
    "employee.onboarded": "入职",
    "employee.resigned": "离职",
    "enrolment.confirmed": "社保公积金参保确认",
    "alert.raised": "预警产生",
    "alert.changed": "预警状态变更",
    "notice.created": "通知生成",
    "notice.sent": "通知发出",
    "notice.delivered": "通知送达",
    "notice.opened": "通知链接被打开",
    "notice.acknowledged": "员工确认收到通知",
    "letter.issued": "出具催缴函",
    "letter.dispatched": "催缴函寄出",
    "letter.received": "催缴函签收",
    "evidence.exported": "导出证据包",
}

FIELD_LABELS: Mapping[str, str] = {
    "action": "动作",
    "actor": "操作人",
    "additional_deductions": "专项附加扣除",
    "address": "地址",
    "advanced": "公司垫付",
    "advanced_items": "垫付明细",
    "after": "之后",
    "alert": "预警编号",
    "amount": "金额",
    "arrears": "欠款",
    "at": "时间",
    "attempt": "发送次数",
    "balance": "余额",
    "base": "缴费基数",
    "basic_deduction": "基本减除费用",
    "before": "之前",
    "binding": "联系方式核实",
    "calculation": "核算编号",
    "carrier": "承运商",
    "cause": "起因",
    "channel": "渠道",
    "channels": "渠道",
    "checkpoint_size": "检查点覆盖的条目数",
    "city": "城市",
    "code": "代码",
    "company": "公司",
    "cost": "费用",
    "created_at": "生成时间",
    "days": "天数",
    "deadline": "期限",
    "deductions": "扣款",
    "delivery": "送达记录编号",
    "delivery_state": "送达状态",
    "department": "部门",
    "dispatched_on": "寄出日期",
    "due": "到期",
    "employee": "员工",
    "employee_share": "个人部分",
    "employer": "单位部分",
    "employer_share": "单位部分",
    "employment_type": "用工形式",
    "end": "结束",
    "end_date": "结束日期",
    "end_month": "截止月份",
    "enrolment": "参保记录编号",
    "enrolment_added": "新增参保",
    "entries": "条目数",
    "error": "错误",
    "first_month": "首月",
    "from": "原状态",
    "from_state": "原状态",
    "from_status": "原状态",
    "gross": "应发工资",
    "hire_date": "入职日期",
    "housing_fund": "住房公积金",
    "housing_fund_base": "住房公积金基数",
    "housing_fund_rate": "住房公积金比例",
    "iit": "个人所得税",
    "income": "收入",
    "ip": "IP 地址",
    "is_copy": "抄送",
    "is_final": "最终结算",
    "is_verified": "已核实",
    "items": "明细",
    "kind": "类别",
    "last_day": "最后工作日",
    "last_month": "末月",
    "leave": "请假记录编号",
    "leave_date": "离职日期",
    "leave_type": "假期类型",
    "letter": "催缴函",
    "line_details": "工资项目说明",
    "line_labels": "工资项目名称",
    "lines": "工资项目",
    "link_expires_at": "链接有效期至",
    "long_leave_rule": "长假规则",
    "maternity": "生育保险",
    "maternity_base": "生育保险基数",
    "medical": "医疗保险",
    "medical_base": "医疗保险基数",
    "message": "内容",
    "month": "月份",
    "months": "月份",
    "months_removed": "撤销的月份",
    "name": "姓名",
    "net": "实发工资",
    "next_attempt_at": "下次发送时间",
    "note": "备注",
    "notice": "通知编号",
    "number": "编号",
    "on": "日期",
    "other_deductions": "其他扣除",
    "outcome": "结果",
    "package_sha256": "证据包 ZIP 的 SHA-256",
    "paid_on": "支付日期",
    "params": "参数",
    "pay_ratio": "计薪比例",
    "pay_rule": "计薪规则",
    "payslip": "工资单编号",
    "payslip_count": "工资单数",
    "payslips": "工资单数",
    "pension": "养老保险",
    "pension_base": "养老保险基数",
    "period": "期间",
    "policy": "政策",
    "position": "岗位",
    "prepaid_amount": "已预付金额",
    "prepay_amount": "应预付金额",
    "provider_message_id": "服务商消息编号",
    "provider_response": "服务商回应",
    "raised_at": "产生时间",
    "raised_by": "发起人",
    "rate": "比例",
    "reason": "原因",
    "receipt_sha256": "寄件回执的 SHA-256",
    "recipient_role": "收件人角色",
    "recipients": "收件人",
    "recovered": "扣回",
    "reference": "参考号",
    "removal_due_date": "应减员日期",
    "removals": "减员",
    "role": "角色",
    "rule": "预警规则",
    "run": "工资批次编号",
    "severity": "级别",
    "sha256": "SHA-256",
    "share_covered": "个人部分已足额扣缴",
    "size": "字节数",
    "social_insurance": "社会保险",
    "source": "来源",
    "special_deductions": "专项扣除",
    "start": "开始",
    "start_date": "开始日期",
    "start_month": "起始月份",
    "state": "状态",
    "status": "状态",
    "subject": "主题",
    "sums_sha256": "SHA256SUMS 的 SHA-256",
    "tax": "个人所得税",
    "tax_free_income": "免税收入",
    "tax_relief": "减免税额",
    "tax_withheld": "已预扣税额",
    "text": "正文",
    "text_sha256": "确认文本的 SHA-256",
    "time_deductions": "缺勤扣款",
    "to": "新状态",
    "to_state": "新状态",
    "total": "合计",
    "totals": "合计",
    "tracking_number": "快递单号",
    "unemployment": "失业保险",
    "unemployment_base": "失业保险基数",
    "user_agent": "浏览器",
    "withheld": "代扣",
    "work_city": "工作城市",
    "work_injury": "工伤保险",
    "work_injury_base": "工伤保险基数",
    "work_injury_class": "工伤保险行业类别",
    "working_days_by_month": "各月工作日",
    "year": "年度",
    "year_to_date": "本年累计",
}
# "name" is a person's name at the top of an entry and under "employee"; elsewhere (a leave
# type's, a rule's) the name of a thing.
THING_NAME = "名称"
PERSON_KEYS = frozenset({"", "employee"})
VALUE_LABELS: Mapping[object, str] = {True: "是", False: "否", None: "—"}


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class TimelineRow:
    index: int
    time: str
    kind: str
    kind_label: str
    facts: tuple[Fact, ...]
    corrects: int | None
    leaf_hash: str
    attachments: tuple[Attachment, ...]


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def local_time(text: str) -> str:
    """An ISO time from an entry, in the server's time zone (China), to the second."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    if timezone.is_naive(moment):
        return str(text)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def facts(data: Mapping[str, Any]) -> Iterator[Fact]:
    """An entry's data as one fact per key, in key order; a nested value is written on one
    line as its own labelled parts (``医疗保险 · 员工 146.24；...``)."""
    for key in sorted(data):
        value = data[key]
        if isinstance(value, Mapping | list) and not _is_flat(value):
            parts = [f"{part.label} {part.value}" for part in _parts(value, "", parent=key)]
            yield Fact(field_label(key), "；".join(parts) or "—")
        else:
            yield Fact(field_label(key), _value(value))


def _is_flat(value: Mapping[str, Any] | list[Any]) -> bool:
    return isinstance(value, list) and all(not isinstance(item, Mapping | list) for item in value)


def _parts(data: Any, prefix: str, *, parent: str) -> Iterator[Fact]:
    """Nested values as label/value pairs, the labels joined by ``·``."""
    if isinstance(data, Mapping):
        for key in sorted(data):
            label = field_label(key, parent=parent)
            yield from _parts(data[key], f"{prefix} · {label}" if prefix else label, parent=key)
        return
    if isinstance(data, list) and not _is_flat(data):
        for position, item in enumerate(data, start=1):
            label = f"{prefix} {position}" if prefix else str(position)
            yield from _parts(item, label, parent=parent)
        return
    yield Fact(prefix, _value(data))


def field_label(key: str, *, parent: str = "") -> str:
    if key == "name" and parent not in PERSON_KEYS:
        return THING_NAME
    return FIELD_LABELS.get(key, key)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_value(item) for item in value) or "—"
    if isinstance(value, Mapping):
        return "—"  # an empty one: a full one is written as its parts
    if isinstance(value, bool) or value is None:
        return VALUE_LABELS[value]
    if isinstance(value, str):  # an ISO moment in China's time; any other text as it is
        return local_time(value) if value else "—"
    return str(value)


def timeline_row(document: Mapping[str, Any], *, leaf_hash: str) -> TimelineRow:
    """One entry's row, from its document and its leaf hash (hex)."""
    blobs = document.get("blobs") or {}
    return TimelineRow(
        index=int(document["index"]),
        time=local_time(str(document.get("recorded_at", ""))),
        kind=str(document["kind"]),
        kind_label=kind_label(str(document["kind"])),
        facts=tuple(facts(document.get("data") or {})),
        corrects=document.get("corrects"),
        leaf_hash=leaf_hash,
        attachments=tuple(
            Attachment(name=name, sha256=digest) for name, digest in sorted(blobs.items())
        ),
    )


def timeline_pdf(*, rows: Sequence[TimelineRow], header: Mapping[str, Any]) -> bytes:
    """The timeline as an A4 PDF; ``header`` names the company, the employee and the
    checkpoint (``created`` is its ISO time, the PDF's date)."""
    return html_to_pdf(render_to_string(TEMPLATE, {"rows": rows, **header}))
