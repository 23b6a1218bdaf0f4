"""Payroll in the evidence log: approval writes one entry per payslip, the postings and the
policies used, then an approval naming that batch; reopening, paying and the ledger's own
postings are recorded in the transaction of the change, and a failure writes nothing."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from tests.factories import (
    make_company,
    make_employee,
    make_enrolment,
    make_user,
    valid_resident_id,
)
from tests.payroll.factories import assign_salary, run_month, set_attendance

from renshi.core.months import Month
from renshi.evidence.canonical import FloatRefusedError, canonical_json
from renshi.evidence.models import EvidenceEntry
from renshi.evidence.selectors import evidence_entries, evidence_entry_document
from renshi.evidence.verify import evidence_log_verify
from renshi.payroll import evidence as run_evidence
from renshi.payroll import services
from renshi.payroll.models import ArrearsEntry, PayrollRun, Payslip, RunState

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id(datetime.date(1990, 1, 1), "male", seq=11)
BANK_ACCOUNT = "6222020200112233445"


def _employee(company, number="E001", base="10000", **kwargs):
    employee = make_employee(
        company,
        number=number,
        hire_date=datetime.date(2024, 1, 1),
        id_number=kwargs.pop("id_number", None),
    )
    make_enrolment(employee, base=Decimal(base), start_month="2024-01", **kwargs)
    assign_salary(employee, base=base, month="2024-01")
    return employee


def _data(kind, **filters):
    return [evidence_entry_document(entry)["data"] for entry in _entries(kind, **filters)]


def _entries(kind, **filters):
    return list(evidence_entries(kinds=[kind]).filter(**filters))


def test_an_approved_run_has_one_payslip_entry_per_payslip_with_its_net():
    company = make_company(code="acme")
    employees = [_employee(company, number=f"E00{n}", base=f"{n}0000") for n in (1, 2, 3)]

    run = run_month(company, "2025-08")

    payslips = Payslip.objects.filter(calculation=run.calculation)
    entries = _entries(run_evidence.KIND_PAYSLIP)
    assert len(entries) == payslips.count() == 3
    for payslip in payslips:
        (entry,) = [entry for entry in entries if entry.employee_id == payslip.employee_id]
        data = evidence_entry_document(entry)["data"]
        assert data["net"] == str(payslip.net)
        assert data["gross"] == str(payslip.gross)
        assert data["iit"]["withheld"] == str(payslip.iit)
        assert data["payslip"] == payslip.pk
        assert data["run"] == run.pk
        assert data["month"] == "2025-08"
        assert data["company"] == "acme"
        assert data["calculation"] == run.calculation_id
        assert entry.corrects is None
    assert {entry.employee_id for entry in entries} == {employee.pk for employee in employees}


def test_a_payslip_entry_is_the_contribution_record_item_by_item():
    company = make_company(code="acme")
    _employee(company)

    run_month(company, "2025-08")

    (data,) = _data(run_evidence.KIND_PAYSLIP)
    assert data["employee"] == {"number": "E001", "name": "张三"}
    # Beijing 2025-07..2026-06 at a 10,000 base: pension 8% and 16%, housing fund 12% each.
    pension = data["social_insurance"]["pension"]
    assert pension == {
        "base": "10000.00",
        "rate": "0.080000",
        "employee": "800.00",
        "employer": "1600.00",
    }
    # Beijing's maternity insurance is merged into medical: four items.
    assert set(data["social_insurance"]) == {"pension", "medical", "unemployment", "work_injury"}
    assert data["housing_fund"]["employee"] == data["housing_fund"]["employer"] == "1200.00"
    assert data["employee_share"] == "2253.00"
    assert data["policy"] == {
        "city": "beijing",
        "social_insurance": {"start": "2025-07", "end": "2026-06"},
        "housing_fund": {"start": "2025-07", "end": "2026-06"},
    }
    assert data["lines"]["earning.base"] == "10000.00"
    assert data["line_labels"]["earning.base"] == "基本工资"
    assert data["lines"]["si.pension"] == pension["employee"]
    assert data["lines"]["net"] == data["net"]
    assert data["iit"]["year_to_date"]["tax_withheld"] == data["iit"]["withheld"]


def test_an_unpaid_day_shows_its_days_and_daily_wage_on_the_line():
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="19", absent="2")

    run_month(company, "2025-08")

    (data,) = _data(run_evidence.KIND_PAYSLIP)
    details = data["line_details"]["time.unpaid_leave"]
    assert details["days"] == "2.0"
    assert details["daily_wage"] == "459.77"  # 10,000 ÷ 21.75
    assert data["lines"]["time.unpaid_leave"] == data["time_deductions"] == "919.54"


def test_no_entry_holds_the_resident_id_or_the_bank_account():
    company = make_company(code="acme")
    _employee(company, id_number=ID_NUMBER)

    run_month(company, "2025-08")

    for entry in EvidenceEntry.objects.all():
        stored = bytes(entry.canonical)
        assert ID_NUMBER.encode() not in stored
        assert BANK_ACCOUNT.encode() not in stored


def test_the_approval_entry_closes_its_batch_with_a_digest_of_the_leaf_hashes():
    company = make_company(code="acme")
    for n in (1, 2):
        _employee(company, number=f"E00{n}")
    user = make_user("finance", is_superuser=True)
    run = services.payroll_run_create(actor=None, company=company, month=Month.parse("2025-08"))
    services.payroll_run_calculate(actor=None, run=run, executor="inline")

    services.payroll_run_approve(actor=user, run=run)

    (approved,) = _entries(run_evidence.KIND_APPROVED)
    data = evidence_entry_document(approved)["data"]
    run.refresh_from_db()
    assert data["payslips"] == 2
    assert data["totals"]["net"] == str(run.total_net)
    assert data["totals"]["gross"] == str(run.total_gross)
    assert data["actor"] == "finance"
    batch = list(EvidenceEntry.objects.filter(index__lt=approved.index).order_by("index"))
    assert data["batch"]["first"] == batch[0].index
    assert data["batch"]["last"] == batch[-1].index == approved.index - 1
    assert data["batch"]["entries"] == len(batch) == 3  # policy.used and two payslips
    joined = b"".join(bytes(entry.leaf_hash) for entry in batch)
    assert data["batch"]["leaf_hashes_sha256"] == hashlib.sha256(joined).hexdigest()
    assert evidence_log_verify().is_intact


def test_policy_used_names_the_city_its_periods_their_sources_and_hash():
    company = make_company(code="acme")
    _employee(company)
    _employee(company, number="E002", city="shanghai")

    run_month(company, "2025-08")

    used = {data["city"]: data for data in _data(run_evidence.KIND_POLICY_USED)}
    assert set(used) == {"beijing", "shanghai"}
    beijing = used["beijing"]
    assert beijing["payslips"] == 1
    assert beijing["periods_on_payslips"]["social_insurance"] == ["2025-07..2026-06"]
    library = beijing["library"]
    assert library["origin"] == "bundled"
    assert library["file"] == "beijing.toml"
    periods = library["periods"]
    assert periods["social_insurance"]["start"] == "2025-07"
    assert periods["social_insurance"]["end"] == "2026-06"
    assert library["periods_sha256"] == hashlib.sha256(canonical_json(periods)).hexdigest()
    pension = next(
        item for item in periods["social_insurance"]["items"] if item["kind"] == "pension"
    )
    assert pension["employee_rate"]["value"] == "0.08"
    assert pension["employee_rate"]["source"] in library["sources"]


def test_an_advance_is_posted_with_the_balance_it_leaves():
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")

    run = run_month(company, "2025-08")

    payslip = Payslip.objects.get(calculation=run.calculation)
    assert payslip.advanced > 0
    (data,) = _data(run_evidence.KIND_POSTED, employee=employee)
    assert data["kind"] == "advance"
    assert data["amount"] == str(payslip.advanced)
    assert data["balance_after"] == str(payslip.advanced)
    assert data["payslip"] == payslip.pk
    assert data["posting"] == ArrearsEntry.objects.get(employee=employee).pk
    assert data["items"] == payslip.advanced_items
    assert _data(run_evidence.KIND_PAYSLIP)[0]["arrears"]["advanced"] == data["amount"]


def test_reapproval_after_reopening_corrects_the_earlier_entries():
    company = make_company(code="acme")
    first = _employee(company, number="E001")
    second = _employee(company, number="E002")
    set_attendance(first, "2025-08", scheduled="21", worked="0", absent="21")
    run = run_month(company, "2025-08")
    before = {entry.employee_id: entry.index for entry in _entries(run_evidence.KIND_PAYSLIP)}
    (approved_before,) = _entries(run_evidence.KIND_APPROVED)

    services.payroll_run_reopen(actor=None, run=run, reason="基数录错")
    services.payroll_run_calculate(actor=None, run=run, executor="inline")
    services.payroll_run_approve(actor=None, run=run)

    (reopened,) = _data(run_evidence.KIND_REOPENED)
    assert reopened["reason"] == "基数录错"
    assert reopened["reversals"] == 1
    reversal = _data(run_evidence.KIND_POSTED, employee=first)[1]
    assert reversal["kind"] == "reversal"
    assert reversal["balance_after"] == "0.00"
    later = [e for e in _entries(run_evidence.KIND_PAYSLIP) if e.index > max(before.values())]
    assert {entry.employee_id: entry.corrects for entry in later} == {
        first.pk: before[first.pk],
        second.pk: before[second.pk],
    }
    approvals = _entries(run_evidence.KIND_APPROVED)
    assert [entry.corrects for entry in approvals] == [None, approved_before.index]
    assert evidence_log_verify().is_intact


def test_paying_a_run_is_recorded():
    company = make_company(code="acme")
    _employee(company)
    run = run_month(company, "2025-08")

    services.payroll_run_mark_paid(actor=None, run=run)

    (data,) = _data(run_evidence.KIND_PAID)
    assert data["run"] == run.pk
    assert data["total_net"] == str(run.total_net)
    assert data["actor"] is None


def test_a_failure_after_the_append_leaves_no_entry_and_the_run_calculated(monkeypatch):
    company = make_company(code="acme")
    employee = _employee(company)
    set_attendance(employee, "2025-08", scheduled="21", worked="0", absent="21")
    run = run_month(company, "2025-08", approve=False)
    append = run_evidence.approval_append

    def append_then_fail(**kwargs):
        append(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(run_evidence, "approval_append", append_then_fail)

    with pytest.raises(RuntimeError):
        services.payroll_run_approve(actor=None, run=run)

    assert not EvidenceEntry.objects.exists()
    assert not ArrearsEntry.objects.exists()
    assert PayrollRun.objects.get(pk=run.pk).state == RunState.CALCULATED


def test_a_refused_append_refuses_the_approval(monkeypatch):
    company = make_company(code="acme")
    _employee(company)
    run = run_month(company, "2025-08", approve=False)
    data = run_evidence.payslip_data
    monkeypatch.setattr(run_evidence, "payslip_data", lambda *args: {**data(*args), "net": 0.5})

    with pytest.raises(FloatRefusedError):
        services.payroll_run_approve(actor=None, run=run)

    assert not EvidenceEntry.objects.exists()
    assert PayrollRun.objects.get(pk=run.pk).state == RunState.CALCULATED


def test_repayment_waiver_and_receivable_each_have_their_entry_and_balance():
    company = make_company(code="acme")
    employee = _employee(company)

    services.receivable_record(
        actor=None,
        employee=employee,
        amount="1000",
        on=datetime.date(2025, 9, 1),
        reason="笔记本电脑未归还",
    )
    services.arrears_repayment_record(
        actor=None,
        employee=employee,
        amount="300",
        paid_on=datetime.date(2025, 9, 5),
        reference="银行转账 0001",
        note="第一笔",
    )
    services.arrears_waive(
        actor=None, employee=employee, amount="200", on=datetime.date(2025, 9, 30), reason="减免"
    )

    receivable, repaid, waived = (
        _data(kind)
        for kind in (
            run_evidence.KIND_RECEIVABLE,
            run_evidence.KIND_REPAID,
            run_evidence.KIND_WAIVED,
        )
    )
    assert receivable[0]["amount"] == "1000.00"
    assert receivable[0]["note"] == "笔记本电脑未归还"
    assert receivable[0]["balance_after"] == "1000.00"
    assert repaid[0]["amount"] == "-300.00"
    assert repaid[0]["reference"] == "银行转账 0001"
    assert repaid[0]["balance_after"] == "700.00"
    assert waived[0]["balance_after"] == "500.00"
    assert waived[0]["employee"] == {"number": "E001", "name": "张三"}


def test_a_refused_repayment_writes_no_entry():
    company = make_company(code="acme")
    employee = _employee(company)

    with pytest.raises(services.RepaymentError):
        services.arrears_repayment_record(
            actor=None, employee=employee, amount="1", paid_on=datetime.date(2025, 9, 1)
        )

    assert not EvidenceEntry.objects.exists()
