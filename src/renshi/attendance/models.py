"""Leave types, leave records split into approved days per month, and monthly attendance.

Payroll reads two things from here for each employee and month: the attendance summary
(scheduled days, days worked, unexcused absences) and the approved leave days per month by
leave type. Full attendance and leave workflows build on these same rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.people.models import MONTH_LENGTH, Company, Employee


class PayRule(models.TextChoices):
    PAID = "paid", _("paid in full")
    UNPAID = "unpaid", _("unpaid")
    SICK = "sick", _("sick pay (share of daily wage)")
    # Only on LeaveMonth: the days of a long unpaid leave the company pays at a share of the
    # wage (LeaveSettings.long_leave_rule = reduced_pay), never below the minimum wage.
    REDUCED = "reduced", _("long leave on reduced pay")


LEAVE_TYPE_PAY_RULES = [(value, label) for value, label in PayRule.choices if value != "reduced"]


class LongLeaveRule(models.TextChoices):
    NONE = "none", _("unpaid, as any unpaid leave")
    PREPAY_SHARE = "prepay_share", _("the employee prepays the share the wages will not cover")
    REDUCED_PAY = "reduced_pay", _("pay continues at a share of the wage, not below minimum wage")


class LeaveSettings(models.Model):
    """A company's rule for unpaid leave longer than ``long_leave_months`` months.

    During such a leave the wages usually do not cover the employee's social insurance share,
    which the company then advances. The company either has the employee prepay it before the
    leave is approved, or keeps paying a share of the wage (never below the minimum wage), or
    treats it as any unpaid leave (the warnings and notices then follow the debt).
    """

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="leave_settings"
    )
    long_leave_rule = models.CharField(
        _("unpaid leave over the limit"),
        max_length=20,
        choices=LongLeaveRule.choices,
        default=LongLeaveRule.NONE,
    )
    long_leave_months = models.PositiveSmallIntegerField(
        _("limit (months)"),
        default=1,
        help_text=_("The rule applies to unpaid leave lasting longer than this many months."),
    )
    reduced_pay_ratio = models.DecimalField(
        _("pay during long leave (share of the wage)"),
        max_digits=5,
        decimal_places=4,
        default="0.6000",
        help_text=_("For the reduced-pay rule, e.g. 0.6; never below the city's minimum wage."),
    )

    class Meta:
        verbose_name = _("leave settings")
        verbose_name_plural = _("leave settings")

    def __str__(self) -> str:
        return str(self.company)


class LeaveType(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="leave_types"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    pay_rule = models.CharField(_("pay rule"), max_length=10, choices=LEAVE_TYPE_PAY_RULES)
    pay_ratio = models.DecimalField(
        _("share of daily wage paid"),
        max_digits=5,
        decimal_places=4,
        default=1,
        help_text=_("For sick leave: the share of the daily wage paid, e.g. 0.6."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="leave_type_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


class LeaveRecord(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="leaves"
    )
    leave_type = models.ForeignKey(
        LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT, related_name="records"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    days = models.DecimalField(_("working days"), max_digits=6, decimal_places=1)
    status = models.CharField(
        _("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # What the employee was shown before submitting, and when they confirmed having read it.
    long_leave_rule = models.CharField(
        _("long leave rule applied"), max_length=20, choices=LongLeaveRule.choices, blank=True
    )
    cost_statement = models.TextField(_("cost statement shown"), blank=True)
    cost_figures = models.JSONField(_("projected figures by month"), default=dict, blank=True)
    cost_confirmed_at = models.DateTimeField(_("cost confirmed at"), null=True, blank=True)
    cost_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cost confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    prepay_amount = models.DecimalField(
        _("prepayment required"), max_digits=12, decimal_places=2, default=0
    )
    prepaid_amount = models.DecimalField(
        _("prepayment received"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("leave record")
        verbose_name_plural = _("leave records")
        ordering = ["employee", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="leave_record_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.leave_type} {self.start_date}..{self.end_date}"


class LeaveMonth(models.Model):
    """The working days of one leave record that fall in one month (written on approval)."""

    leave = models.ForeignKey(
        LeaveRecord, verbose_name=_("leave"), on_delete=models.CASCADE, related_name="months"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    pay_rule = models.CharField(_("pay rule"), max_length=10, choices=PayRule.choices)
    pay_ratio = models.DecimalField(_("share of daily wage paid"), max_digits=5, decimal_places=4)
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("leave days in a month")
        verbose_name_plural = _("leave days by month")
        ordering = ["month", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["leave", "month"], name="leave_month_unique")
        ]
        indexes = [models.Index(fields=["month", "employee"], name="leave_month_lookup")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.days}"


class AttendanceMonth(models.Model):
    """One employee's attendance summary for one month, as payroll input."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="attendance"
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    scheduled_days = models.DecimalField(
        _("scheduled working days"), max_digits=4, decimal_places=1
    )
    days_worked = models.DecimalField(_("days worked"), max_digits=4, decimal_places=1)
    absence_days = models.DecimalField(
        _("unexcused absence (days)"), max_digits=4, decimal_places=1, default=0
    )
    overtime_hours = models.DecimalField(
        _("overtime hours"), max_digits=6, decimal_places=1, default=0
    )
    source = models.CharField(_("source"), max_length=40, default="manual")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly attendance")
        verbose_name_plural = _("monthly attendance")
        ordering = ["month", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="attendance_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month}"
