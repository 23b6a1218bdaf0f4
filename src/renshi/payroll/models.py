"""Salary structures, monthly payroll runs, payslips, and the arrears ledger.

A run's results belong to one calculation: recalculating writes a new calculation's payslips
and, only when every employee succeeded, makes it current and deletes the old one in the same
transaction, so a failed or interrupted calculation leaves the previous results untouched.
The arrears ledger is append-only: the balance an employee owes is the sum of their entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.people.models import MONTH_LENGTH, Company, Employee, Enrolment

MONEY = {"max_digits": 14, "decimal_places": 2}


class LeaveBasis(models.TextChoices):
    STATUTORY_21_75 = "statutory_21_75", _("monthly pay ÷ 21.75 days")
    SCHEDULED_DAYS = "scheduled_days", _("monthly pay ÷ the month's scheduled days")


class PayrollSettings(models.Model):
    """A company's payroll rules; the defaults follow the statutory minimums."""

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="payroll"
    )
    leave_basis = models.CharField(
        _("unpaid leave deduction basis"),
        max_length=20,
        choices=LeaveBasis.choices,
        default=LeaveBasis.STATUTORY_21_75,
    )
    minimum_net_pay = models.DecimalField(
        _("minimum net pay before the employee's share"), default=0, **MONEY
    )
    recovery_max_ratio = models.DecimalField(
        _("arrears recovered at most (share of the month's wage)"),
        max_digits=5,
        decimal_places=4,
        default="0.2000",
    )
    recovery_keeps_minimum_wage = models.BooleanField(
        _("recovery never leaves less than the minimum wage"), default=True
    )
    sick_pay_floor_ratio = models.DecimalField(
        _("sick pay at least (share of the minimum wage)"),
        max_digits=5,
        decimal_places=4,
        default="0.8000",
    )
    final_settlement_full_offset = models.BooleanField(
        _("final settlement offsets arrears against the whole final pay"), default=True
    )

    class Meta:
        verbose_name = _("payroll settings")
        verbose_name_plural = _("payroll settings")

    def __str__(self) -> str:
        return str(self.company)


class ComponentKind(models.TextChoices):
    BASE = "base", _("base pay")
    ALLOWANCE = "allowance", _("allowance")
    BONUS = "bonus", _("bonus")
    DEDUCTION = "deduction", _("deduction")


