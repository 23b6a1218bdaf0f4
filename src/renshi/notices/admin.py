"""The back office for notices: each company's notice settings and its employees' verified
addresses are edited here; everything else is proof (what was sent, to which address, what the
provider answered, each opening, the acknowledgement, the letters and their posting) and can
be looked at, filtered and searched, never added, changed or deleted.

Lists are scoped like the case page (``renshi.alerts.case``): the companies where the user may
follow up arrears (``Perm.ARREARS_VIEW``); the settings and addresses are changed only by those
who may edit the company's settings or its people.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import Perm, companies_visible, has_perm, recorded_user
from renshi.notices.models import (
    Acknowledgement,
    ContactAddress,
    Delivery,
    DeliveryAttempt,
    DemandLetter,
    Notice,
    NoticeOpening,
    NoticeSettings,
    PostalDispatch,
)
from renshi.people.models import Company, Employee


def _companies(request: HttpRequest, perm: Perm = Perm.ARREARS_VIEW) -> list[Company]:
    return [c for c in companies_visible(request.user) if has_perm(request.user, perm, company=c)]


class ScopedAdmin(admin.ModelAdmin):
    """Rows of the companies the user follows up arrears in; ``company_path`` leads there."""

    company_path = "company"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{f"{self.company_path}__in": _companies(request)})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # proof of what was said to whom is kept


class ProofAdmin(ScopedAdmin):
    """Kept as it happened: viewed, filtered and searched only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- what HR sets -----------------------------------------------------------------------------


@admin.register(NoticeSettings)
class NoticeSettingsAdmin(ScopedAdmin):
    list_display = ["company", "sender_email", "contact_person", "contact_phone", "payment_days"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or has_perm(request.user, Perm.SETTINGS_EDIT, company=obj.company)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "company":
            ids = [c.pk for c in _companies(request, Perm.SETTINGS_EDIT)]
            kwargs["queryset"] = Company.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ContactAddress)
class ContactAddressAdmin(ScopedAdmin):
    company_path = "employee__company"
    list_display = ["employee", "kind", "address", "verification", "verified_at", "verified_by"]
    list_filter = ["kind", "verified_at", "employee__company"]
    search_fields = ["employee__number", "employee__name", "address"]
    list_select_related = ["employee", "verified_by"]
    raw_id_fields = ["employee"]
    readonly_fields = ["verified_by", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or has_perm(
            request.user, Perm.PEOPLE_EDIT, company=obj.employee.company, employee=obj.employee
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Deliveries point at the address they used: it is not rewritten, a new one is added.
        fixed = ["employee", "kind", "address"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "employee" and not request.user.is_superuser:
            kwargs["queryset"] = Employee.objects.filter(
                company__in=_companies(request, Perm.PEOPLE_EDIT)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Who vouched for the binding is whoever recorded how it was verified.
        if {"verification", "verified_at"} & set(form.changed_data) and obj.verified_at:
            obj.verified_by = recorded_user(request.user)
        super().save_model(request, obj, form, change)


# --- the proof ------------------------------------------------------------------------------


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["channel", "address", "is_copy", "state", "attempts", "sent_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ProofAdmin):
    list_display = ["created_at", "employee", "subject", "amount", "deadline", "state"]
    list_filter = ["state", "created_at", "company"]
    search_fields = ["employee__number", "employee__name", "subject"]
    list_select_related = ["employee"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ProofAdmin):
    company_path = "notice__company"
    list_display = ["notice", "channel", "address", "is_copy", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "is_copy", "sent_at"]
    search_fields = ["notice__employee__number", "notice__employee__name", "address"]
    list_select_related = ["notice__employee"]


class BytesAdmin(ProofAdmin):
    """Binary proof is shown by its size and hash; the bytes stay in the database."""

    bytes_field = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer(self.bytes_field)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [self.bytes_field]

    @admin.display(description=_("size (bytes)"))
    def size(self, obj: Model) -> int:
        return len(getattr(obj, self.bytes_field))  # loads the deferred bytes of this one row


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(BytesAdmin):
    company_path = "delivery__notice__company"
    bytes_field = "payload"
    list_display = ["at", "delivery", "outcome", "provider_message_id", "sha256"]
    list_filter = ["outcome", "delivery__channel", "at"]
    search_fields = [
        "delivery__notice__employee__number",
        "delivery__notice__employee__name",
        "sha256",
    ]
    list_select_related = ["delivery"]
    readonly_fields = ["size"]


@admin.register(NoticeOpening)
class NoticeOpeningAdmin(ProofAdmin):
    company_path = "link__notice__company"
    list_display = ["at", "notice", "ip", "user_agent", "is_expired"]
    list_filter = ["is_expired", "at"]
    search_fields = ["link__notice__employee__number", "link__notice__employee__name", "ip"]
    list_select_related = ["link__notice__employee"]
    exclude = ["link"]  # the token's hash: of no use to a reader
    readonly_fields = ["notice"]

    @admin.display(description=_("notice"))
    def notice(self, obj: NoticeOpening) -> Notice:
        return obj.link.notice


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ProofAdmin):
    company_path = "notice__company"
    list_display = ["at", "notice", "user", "ip", "text_sha256"]
    list_filter = ["at"]
    search_fields = ["notice__employee__number", "notice__employee__name"]
    list_select_related = ["notice__employee", "user"]


@admin.register(DemandLetter)
class DemandLetterAdmin(BytesAdmin):
    company_path = "notice__company"
    bytes_field = "pdf"
    list_display = ["number", "employee", "amount", "deadline", "created_at", "sha256"]
    list_filter = ["created_at", "deadline", "notice__company"]
    search_fields = ["number", "notice__employee__number", "notice__employee__name", "sha256"]
    list_select_related = ["notice__employee"]
    readonly_fields = ["size", "download"]

    @admin.display(description=_("employee"))
    def employee(self, obj: DemandLetter) -> Employee:
        return obj.notice.employee

    @admin.display(description=_("PDF"))
    def download(self, obj: DemandLetter) -> str:
        url = reverse("alerts:case-letter", args=[obj.notice.employee.number, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.number)


@admin.register(PostalDispatch)
class PostalDispatchAdmin(ProofAdmin):
    company_path = "letter__notice__company"
    list_display = ["dispatched_on", "letter", "carrier", "tracking_number", "recorded_by"]
    list_filter = ["carrier", "dispatched_on"]
    search_fields = [
        "tracking_number",
        "letter__number",
        "letter__notice__employee__number",
        "letter__notice__employee__name",
    ]
    list_select_related = ["letter", "recorded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PostalDispatch]:
        return super().get_queryset(request).defer("letter__pdf")
