"""The employee's leave request form: parsing and field checks only; the rules are services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renshi.attendance.models import LeaveType
from renshi.people.models import Employee


class LeaveRequestForm(forms.Form):
    leave_type = forms.ModelChoiceField(
        queryset=LeaveType.objects.none(),
        label=_("leave type"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start_date = forms.DateField(
        label=_("first day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    end_date = forms.DateField(
        label=_("last day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leave_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = LeaveType.objects.filter(
            company_id=employee.company_id, is_active=True
        ).order_by("code")
