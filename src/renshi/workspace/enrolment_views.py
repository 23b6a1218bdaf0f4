"""The enrolment changes due this month, for the social insurance clerk and HR: 增员 to file
for new hires, 减员 for leavers (overdue first), and annual base adjustments taking effect. The
bureau's confirmation of a 增员 or 减员 and applying an adjustment are POSTs to their services;
anything else is done on the record's admin page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from renshi import clock
from renshi.access.checks import Perm, require
from renshi.core.errors import CoreError
from renshi.payroll.base_adjustment import base_adjustment_apply
from renshi.payroll.models import BaseAdjustment
from renshi.people.models import EnrolmentState
from renshi.people.services import enrolment_confirm_add, enrolment_confirm_remove
from renshi.workspace.access import Desk, workspace_page
from renshi.workspace.selectors import enrolment_for_action, enrolments_due
from renshi.workspace.views import workspace_context

REASON_LENGTH = 300


def _back(desk: Desk) -> HttpResponseRedirect:
    query = urlencode({"company": desk.company.code})
    return HttpResponseRedirect(f"{reverse('workspace:enrolments')}?{query}")


@workspace_page
@require_GET
def enrolments(request: HttpRequest, desk: Desk) -> HttpResponse:
    today = timezone.localdate(clock.now())
    due = enrolments_due(actor=request.user, company=desk.company, today=today)
    return render(
        request,
        "workspace/enrolments.html",
        workspace_context(request, desk, "enrolments", due=due, today=today),
    )


@workspace_page
@require_POST
def enrolment_confirm(request: HttpRequest, desk: Desk, enrolment_id: int) -> HttpResponse:
    """The bureau accepted the pending 增员 or 减员 of this enrolment."""
    require(request.user, Perm.ENROLMENT_EDIT, company=desk.company)
    enrolment = enrolment_for_action(company=desk.company, enrolment_id=enrolment_id)
    if enrolment is None:
        raise Http404
    reason = request.POST.get("reason", "").strip()[:REASON_LENGTH]
    try:
        if enrolment.state == EnrolmentState.PENDING_REMOVE:
            enrolment_confirm_remove(
                actor=request.user,
                enrolment=enrolment,
                reason=reason,
                today=timezone.localdate(clock.now()),
            )
            done = gettext("The removal of {number} {name} is confirmed.")
        else:
            # A state other than pending enrolment is refused by the service, and it says why.
            enrolment_confirm_add(actor=request.user, enrolment=enrolment, reason=reason)
            done = gettext("The enrolment of {number} {name} is confirmed.")
    except CoreError as error:
        messages.error(request, error.render(gettext))
    else:
        employee = enrolment.employee
        messages.success(request, done.format(number=employee.number, name=employee.name))
    return _back(desk)


@workspace_page
@require_POST
def adjustment_apply(request: HttpRequest, desk: Desk, adjustment_id: int) -> HttpResponse:
    """Put an annual base adjustment's new bases in force."""
    require(request.user, Perm.ENROLMENT_EDIT, company=desk.company)
    adjustment = BaseAdjustment.objects.filter(pk=adjustment_id, company=desk.company).first()
    if adjustment is None:
        raise Http404
    try:
        changed = base_adjustment_apply(actor=request.user, adjustment=adjustment)
    except CoreError as error:
        messages.error(request, error.render(gettext))
    else:
        messages.success(
            request,
            gettext("The new bases are in force from {month}: {count} enrolments changed.").format(
                month=adjustment.effective_month, count=changed
            ),
        )
    return _back(desk)
