"""The back office's roles page: who holds which role in which company (and department)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from renshi.access.models import Role, RoleAssignment


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "company", "role", "department"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        company, role, department = (cleaned.get(n) for n in ("company", "role", "department"))
        if role == Role.MANAGER and department is None:
            self.add_error("department", gettext("A manager needs the department they manage."))
        if role and role != Role.MANAGER and department is not None:
            self.add_error("department", gettext("Only a manager is given a department."))
        if company is not None and department is not None and department.company_id != company.pk:
            self.add_error("department", gettext("The department belongs to another company."))
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "company", "role", "department", "created_at"]
    list_filter = ["company", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "company__name"]
    list_select_related = ["user", "company", "department"]
    raw_id_fields = ["user", "department"]
    readonly_fields = ["created_at"]
