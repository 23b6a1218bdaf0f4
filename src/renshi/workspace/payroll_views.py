"""Payroll runs in the workspace: the list, opening the next month, and a run's page with its
review (totals, failures, payslips, the warnings standing) and the actions its state allows.

Each action is a POST that checks the permission (403 without it, nothing changed) and calls
the service, whose refusal is shown as a message. Calculating runs in the request when there
are no workers (the embedded installation, as ``payroll_run_calculate``'s "auto" executor
decides); with workers it is queued (``workspace.tasks``) and the page polls its progress.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from renshi import clock
from renshi.access.checks import Perm, require
from renshi.core.errors import CoreError
from renshi.core.months import Month
from renshi.payroll.models import CalculationState, PayrollRun, RunState
from renshi.payroll.selectors import payroll_runs
from renshi.payroll.services import (
    RunFailedError,
    payroll_run_approve,
    payroll_run_calculate,
    payroll_run_create,
    payroll_run_mark_paid,
    payroll_run_reopen,
)
from renshi.workspace.access import Desk, desk_for, forbidden, workspace_page
from renshi.workspace.selectors import (
    PayslipFilters,
    latest_calculation,
    next_run_month,
    payslip_rows,
    run_failures,
    run_payslips,
    run_warnings,
)
from renshi.workspace.views import workspace_context

RunView = Callable[..., HttpResponse]
EVENT_NAMES = {
    "create": _("opened"),
    "calculate": _("calculated"),
    "approve": _("approved"),
    "pay": _("marked paid"),
    "reopen": _("reopened"),
}
PAGE_SIZE = 50
# How long a queued calculation may wait for a worker before the page stops waiting for it.
QUEUE_PATIENCE = datetime.timedelta(minutes=5)
REASON_LENGTH = 500


def calculates_on_workers() -> bool:
    """Whether a calculation goes to the Celery workers: the service's "auto" rule (a broker
    configured and tasks not run eagerly); otherwise it runs inline, in the request."""
    return bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


def _run_url(run: PayrollRun) -> str:
    return reverse("workspace:run", args=[run.pk])


def run_view(perm: Perm) -> Callable[[RunView], Callable[..., HttpResponse]]:
    """A page or action on one run: ``view(request, desk, run)``, for a signed-in account with
    a staff role in the run's company and ``perm`` there (403 otherwise, nothing done)."""

    def decorate(view: RunView) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, run_id: int) -> HttpResponse:
            run = PayrollRun.objects.select_related("company").filter(pk=run_id).first()
            if run is None:
                raise Http404
            desk = desk_for(request, run.company)
            if desk is None:
                return forbidden(request)
            require(request.user, perm, company=run.company)
            return view(request, desk, run)

        return wrapper

    return decorate


@workspace_page
@require_GET
def runs(request: HttpRequest, desk: Desk) -> HttpResponse:
    company = desk.company
    listed = payroll_runs(actor=request.user, company=company)  # PermissionDenied: 403
    today = timezone.localdate(clock.now())
    context = workspace_context(
        request,
        desk,
        "payroll",
        runs=listed,
        next_month=next_run_month(company=company, today=today),
    )
    return render(request, "workspace/runs.html", context)


@workspace_page
@require_POST
def run_create(request: HttpRequest, desk: Desk) -> HttpResponse:
    require(request.user, Perm.PAYROLL_CALCULATE, company=desk.company)
    try:
        month = Month.parse(request.POST.get("month", ""))
        run = payroll_run_create(actor=request.user, company=desk.company, month=month)
    except CoreError as error:
        messages.error(request, error.render(gettext))
        return HttpResponseRedirect(reverse("workspace:runs"))
    return HttpResponseRedirect(_run_url(run))


def _history(run: PayrollRun) -> list[dict[str, Any]]:
    """The run's events in the reader's language."""
    states = dict(RunState.choices)
    rows = []
    for event in run.events.select_related("actor").order_by("created_at", "id"):
        moved = [str(states.get(s, s)) for s in (event.from_state, event.to_state) if s]
        rows.append(
            {
                "at": event.created_at,
                "action": EVENT_NAMES.get(event.action, event.action),
                "states": " → ".join(moved) if event.from_state != event.to_state else "",
                "actor": event.actor,
                "note": event.note,
            }
        )
    return rows


def _queued_key(run: PayrollRun) -> str:
    return f"workspace_queued_{run.pk}"


def _is_calculating(request: HttpRequest, run: PayrollRun) -> tuple[bool, Any]:
    """Whether the run is being calculated, or queued by this session and not started yet (a
    queued calculation is given QUEUE_PATIENCE to start); and its latest calculation."""
    calculation = latest_calculation(run)
    if calculation is not None and calculation.state == CalculationState.RUNNING:
        return True, calculation
    queued = request.session.get(_queued_key(run))
    if queued is not None:
        queued_at = datetime.datetime.fromisoformat(queued)
        started = calculation is not None and calculation.started_at >= queued_at
        if not started and timezone.now() - queued_at < QUEUE_PATIENCE:
            return True, calculation
        del request.session[_queued_key(run)]
    return False, calculation


