"""Back-payment (补缴) requests: an employee asks the company to pay missed contributions.

A request keeps the figures the employee was shown and confirmed (``figures``, Decimals as
strings) and their SHA-256, so what HR decides on is exactly what was asked. Its history is in
``BackPayEvent``; every change is also appended to the evidence log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.payroll.models import MONEY
from renshi.people.models import Company, Employee


class BackPayState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DONE = "done", _("paid to the bureau")


class BackPayAction(models.TextChoices):
    SUBMIT = "submit", _("submitted by the employee")
    ACCEPT = "accept", _("accepted by HR")
    REJECT = "reject", _("rejected by HR")
    WITHDRAW = "withdraw", _("withdrawn by the employee")
    COMPLETE = "complete", _("paid to the bureau")


# A month in a request in one of these states may not be asked again.
PENDING_STATES = (BackPayState.SUBMITTED, BackPayState.ACCEPTED)


class BackPayRequest(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="backpay_requests",
    )
    months = models.JSONField(_("months"), default=list, help_text=_('e.g. ["2025-03"]'))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    figures = models.JSONField(_("figures shown"), default=dict)
    figures_sha256 = models.CharField(_("SHA-256 of the figures"), max_length=64)
    statement = models.TextField(_("statement shown"), blank=True)
    pay_date = models.DateField(_("late fees counted to"))
    employer_total = models.DecimalField(_("employer's share"), **MONEY)
    employee_total = models.DecimalField(_("employee's share"), **MONEY)
    late_fee_total = models.DecimalField(_("late fees"), **MONEY)
    grand_total = models.DecimalField(_("total"), **MONEY)
    state = models.CharField(
        _("state"), max_length=12, choices=BackPayState.choices, default=BackPayState.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("HR's note"), max_length=500, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("back-payment request")
        verbose_name_plural = _("back-payment requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "state"], name="backpay_company_state"),
            models.Index(fields=["employee", "state"], name="backpay_employee_state"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {','.join(self.months)} {self.state}"


class BackPayEvent(models.Model):
    """The request's history: every transition, who made it, when, and the note."""

    request = models.ForeignKey(
        BackPayRequest,
        verbose_name=_("back-payment request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20, choices=BackPayAction.choices)
    from_state = models.CharField(_("from state"), max_length=12, blank=True)
    to_state = models.CharField(_("to state"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("back-payment event")
        verbose_name_plural = _("back-payment events")
        ordering = ["request", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"
