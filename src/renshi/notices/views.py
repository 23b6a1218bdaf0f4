"""The personal link in a notice, and the employee's acknowledgement.

Opening the link shows the notice and is logged (time, IP, user agent); it does not sign
anyone in. Only the employee, signed in with their own account, can acknowledge.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renshi import clock
from renshi.notices.models import Acknowledgement, Notice
from renshi.notices.services import NotYourNoticeError, notice_acknowledge, notice_open


def _client(request: HttpRequest) -> tuple[str | None, str]:
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")


def notice_link(request: HttpRequest, token: str) -> HttpResponse:
    ip, agent = _client(request)
    notice = notice_open(token=token, now=clock.now(), ip=ip, user_agent=agent)
    if notice is None:
        raise Http404(_("This link is not valid or has expired."))
    user = request.user
    can_acknowledge = user.is_authenticated and notice.employee.user_id == user.pk
    return render(
        request,
        "notices/notice_page.html",
        {
            "notice": notice,
            "token": token,
            "can_acknowledge": can_acknowledge,
            "acknowledgement": Acknowledgement.objects.filter(notice=notice).first(),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=notice_id)
    ip, agent = _client(request)
    try:
        notice_acknowledge(
            actor=request.user, notice=notice, now=clock.now(), ip=ip, user_agent=agent
        )
    except NotYourNoticeError:
        raise PermissionDenied from None
    messages.success(request, _("Thank you: your confirmation is recorded."))
    token = request.POST.get("token", "")
    return redirect("notices:link", token=token) if token else redirect("/")
