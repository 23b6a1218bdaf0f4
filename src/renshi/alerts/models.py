"""Warning rules (data, per company) and the warnings they raise.

A warning is raised for a cause (a key such as ``arrears_over:123``); while a warning for that
cause is open, raising it again changes nothing, so the scheduler may run as often as it likes.
When the cause goes away (the debt is repaid, the leave cancelled) the warning is resolved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.people.models import MONTH_LENGTH, Company, Employee

MONEY = {"max_digits": 14, "decimal_places": 2}


class RuleKind(models.TextChoices):
    LEAVE_OVER_DAYS = "leave_over_days", _("leave over a number of days in a month")
    SHARE_NOT_COVERED = "share_not_covered", _("projected wage does not cover the share")
    ARREARS_OVER = "arrears_over", _("arrears above an amount")
    LEAVER_NOT_REMOVED = "leaver_not_removed", _("leaver not yet de-enrolled (减员)")
    CONTRIBUTION_DEADLINE = "contribution_deadline", _("monthly contribution deadline")
    CONTRIBUTIONS_BROKEN = "contributions_broken", _("contributions missing or broken off")
    BASE_BELOW_WAGE = "base_below_wage", _("contribution base below actual wage")
    POLICY_PERIOD_MISSING = "policy_period_missing", _("no policy period for a city and month")


class Severity(models.TextChoices):
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


class Recipient(models.TextChoices):
    EMPLOYEE = "employee", _("the employee")
    HR = "hr", _("HR")
    FINANCE = "finance", _("finance")
    SI_CLERK = "si_clerk", _("social insurance clerk")
    MANAGER = "manager", _("department manager")


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("in the employee portal")
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu robot")


class WarningRule(models.Model):
    """One rule of one company: what to watch, when, whom to tell and how."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="warning_rules"
    )
    kind = models.CharField(_("rule"), max_length=40, choices=RuleKind.choices)
    threshold = models.DecimalField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("Days for leave, yuan for arrears, day of the month for the deadline."),
        **MONEY,
    )
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=0, help_text=_("How many days ahead to warn.")
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    copy_hr_and_finance = models.BooleanField(_("copy HR and finance on notices"), default=False)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate without acknowledgement after (days)"), default=7
    )
    is_active = models.BooleanField(_("on"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["company", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind"], name="warning_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company.code} {self.get_kind_display()}"


class AlertState(models.TextChoices):
    OPEN = "open", _("open")
    NOTIFIED = "notified", _("notified")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ESCALATED = "escalated", _("escalated")
    RESOLVED = "resolved", _("resolved")
    DISMISSED = "dismissed", _("dismissed")


# States in which a warning still stands; one per cause at most.
STANDING_STATES = (
    AlertState.OPEN,
    AlertState.NOTIFIED,
    AlertState.ACKNOWLEDGED,
    AlertState.ESCALATED,
)


class Alert(models.Model):
    """A warning raised by a rule for one cause."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="alerts"
    )
    rule = models.ForeignKey(
        WarningRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alerts"
    )
    cause = models.CharField(_("cause"), max_length=200)
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    month = models.CharField(_("month"), max_length=MONTH_LENGTH, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=AlertState.choices, default=AlertState.OPEN
    )
    # The rule's message: an English template and its values, rendered in the reader's language.
    template = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("message values"), default=dict, blank=True)
    links = models.JSONField(_("records behind it"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_reason = models.CharField(_("reason for dismissal"), max_length=500, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    updated_at = models.DateTimeField(_("updated at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "cause"],
                condition=models.Q(state__in=["open", "notified", "acknowledged", "escalated"]),
                name="alert_one_standing_per_cause",
            )
        ]
        indexes = [models.Index(fields=["company", "state"], name="alert_company_state")]

    def __str__(self) -> str:
        return f"{self.rule.kind} {self.cause} ({self.state})"


class AlertEvent(models.Model):
    """A warning's history: raised, each transition, who and when."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20)
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
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")
        ordering = ["alert", "at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class TickState(models.Model):
    """When time-driven work last ran: lets the embedded server run it at most so often."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduler state")
        verbose_name_plural = _("scheduler state")

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_at}"