def _filters(request: HttpRequest) -> PayslipFilters:
    params = request.GET
    return PayslipFilters(
        query=params.get("q", ""),
        is_advanced=params.get("advanced") == "1",
        is_recovered=params.get("recovered") == "1",
        is_final=params.get("final") == "1",
    )


@require_GET
@run_view(Perm.PAYROLL_VIEW)
def run_page(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    filters = _filters(request)
    payslips = run_payslips(actor=request.user, run=run, filters=filters)
    page = Paginator(payslips, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_calculating, calculation = _is_calculating(request, run)
    context = workspace_context(
        request,
        desk,
        "payroll",
        run=run,
        history=_history(run),
        failures=[
            {"number": f.number, "name": f.name, "message": f.message.render(gettext)}
            for f in run_failures(run)
        ],
        page=page,
        rows=payslip_rows(actor=request.user, run=run, payslips=list(page.object_list)),
        filters=filters,
        filter_query=query.urlencode(),
        warnings=run_warnings(actor=request.user, run=run),
        calculation=calculation,
        is_calculating=is_calculating,
        can_calculate=Perm.PAYROLL_CALCULATE in desk
        and run.state in (RunState.DRAFT, RunState.CALCULATED),
        can_approve=Perm.PAYROLL_APPROVE in desk and run.state == RunState.CALCULATED,
        can_pay=Perm.PAYROLL_PAY in desk and run.state == RunState.APPROVED,
        can_reopen=Perm.PAYROLL_REOPEN in desk and run.state == RunState.APPROVED,
    )
    return render(request, "workspace/run.html", context)


@require_GET
@run_view(Perm.PAYROLL_VIEW)
def run_progress(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    """The calculation's progress, polled by the run page every second while it runs; when it
    has finished, htmx is told to reload the page with the results."""
    is_calculating, calculation = _is_calculating(request, run)
    response = render(
        request,
        "workspace/_run_progress.html",
        {"run": run, "calculation": calculation, "is_calculating": is_calculating},
    )
    if not is_calculating and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _act(
    request: HttpRequest, run: PayrollRun, action: Callable[[], object], done_message: str
) -> HttpResponse:
    """Run one of the run's services and come back to the run page with its outcome."""
    try:
        action()
    except CoreError as error:
        _refused(request, error)
    else:
        messages.success(request, done_message)
    return HttpResponseRedirect(_run_url(run))


def _refused(request: HttpRequest, error: CoreError) -> None:
    messages.error(request, error.render(gettext))
    if isinstance(error, RunFailedError):
        for failure in error.failures[:20]:
            messages.error(
                request,
                f"{failure['employee']} {failure['name']}: {failure['message'].render(gettext)}",
            )


@require_POST
@run_view(Perm.PAYROLL_CALCULATE)
def run_calculate(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    done = HttpResponseRedirect(_run_url(run))
    if calculates_on_workers():
        from renshi.workspace.tasks import calculate_run

        user_id = request.user.pk
        request.session[_queued_key(run)] = timezone.now().isoformat()
        transaction.on_commit(lambda: calculate_run.delay(run_id=run.pk, user_id=user_id))
        messages.info(request, gettext("The calculation is queued; this page follows it."))
        return done
    return _act(
        request,
        run,
        lambda: payroll_run_calculate(actor=request.user, run=run, executor="inline"),
        gettext("The payroll is calculated."),
    )


@require_POST
@run_view(Perm.PAYROLL_APPROVE)
def run_approve(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    return _act(
        request,
        run,
        lambda: payroll_run_approve(actor=request.user, run=run),
        gettext("The payroll is approved."),
    )


@require_POST
@run_view(Perm.PAYROLL_PAY)
def run_mark_paid(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    return _act(
        request,
        run,
        lambda: payroll_run_mark_paid(actor=request.user, run=run),
        gettext("The payroll is marked paid."),
    )


@require_POST
@run_view(Perm.PAYROLL_REOPEN)
def run_reopen(request: HttpRequest, desk: Desk, run: PayrollRun) -> HttpResponse:
    done = HttpResponseRedirect(_run_url(run))
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, gettext("Say why the payroll is reopened."))
        return done
    if len(reason) > REASON_LENGTH:
        messages.error(
            request,
            gettext("The reason is too long: at most {limit} characters.").format(
                limit=REASON_LENGTH
            ),
        )
        return done
    return _act(
        request,
        run,
        lambda: payroll_run_reopen(actor=request.user, run=run, reason=reason),
        gettext("The payroll is reopened."),
    )
