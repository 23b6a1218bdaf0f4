"""Back-payment requests in the back office: read-only, for whoever may see what employees owe
(HR, finance, the SI clerk, auditors), scoped to those employees. Decisions are made on the
workspace pages, through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from renshi.access.checks import Perm, companies_visible, employees_visible, has_perm
from renshi.backpay.models import BackPayEvent, BackPayRequest


def _may_read(request: HttpRequest) -> bool:
    """A company-wide role that sees arrears somewhere (the employee's own access is not one)."""
    user = request.user
    if not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    return any(
        has_perm(user, Perm.ARREARS_VIEW, company=company) for company in companies_visible(user)
    )


class BackPayEventInline(admin.TabularInline):
    model = BackPayEvent
    extra = 0
    fields = ["created_at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_read(request)


@admin.register(BackPayRequest)
class BackPayRequestAdmin(admin.ModelAdmin):
    list_display = ["employee", "months", "grand_total", "state", "created_at", "decided_at"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter), "state"]
    search_fields = ["employee__number", "employee__name"]
    inlines = [BackPayEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BackPayRequest]:
        rows = super().get_queryset(request).select_related("employee")
        if request.user.is_superuser:
            return rows
        condition = Q(pk__in=[])
        for company in companies_visible(request.user):
            visible = employees_visible(request.user, company, Perm.ARREARS_VIEW)
            condition |= Q(employee__in=visible.values("pk"))
        return rows.filter(condition)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_read(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_read(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
