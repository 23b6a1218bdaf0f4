"""Warning rules (data per company) and the warnings, with the acknowledge and resolve actions
going through the services. The red-flag board for daily work comes with the HR workspace."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import companies_visible
from renshi.alerts import services
from renshi.alerts.models import Alert, AlertEvent, WarningRule
from renshi.alerts.selectors import alert_data, alerts_visible
from renshi.core.errors import CoreError


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "company",
        "threshold",
        "lead_days",
        "severity",
        "escalate_after_days",
        "is_active",
    ]
    list_filter = ["company", "severity", "is_active"]
    list_editable = ["is_active"]
    readonly_fields = ["company", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every company has every rule (installed by the scheduler); edit them

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # turn a rule off instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[WarningRule]:
        rules = super().get_queryset(request).select_related("company")
        if request.user.is_superuser:
            return rules
        return rules.filter(company__in=companies_visible(request.user))


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "severity", "state", "rule", "employee", "amount", "message"]
    list_filter = ["severity", "state", "rule__kind", "company"]
    search_fields = ["employee__number", "employee__name", "cause"]
    inlines = [AlertEventInline]
    actions = ["acknowledge", "resolve"]
    exclude = ["template", "params"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Alert._meta.fields if f.name not in ("template", "params")] + [
            "message"
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        if request.user.is_superuser:
            return super().get_queryset(request)
        return alerts_visible(actor=request.user, standing_only=False)

    @admin.display(description=_("message"))
    def message(self, alert: Alert) -> str:
        return str(alert_data(alert, gettext)["message"])

    def _apply(self, request: HttpRequest, alerts: QuerySet[Alert], name: str) -> None:
        for alert in alerts:
            try:
                getattr(services, f"alert_{name}")(actor=request.user, alert=alert)
            except CoreError as error:
                self.message_user(request, f"{alert}: {error.render(gettext)}", messages.ERROR)

    @admin.action(description=_("Acknowledge the selected warnings"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        self._apply(request, queryset, "acknowledge")

    @admin.action(description=_("Resolve the selected warnings"), permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        self._apply(request, queryset, "resolve")
