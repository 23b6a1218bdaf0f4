"""Back-payment services: the estimate, the request with its evidence, refusals that write
nothing, and HR's decisions with the right roles only."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from tests.payroll.factories import assign_salary, run_month

from renshi.backpay import services
from renshi.backpay.evidence import (
    KIND_COMPLETED,
    KIND_DECIDED,
    KIND_REQUESTED,
    KIND_WITHDRAWN,
)
from renshi.backpay.models import BackPayEvent, BackPayRequest, BackPayState
from renshi.backpay.selectors import (
    GAP_MISSING,
    GAP_NOT_ENROLLED,
    backpay_gap_months,
    backpay_requests_for,
    backpay_requests_pending,
)
from renshi.core import backpay as core
from renshi.core.errors import CoreError
from renshi.evidence.canonical import canonical_json, sha256_hex
from renshi.evidence.models import EvidenceEntry
from renshi.payroll.models import PayslipLine
from renshi.people.models import EmployeeStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 7)
PAY_BY = datetime.date(2025, 12, 7)  # TODAY + services.PAY_BY_DAYS


def _estimate(employee, months, **kw):
    return services.backpay_estimate(employee=employee, months=months, pay_date=PAY_BY, **kw)


def _submit(employee, months, *, actor=None, **kw):
    shown = _estimate(employee, months, requested_base=kw.get("requested_base"))
    return services.backpay_request_submit(
        actor=actor if actor is not None else employee.user,
        employee=employee,
        months=months,
        reason=kw.pop("reason", "入职后社保未缴"),
        shown_digest=kw.pop("shown_digest", shown.digest),
        is_confirmed=kw.pop("is_confirmed", True),
        **kw,
    )


def _entries(kind):
    return [json.loads(bytes(entry.canonical)) for entry in EvidenceEntry.objects.filter(kind=kind)]


def _nothing_written():
    assert not BackPayRequest.objects.exists()
    assert not BackPayEvent.objects.exists()
    assert not EvidenceEntry.objects.filter(kind__startswith="backpay.").exists()


# --- Estimate ------------------------------------------------------------------------------


def test_a_month_without_enrolment_uses_the_latest_enrolments_base(employee):
    estimate = _estimate(employee, ["2024-05"])

    (month,) = estimate.result.months
    assert month.origin is core.BaseOrigin.LATEST
    assert {item.base for item in month.items if item.code != "hf"} == {Decimal("10000.00")}
    assert estimate.digest == sha256_hex(canonical_json(estimate.figures))
    assert estimate.figures["employee"] == "HX0002"


def test_the_base_the_employee_enters_is_used_for_months_without_enrolment(employee):
    estimate = _estimate(employee, ["2024-05", "2025-02"], requested_base="8000")

    before, enrolled = estimate.result.months
    assert before.origin is core.BaseOrigin.REQUESTED
    assert before.items[0].wage_base == Decimal("8000")
    assert enrolled.origin is core.BaseOrigin.ENROLMENT
    assert enrolled.items[0].wage_base == Decimal("10000.00")
    assert "8000.00" in estimate.statement


def test_the_estimate_refuses_a_month_before_hire(employee):
    with pytest.raises(core.MonthBeforeHireError) as caught:
        _estimate(employee, ["2023-12"])
    assert caught.value.params["hire"] == "2024-01"


def test_the_estimate_refuses_a_month_that_is_not_a_month(employee):
    with pytest.raises(CoreError) as caught:
        _estimate(employee, ["2024-13"])
    assert caught.value.field == "months[0]"


# --- Submit --------------------------------------------------------------------------------


def test_submit_stores_the_figures_shown_with_their_hash_an_event_and_evidence(employee):
    shown = _estimate(employee, ["2024-05", "2024-06"])

    request = services.backpay_request_submit(
        actor=employee.user,
        employee=employee,
        months=["2024-06", "2024-05"],
        reason="入职后社保未缴",
        shown_digest=shown.digest,
        is_confirmed=True,
    )

    request.refresh_from_db()
    assert request.state == BackPayState.SUBMITTED
    assert request.months == ["2024-05", "2024-06"]
    assert request.figures == shown.figures
    assert request.figures_sha256 == shown.digest
    assert request.pay_date == PAY_BY
    assert request.grand_total == shown.result.grand_total
    assert request.late_fee_total == shown.result.late_fee_total > 0
    assert request.employer_total + request.employee_total + request.late_fee_total == (
        request.grand_total
    )
    assert list(request.events.values_list("action", flat=True)) == ["submit"]
    (entry,) = _entries(KIND_REQUESTED)
    assert entry["data"]["figures_sha256"] == shown.digest
    assert entry["data"]["figures"]["grand_total"] == str(shown.result.grand_total)
    assert entry["data"]["months"] == ["2024-05", "2024-06"]
    assert entry["data"]["actor"] == "liming"


def test_submit_is_refused_when_the_figures_changed_since_shown(employee):
    shown = _estimate(employee, ["2024-05"])
    enrolment = employee.enrolments.get()
    enrolment.base = Decimal("12000")
    enrolment.save(update_fields=["base"])

    with pytest.raises(services.StatementChangedError):
        services.backpay_request_submit(
            actor=employee.user,
            employee=employee,
            months=["2024-05"],
            shown_digest=shown.digest,
            is_confirmed=True,
        )
    _nothing_written()


def test_submit_is_refused_without_the_confirmation(employee):
    with pytest.raises(services.NotConfirmedError):
        _submit(employee, ["2024-05"], is_confirmed=False)
    _nothing_written()


def test_a_month_already_in_a_pending_request_is_refused(employee):
    first = _submit(employee, ["2024-05"])

    with pytest.raises(services.MonthPendingError) as caught:
        _submit(employee, ["2024-04", "2024-05"])
    assert caught.value.params["request"] == first.pk
    assert BackPayRequest.objects.count() == 1
    assert len(_entries(KIND_REQUESTED)) == 1


def test_a_rejected_month_may_be_asked_again(employee, hr):
    first = _submit(employee, ["2024-05"])
    services.backpay_request_decide(actor=hr, request=first, is_accepted=False, note="已补缴")

    second = _submit(employee, ["2024-05"])

    assert second.pk != first.pk


def test_a_former_employee_cannot_ask(employee):
    employee.status = EmployeeStatus.LEFT
    employee.leave_date = datetime.date(2025, 9, 12)
    employee.save(update_fields=["status", "leave_date"])

    with pytest.raises(services.FormerEmployeeError):
        _submit(employee, ["2024-05"])
    _nothing_written()


def test_someone_else_cannot_ask_for_the_employee(employee, colleague, finance):
    for actor in (colleague.user, finance):
        with pytest.raises(PermissionDenied):
            _submit(employee, ["2024-05"], actor=actor)
    _nothing_written()


def test_hr_may_file_the_request_for_the_employee(employee, hr):
    request = _submit(employee, ["2024-05"], actor=hr)
    assert request.created_by == hr


def test_months_where_nothing_is_missing_are_refused(employee):
    assign_salary(employee, base="10000", month="2025-01")
    run_month(employee.company, "2025-03")

    with pytest.raises(services.NothingMissingError):
        _submit(employee, ["2025-03"])
    _nothing_written()


def test_a_failure_while_recording_the_evidence_leaves_no_request(employee):
    # A lone surrogate has no canonical form: the evidence append refuses it after the request
    # row was written, and the whole submission is rolled back.
    with pytest.raises((CoreError, DatabaseError, UnicodeEncodeError)):
        _submit(employee, ["2024-05"], reason="bad \ud800 text")
    _nothing_written()


# --- Decide, withdraw, complete -------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "colleague", "finance"])
def test_only_hr_or_the_si_clerk_may_decide(request, employee, who):
    submitted = _submit(employee, ["2024-05"])
    person = request.getfixturevalue(who)
    actor = person.user if who in ("employee", "colleague") else person

    with pytest.raises(PermissionDenied):
        services.backpay_request_decide(actor=actor, request=submitted, is_accepted=True)
    submitted.refresh_from_db()
    assert submitted.state == BackPayState.SUBMITTED
    assert not _entries(KIND_DECIDED)


def test_the_si_clerk_accepts_and_hr_completes(employee, clerk, hr):
    submitted = _submit(employee, ["2024-05"])

    services.backpay_request_decide(actor=clerk, request=submitted, is_accepted=True, note="OK")
    services.backpay_request_complete(actor=hr, request=submitted, note="银行回单 123")

    submitted.refresh_from_db()
    assert submitted.state == BackPayState.DONE
    assert submitted.decided_by == clerk
    assert submitted.decision_note == "OK"
    assert submitted.completed_by == hr
    assert [e.action for e in submitted.events.all()] == ["submit", "accept", "complete"]
    (decided,) = _entries(KIND_DECIDED)
    assert decided["data"]["is_accepted"] is True
    (completed,) = _entries(KIND_COMPLETED)
    assert completed["data"]["note"] == "银行回单 123"


def test_a_rejection_needs_a_note(employee, hr):
    submitted = _submit(employee, ["2024-05"])

    with pytest.raises(services.NoteRequiredError):
        services.backpay_request_decide(actor=hr, request=submitted, is_accepted=False, note=" ")
    submitted.refresh_from_db()
    assert submitted.state == BackPayState.SUBMITTED


def test_a_request_is_decided_once(employee, hr):
    submitted = _submit(employee, ["2024-05"])
    services.backpay_request_decide(actor=hr, request=submitted, is_accepted=True)

    with pytest.raises(services.WrongStateError):
        services.backpay_request_decide(actor=hr, request=submitted, is_accepted=False, note="x")
    with pytest.raises(services.WrongStateError):
        services.backpay_request_withdraw(actor=employee.user, request=submitted)
    assert len(_entries(KIND_DECIDED)) == 1


def test_only_an_accepted_request_is_completed(employee, hr):
    submitted = _submit(employee, ["2024-05"])
    with pytest.raises(services.WrongStateError):
        services.backpay_request_complete(actor=hr, request=submitted)
    assert not _entries(KIND_COMPLETED)


def test_the_employee_withdraws_while_submitted_and_nobody_else_can(employee, colleague, hr):
    submitted = _submit(employee, ["2024-05"])
    for other in (colleague.user, hr):
        with pytest.raises(PermissionDenied):
            services.backpay_request_withdraw(actor=other, request=submitted)

    services.backpay_request_withdraw(actor=employee.user, request=submitted)

    submitted.refresh_from_db()
    assert submitted.state == BackPayState.WITHDRAWN
    assert len(_entries(KIND_WITHDRAWN)) == 1


# --- Selectors -----------------------------------------------------------------------------


def test_gap_months_are_the_months_of_employment_without_enrolment(employee):
    gaps = backpay_gap_months(employee=employee, today=TODAY)

    assert [gap.month for gap in gaps.months] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert {gap.reason for gap in gaps.months} == {GAP_NOT_ENROLLED}
    assert gaps.unchecked == 0


def test_an_item_missing_from_an_approved_payslip_is_a_gap_and_only_it_is_asked(employee):
    assign_salary(employee, base="10000", month="2025-01")
    run_month(employee.company, "2025-03")
    PayslipLine.objects.filter(payslip__month="2025-03", code="hf").delete()

    gaps = backpay_gap_months(employee=employee, today=TODAY)
    (missing,) = [gap for gap in gaps.months if gap.reason == GAP_MISSING]
    estimate = _estimate(employee, ["2025-03"])

    assert missing.month == "2025-03"
    assert missing.items == ("hf",)
    (month,) = estimate.result.months
    assert [item.code for item in month.items] == ["hf"]
    assert month.items[0].late_fee == Decimal("0.00")
    assert "si.pension" in month.settled


def test_gaps_mark_months_pending_and_drop_months_paid_by_a_completed_request(employee, hr):
    pending = _submit(employee, ["2024-02"])
    done = _submit(employee, ["2024-03"])
    services.backpay_request_decide(actor=hr, request=done, is_accepted=True)
    services.backpay_request_complete(actor=hr, request=done)

    gaps = {gap.month: gap for gap in backpay_gap_months(employee=employee, today=TODAY).months}

    assert gaps["2024-02"].pending_request_id == pending.pk
    assert "2024-03" not in gaps
    assert gaps["2024-04"].pending_request_id is None


def test_a_former_employees_gaps_end_with_the_month_they_left(employee):
    employee.leave_date = datetime.date(2024, 6, 12)
    employee.save(update_fields=["leave_date"])

    gaps = backpay_gap_months(employee=employee, today=TODAY)

    assert gaps.months[-1].month == "2024-06"


def test_requests_are_listed_for_the_employee_and_pending_for_hr_only(
    employee, colleague, hr, finance
):
    submitted = _submit(employee, ["2024-05"])

    assert list(backpay_requests_for(actor=employee.user, employee=employee)) == [submitted]
    assert list(backpay_requests_pending(actor=hr, company=employee.company)) == [submitted]
    with pytest.raises(PermissionDenied):
        backpay_requests_for(actor=colleague.user, employee=employee)
    for actor in (employee.user, finance):
        with pytest.raises(PermissionDenied):
            backpay_requests_pending(actor=actor, company=employee.company)
