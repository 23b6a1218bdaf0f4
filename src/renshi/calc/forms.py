"""Calculator forms: every field is text, parsed by the core like the CLI and the API."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def _text(label: str, *, required: bool = True, initial: str = "", help_text: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        initial=initial,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class SiForm(forms.Form):
    city = forms.ChoiceField(label=_("City"), widget=forms.Select(attrs={"class": "form-select"}))
    month = _text(_("Month (YYYY-MM)"), initial="2025-08")
    wage = _text(_("Monthly wage"), initial="10000")
    base = _text(_("Declared base (optional)"), required=False)
    housing_fund_rate = _text(_("Housing fund rate (optional, e.g. 0.12)"), required=False)
    work_injury_class = _text(_("Work injury industry class (optional)"), required=False)

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = cities


class IitForm(forms.Form):
    year = _text(_("Tax year"), initial="2025")
    monthly_income = _text(_("Monthly wage income"), initial="30000")
    special_deductions = _text(
        _("Special deductions (employee social insurance and housing fund), monthly"),
        initial="4500",
    )
    additional_deductions = _text(_("Special additional deductions, monthly"), initial="2000")
    start_month = _text(_("First month with this employer"), initial="1")
    is_first_job_this_year = forms.BooleanField(
        label=_("First wage income this year (公告2020年第13号)"), required=False
    )
    is_under_60k = forms.BooleanField(
        label=_("Earned at most 60,000 here last year (公告2020年第19号)"), required=False
    )


class BonusForm(forms.Form):
    amount = _text(_("Annual one-time bonus"), initial="36001")
    annual_taxable = _text(
        _("Annual taxable wage income without the bonus (optional, to compare merging)"),
        required=False,
    )


class PensionForm(forms.Form):
    birth = _text(_("Birth month (YYYY-MM)"), initial="1970-05")
    gender = forms.ChoiceField(
        label=_("Category"),
        choices=[
            ("male", _("Man")),
            ("female", _("Woman, original age 55")),
            ("female_worker", _("Woman, original age 50")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    avg_wage = _text(_("Provincial average monthly wage"), initial="10000")
    contribution_index = _text(_("Average contribution index"), initial="1.0")
    years = _text(_("Contribution years"), initial="30")
    account_balance = _text(_("Personal account balance"), initial="200000")
    gap_months = _text(_("Gap months (optional)"), required=False, initial="0")
    gap_base = _text(_("Base during the gap (optional)"), required=False)