class SalaryStructure(models.Model):
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="salary_structures",
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("salary structure")
        verbose_name_plural = _("salary structures")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="salary_structure_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SalaryComponent(models.Model):
    """A named component of a structure; amounts are set per employee in an assignment."""

    structure = models.ForeignKey(
        SalaryStructure,
        verbose_name=_("salary structure"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    is_prorated = models.BooleanField(
        _("reduced by unpaid leave"),
        default=True,
        help_text=_("Base pay and most allowances are; bonuses usually are not."),
    )
    default_amount = models.DecimalField(_("default amount"), default=0, **MONEY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("salary component")
        verbose_name_plural = _("salary components")
        ordering = ["structure", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="salary_component_unique")
        ]

    def __str__(self) -> str:
        return f"{self.structure.code}.{self.code}"


class IitRule(models.TextChoices):
    STANDARD = "standard", _("5,000 a month employed here")
    FIRST_JOB_THIS_YEAR = "first_job_this_year", _("first job this year (from January)")
    UNDER_60K = "under_60k", _("60,000 from January (last year's wages ≤ 60,000)")


class SalaryAssignment(models.Model):
    """An employee's pay from ``effective_month`` on: a structure and an amount per component.

    A raise is a new assignment with a later month; the latest one not after the payroll month
    applies.
    """

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="salary_assignments",
    )
    structure = models.ForeignKey(
        SalaryStructure,
        verbose_name=_("salary structure"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    effective_month = models.CharField(_("from month"), max_length=MONTH_LENGTH)
    amounts = models.JSONField(
        _("amounts by component"), default=dict, help_text=_('e.g. {"base": "12000.00"}')
    )
    iit_rule = models.CharField(
        _("IIT basic deduction rule"), max_length=30, choices=IitRule.choices, default="standard"
    )
    additional_deductions = models.DecimalField(
        _("special additional deductions a month"), default=0, **MONEY
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("salary assignment")
        verbose_name_plural = _("salary assignments")
        ordering = ["employee", "-effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "effective_month"], name="salary_assignment_month_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.effective_month}"


class PayrollAdjustment(models.Model):
    """A one-off amount in one month: a bonus, leave pay on exit, a deduction."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="payroll_adjustments",
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payroll adjustment")
        verbose_name_plural = _("payroll adjustments")
        ordering = ["month", "employee", "code"]
        indexes = [models.Index(fields=["month", "employee"], name="adjustment_lookup")]

    def __str__(self) -> str:
        return f"{self.employee} {self.month} {self.name}"


class RunState(models.TextChoices):
    DRAFT = "draft", _("draft")
    CALCULATED = "calculated", _("calculated")
    APPROVED = "approved", _("approved")
    PAID = "paid", _("paid")


class PayrollRun(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="payroll_runs"
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    state = models.CharField(
        _("state"), max_length=12, choices=RunState.choices, default=RunState.DRAFT
    )
    calculation = models.ForeignKey(
        "PayrollCalculation",
        verbose_name=_("current calculation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set while a calculation is under way; a second one is refused until it is cleared.
    lock_token = models.CharField(_("calculation lock"), max_length=64, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    employee_count = models.PositiveIntegerField(_("payslips"), default=0)
    total_gross = models.DecimalField(_("total gross"), default=0, **MONEY)
    total_net = models.DecimalField(_("total net"), default=0, **MONEY)
    total_advanced = models.DecimalField(_("share advanced"), default=0, **MONEY)
    total_recovered = models.DecimalField(_("arrears recovered"), default=0, **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["company", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="payroll_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company.code} {self.month}"


class PayrollRunEvent(models.Model):
    """The run's history: every transition, who made it and when."""

    run = models.ForeignKey(
        PayrollRun, verbose_name=_("payroll run"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from state"), max_length=12)
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
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payroll run event")
        verbose_name_plural = _("payroll run events")
        ordering = ["run", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.run} {self.action}"


class CalculationState(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    SUPERSEDED = "superseded", _("superseded")


class PayrollCalculation(models.Model):
    """One attempt at calculating a run, possibly spread over several workers in chunks."""

    run = models.ForeignKey(
        PayrollRun,
        verbose_name=_("payroll run"),
        on_delete=models.CASCADE,
        related_name="calculations",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=CalculationState.choices,
        default=CalculationState.RUNNING,
    )
    employee_count = models.PositiveIntegerField(_("employees"), default=0)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payroll calculation")
        verbose_name_plural = _("payroll calculations")
        ordering = ["run", "-id"]

    def __str__(self) -> str:
        return f"{self.run} #{self.pk}"


class CalculationFailure(models.Model):
    """One employee a calculation could not compute, with the field at fault and why."""

    calculation = models.ForeignKey(
        PayrollCalculation,
        verbose_name=_("calculation"),
        on_delete=models.CASCADE,
        related_name="failures",
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    field = models.CharField(_("field"), max_length=100, blank=True)
    template = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("message values"), default=dict)

    class Meta:
        verbose_name = _("calculation failure")
        verbose_name_plural = _("calculation failures")
        ordering = ["calculation", "employee"]

    def __str__(self) -> str:
        return f"{self.calculation_id} {self.employee_id} {self.field}"


class Payslip(models.Model):
    calculation = models.ForeignKey(
        PayrollCalculation,
        verbose_name=_("calculation"),
        on_delete=models.CASCADE,
        related_name="payslips",
    )
    run = models.ForeignKey(
        PayrollRun, verbose_name=_("payroll run"), on_delete=models.CASCADE, related_name="+"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="payslips"
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    city = models.CharField(_("city"), max_length=40, blank=True)
    is_final = models.BooleanField(_("final settlement"), default=False)
    gross = models.DecimalField(_("gross pay"), **MONEY)
    time_deductions = models.DecimalField(_("leave and absence deductions"), **MONEY)
    employee_share = models.DecimalField(_("employee's share"), **MONEY)
    employer_share = models.DecimalField(_("employer's share"), **MONEY)
    iit = models.DecimalField(_("income tax withheld"), **MONEY)
    share_covered = models.DecimalField(_("share deducted from pay"), **MONEY)
    advanced = models.DecimalField(_("share advanced by the company"), **MONEY)
    advanced_items = models.JSONField(_("advanced by item"), default=dict, blank=True)
    recovered = models.DecimalField(_("arrears recovered"), **MONEY)
    net = models.DecimalField(_("net pay"), **MONEY)
    arrears_before = models.DecimalField(_("arrears before"), **MONEY)
    arrears_after = models.DecimalField(_("arrears after"), **MONEY)
    # The employee's year-to-date IIT state after this month (renshi.core.iit.IitCumulative).
    iit_cumulative = models.JSONField(_("IIT year to date"))

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["calculation", "employee"]
        constraints = [
            models.UniqueConstraint(
                fields=["calculation", "employee"], name="payslip_one_per_employee"
            )
        ]
        indexes = [models.Index(fields=["employee", "month"], name="payslip_employee_month")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month}"


class PayslipLine(models.Model):
    payslip = models.ForeignKey(
        Payslip, verbose_name=_("payslip"), on_delete=models.CASCADE, related_name="lines"
    )
    seq = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20)
    amount = models.DecimalField(_("amount"), **MONEY)
    employer_amount = models.DecimalField(_("employer amount"), default=0, **MONEY)
    base = models.DecimalField(_("base"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    period = models.CharField(_("policy period"), max_length=20, blank=True)
    template = models.CharField(_("explanation"), max_length=300)
    params = models.JSONField(_("explanation values"), default=dict)

    class Meta:
        verbose_name = _("payslip line")
        verbose_name_plural = _("payslip lines")
        ordering = ["payslip", "seq"]

    def __str__(self) -> str:
        return f"{self.payslip_id}.{self.seq} {self.code}"


class ArrearsKind(models.TextChoices):
    ADVANCE = "advance", _("share advanced by the company")
    RECEIVABLE = "receivable", _("other amount owed (loan, equipment, overpayment)")
    RECOVERY = "recovery", _("recovered from wages")
    REPAYMENT = "repayment", _("repaid by the employee")
    SETTLEMENT = "settlement", _("offset in the final settlement")
    REVERSAL = "reversal", _("reversal of an earlier entry")
    WAIVER = "waiver", _("waived by the company")
    PREPAYMENT = "prepayment", _("share prepaid by the employee before a long leave")


class ArrearsEntry(models.Model):
    """One movement of what an employee owes the company; positive amounts increase the debt.

    Entries are never changed or deleted: a mistake is corrected by a reversal entry that names
    the entry it reverses.
    """

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="arrears"
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    kind = models.CharField(_("kind"), max_length=12, choices=ArrearsKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    items = models.JSONField(_("items"), default=dict, blank=True)
    payslip = models.ForeignKey(
        Payslip,
        verbose_name=_("payslip"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrears_entries",
    )
    run = models.ForeignKey(
        PayrollRun,
        verbose_name=_("payroll run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrears_entries",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrears entry")
        verbose_name_plural = _("arrears ledger")
        ordering = ["employee", "created_at", "id"]
        indexes = [models.Index(fields=["employee", "id"], name="arrears_employee")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.kind} {self.amount}"


class FinalSettlement(models.Model):
    """What was settled when an employee left, and what either side still owes."""

    employee = models.OneToOneField(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="final_settlement",
    )
    payslip = models.ForeignKey(
        Payslip,
        verbose_name=_("final payslip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH)
    last_working_day = models.DateField(_("last working day"))
    final_net_before_offset = models.DecimalField(_("final pay before offset"), **MONEY)
    arrears_before = models.DecimalField(_("arrears before settlement"), **MONEY)
    offset = models.DecimalField(_("arrears offset"), **MONEY)
    payable_to_employee = models.DecimalField(_("payable to the employee"), **MONEY)
    owed_by_employee = models.DecimalField(_("still owed by the employee"), **MONEY)
    created_at = models.DateTimeField(_("settled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("final settlement")
        verbose_name_plural = _("final settlements")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.employee} {self.month}"


class BaseAdjustment(models.Model):
    """An annual base adjustment: next period's bases from last year's average wage."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    reference_year = models.PositiveSmallIntegerField(_("wages of year"))
    effective_month = models.CharField(_("new bases from"), max_length=MONTH_LENGTH)
    is_applied = models.BooleanField(_("applied"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual base adjustment")
        verbose_name_plural = _("annual base adjustments")
        ordering = ["company", "-effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "effective_month"], name="base_adjustment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company.code} {self.effective_month}"


class BaseAdjustmentLine(models.Model):
    adjustment = models.ForeignKey(
        BaseAdjustment, verbose_name=_("adjustment"), on_delete=models.CASCADE, related_name="lines"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="+"
    )
    months_paid = models.PositiveSmallIntegerField(_("months with wages"))
    average_wage = models.DecimalField(_("average monthly wage"), **MONEY)
    current_base = models.DecimalField(_("current base"), **MONEY)
    new_base = models.DecimalField(_("new base"), **MONEY)
    clamped = models.CharField(_("clamped to"), max_length=10, blank=True)
    is_below_actual = models.BooleanField(_("current base below actual wage"), default=False)

    class Meta:
        verbose_name = _("base adjustment line")
        verbose_name_plural = _("base adjustment lines")
        ordering = ["adjustment", "enrolment"]

    def __str__(self) -> str:
        return f"{self.adjustment} {self.enrolment_id}"
