"""Notices to employees and the proof that they were sent, delivered, opened and acknowledged.

Everything here is kept as it happened: the exact bytes of each attempt and their SHA-256, the
address used and how it was bound to the employee, the provider's answer, each opening of the
personal link (time, IP, user agent) and the employee's own acknowledgement. A demand letter
keeps its PDF bytes; a postal dispatch keeps the tracking number and the scanned receipt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renshi.alerts.models import Alert
from renshi.people.models import Company, Employee

MONEY = {"max_digits": 14, "decimal_places": 2}


class ContactKind(models.TextChoices):
    EMAIL = "email", _("email")
    MOBILE = "mobile", _("mobile phone")


class ContactAddress(models.Model):
    """An address bound to an employee, and how the binding was verified."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    address = models.CharField(_("address"), max_length=200)
    verification = models.CharField(
        _("how it was verified"),
        max_length=200,
        blank=True,
        help_text=_("e.g. signed onboarding form, a code sent to it and entered by the employee"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact address")
        verbose_name_plural = _("contact addresses")
        ordering = ["employee", "kind", "-created_at"]

    def __str__(self) -> str:
        return f"{self.employee} {self.kind} {self.address}"


class NoticeState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("could not be delivered")
    ACKNOWLEDGED = "acknowledged", _("acknowledged by the employee")


class Notice(models.Model):
    """One notice to one employee about one warning, rendered once and kept as rendered."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="notices"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="notices"
    )
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("warning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=14, choices=NoticeState.choices, default=NoticeState.PENDING
    )
    created_at = models.DateTimeField(_("created at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.employee} {self.subject}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("will be retried")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One channel of a notice to one address; each try is an attempt."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=300)
    contact = models.ForeignKey(
        ContactAddress,
        verbose_name=_("bound address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_copy = models.BooleanField(_("copy to HR or finance"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["notice", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.channel} {self.address} {self.state}"


class DeliveryAttempt(models.Model):
    """Exactly what went out on one try, its hash, and what the provider answered."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="tries"
    )
    payload = models.BinaryField(_("bytes sent"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=12)  # sent, temporary, permanent
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    provider_response = models.TextField(_("provider response"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class NoticeLink(models.Model):
    """The personal link in a notice: only the token's hash is stored; it expires."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="links"
    )
    token_sha256 = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("notice link")
        verbose_name_plural = _("notice links")

    def __str__(self) -> str:
        return f"{self.notice_id} until {self.expires_at:%Y-%m-%d}"


class NoticeOpening(models.Model):
    """One opening of a notice's link: logged, never taken as proof of identity by itself."""

    link = models.ForeignKey(
        NoticeLink, verbose_name=_("link"), on_delete=models.PROTECT, related_name="openings"
    )
    at = models.DateTimeField(_("opened at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    is_expired = models.BooleanField(_("link had expired"), default=False)

    class Meta:
        verbose_name = _("notice opening")
        verbose_name_plural = _("notice openings")
        ordering = ["link", "at", "id"]

    def __str__(self) -> str:
        return f"{self.link_id} {self.at:%Y-%m-%d %H:%M}"


class Acknowledgement(models.Model):
    """The employee, signed in to the portal, confirms having read the notice."""

    notice = models.OneToOneField(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="acknowledgement"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    text_shown = models.TextField(_("text shown"))
    text_sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64)
    at = models.DateTimeField(_("at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.at:%Y-%m-%d %H:%M}"


class DemandLetter(models.Model):
    """A 催缴函 generated when a notice was not acknowledged in time; its PDF is kept."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="letters"
    )
    number = models.CharField(_("letter number"), max_length=60, unique=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    deadline = models.DateField(_("deadline"))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("demand letter")
        verbose_name_plural = _("demand letters")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class PostalDispatch(models.Model):
    """HR's record of posting a demand letter (EMS), with the scanned receipt."""

    letter = models.ForeignKey(
        DemandLetter, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="dispatches"
    )
    carrier = models.CharField(_("carrier"), max_length=40, default="EMS")
    tracking_number = models.CharField(_("tracking number"), max_length=60)
    dispatched_on = models.DateField(_("posted on"))
    receipt = models.FileField(_("scanned receipt"), upload_to="receipts/%Y/", blank=True)
    receipt_sha256 = models.CharField(_("receipt SHA-256"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("postal dispatch")
        verbose_name_plural = _("postal dispatches")
        ordering = ["-dispatched_on"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class NoticeSettings(models.Model):
    """What a company's notices and demand letters say about paying and whom to call."""

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="notice_settings"
    )
    sender_email = models.EmailField(_("sender address"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=60, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("days given to pay"), default=15)
    link_days = models.PositiveSmallIntegerField(_("days a notice link stays valid"), default=30)

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def __str__(self) -> str:
        return str(self.company)
