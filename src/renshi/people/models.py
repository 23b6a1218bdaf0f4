"""Companies, their people, contracts, training and social insurance enrolment.

The resident ID and the bank account are stored encrypted (AES-GCM, see ``crypto``); a keyed
hash of the ID makes it unique per company and searchable without decrypting, and the last
four characters are kept in clear for masked display.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONTH_LENGTH = 7  # "YYYY-MM"
# An enrolment's contribution bases (one per item, falling back to ``base``) and housing fund
# rate: what a change of bases changes, and what payroll and the evidence read.
ENROLMENT_BASE_FIELDS = (
    "base",
    "pension_base",
    "medical_base",
    "unemployment_base",
    "work_injury_base",
    "maternity_base",
    "housing_fund_base",
    "housing_fund_rate",
)


class Company(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    default_city = models.CharField(_("default city"), max_length=40)
    payday = models.PositiveSmallIntegerField(
        _("payday"), default=10, help_text=_("Day of the month on which wages are paid.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="department_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="positions"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="position_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("full-time")
    TEMPORARY = "temporary", _("temporary")
    FLEXIBLE = "flexible", _("flexible / part-time")
    INTERN = "intern", _("intern")


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    LEAVING = "leaving", _("leaving")
    LEFT = "left", _("left")


class Employee(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="employees"
    )
    number = models.CharField(_("employee number"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    # Encrypted at rest: "v1:<key id>:<nonce>:<ciphertext>" (see renshi.people.crypto).
    id_number_encrypted = models.TextField(_("resident ID (encrypted)"))
    id_number_hash = models.CharField(_("resident ID lookup hash"), max_length=64)
    id_number_last4 = models.CharField(_("resident ID last four"), max_length=4)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_encrypted = models.TextField(_("bank account (encrypted)"), blank=True)
    bank_account_last4 = models.CharField(_("bank account last four"), max_length=4, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    employment_type = models.CharField(
        _("employment type"),
        max_length=20,
        choices=EmploymentType.choices,
        default=EmploymentType.FULL_TIME,
    )
    work_city = models.CharField(_("work city"), max_length=40)
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(
        _("last working day"), null=True, blank=True, help_text=_("Set when the employee resigns.")
    )
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["company", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="employee_number_unique"),
            models.UniqueConstraint(
                fields=["company", "id_number_hash"], name="employee_id_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["company", "status"], name="employee_company_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ContractType(models.TextChoices):
    FIXED_TERM = "fixed_term", _("fixed term")
    OPEN_ENDED = "open_ended", _("open-ended")
    TASK = "task", _("for a task")
    PART_TIME = "part_time", _("part-time")
    LABOUR_SERVICE = "labour_service", _("labour service")
    INTERNSHIP = "internship", _("internship")


class Contract(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="contracts"
    )
    contract_type = models.CharField(_("type"), max_length=20, choices=ContractType.choices)
    number = models.CharField(_("contract number"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    probation_end_date = models.DateField(_("end of probation"), null=True, blank=True)
    signed_date = models.DateField(_("signed on"), null=True, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="contracts/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["employee", "-start_date"]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_contract_type_display()} {self.start_date}"


class TrainingRecord(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="trainings"
    )
    training_type = models.CharField(_("type"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="training/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["employee", "-start_date"]

    def __str__(self) -> str:
        return f"{self.employee} {self.title}"


class EnrolmentState(models.TextChoices):
    PENDING_ADD = "pending_add", _("pending enrolment (增员)")
    ACTIVE = "active", _("active")
    PENDING_REMOVE = "pending_remove", _("pending removal (减员)")
    ENDED = "ended", _("ended")


class Enrolment(models.Model):
    """An employee's social insurance and housing fund enrolment in one city.

    ``start_month`` is the first month contributed; ``end_month`` the last one (set when a
    减员 is due). The bases are per item; a blank base falls back to ``base``.
    """

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="enrolments"
    )
    city = models.CharField(_("city"), max_length=40)
    work_injury_class = models.CharField(_("industry class (work injury)"), max_length=10)
    base = models.DecimalField(_("contribution base"), max_digits=12, decimal_places=2)
    pension_base = models.DecimalField(
        _("pension base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    medical_base = models.DecimalField(
        _("medical base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unemployment_base = models.DecimalField(
        _("unemployment base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    work_injury_base = models.DecimalField(
        _("work injury base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    maternity_base = models.DecimalField(
        _("maternity base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    housing_fund_base = models.DecimalField(
        _("housing fund base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    housing_fund_rate = models.DecimalField(
        _("housing fund rate"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    start_month = models.CharField(_("first month"), max_length=MONTH_LENGTH)
    end_month = models.CharField(_("last month"), max_length=MONTH_LENGTH, blank=True)
    # The leave month is still contributed; its 减员 is filed in the following month, by this date.
    removal_due_date = models.DateField(
        _("removal due by"),
        null=True,
        blank=True,
        help_text=_("First day of the month after the last month: file the 减员 from then."),
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=EnrolmentState.choices,
        default=EnrolmentState.PENDING_ADD,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("social insurance enrolment")
        verbose_name_plural = _("social insurance enrolments")
        ordering = ["employee", "-start_month"]
        indexes = [models.Index(fields=["state"], name="enrolment_state")]

    def __str__(self) -> str:
        return f"{self.employee} {self.city} {self.start_month}..{self.end_month}"


class EnrolmentAction(models.TextChoices):
    ADD = "add", _("enrolment requested (增员)")
    ADD_CONFIRMED = "add_confirmed", _("enrolment confirmed")
    REMOVE = "remove", _("removal requested (减员)")
    REMOVE_CONFIRMED = "remove_confirmed", _("removal confirmed")
    CANCEL = "cancel", _("cancelled before the first month")
    CHANGE = "change", _("bases or rates changed")
    BASE_ADJUSTMENT = "base_adjustment", _("annual base adjustment")
    BASE_ADJUSTMENT_CLOSE = "base_adjustment_close", _("closed by the annual base adjustment")
    BASE_ADJUSTMENT_OPEN = "base_adjustment_open", _("opened by the annual base adjustment")


class EnrolmentChange(models.Model):
    """One change to an enrolment: who, when, what it was and what it became."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=40, choices=EnrolmentAction.choices)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment change")
        verbose_name_plural = _("enrolment changes")
        ordering = ["enrolment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.action} {self.created_at:%Y-%m-%d}"
