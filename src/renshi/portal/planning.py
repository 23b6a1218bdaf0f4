"""The portal's planning pages: the pension simulator and the knowledge base.

The simulator is the public pension calculator (``renshi.calc``) prefilled from the visitor's
records and extended with what only they know (earlier employers, the years ahead); the core
does every calculation. Both pages answer an htmx request with the part of the page that
changes and a plain request with the whole page, so they work without JavaScript too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi import clock
from renshi.calc.calculations import parse_int, pension_result_dict
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import format_money, parse_money, parse_non_negative
from renshi.core.months import Month
from renshi.core.pension import (
    CareerProjection,
    PensionEstimate,
    RetirementCategory,
    career_projection,
    minimum_years_shortfall_months,
    pension_estimate,
    statutory_retirement,
)
from renshi.people.models import Employee
from renshi.portal import knowledge
from renshi.portal.access import portal_page
from renshi.portal.planning_records import (
    INDEX_QUANTUM,
    YEARS_QUANTUM,
    PensionRecord,
    month_of,
    pension_record,
)

CATEGORY_LABELS = {
    RetirementCategory.MALE: _("Man (60 → 63)"),
    RetirementCategory.FEMALE_CADRE: _("Woman, managerial or technical post (55 → 58)"),
    RetirementCategory.FEMALE_WORKER: _("Woman, production post (50 → 55)"),
}
DEFAULT_GAP_MONTHS = 3
# The chart's gaps: up to three years, by quarter (a gap between two jobs is counted in months).
CHART_GAP_MONTHS = tuple(range(0, 37, 3))
MAX_GAP_MONTHS = 600

# The core names its inputs; the form names what the visitor types. An error on a combined
# value (years so far = here + before) goes to the field the visitor can change.
_FORM_FIELD = {
    "average_wage": "avg_wage",
    "years_so_far": "years_before",
    "account_so_far": "account_before",
    "contribution_years": "future_years",
    "contribution_index": "future_index",
    "account_balance": "account_before",
    "gap_base": "future_index",
    "month": "birth",
    "age_in_months": "birth",
}

SHORT_OF_MINIMUM = gettext_noop(
    "{years} contribution years in all fall short of the minimum of {minimum} for a pension "
    "starting in {year}: {missing} months are missing. Keep contributing until the minimum is "
    "reached (or pay the rest in a lump sum) to draw a monthly pension."
)


def _text(label: Any, *, help_text: Any = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )


class PensionSimulatorForm(forms.Form):
    """Text fields parsed by the core, like the public calculator's; errors name the field."""

    birth = _text(_("Birth month (YYYY-MM)"))
    category = forms.ChoiceField(
        label=_("Retirement category"), widget=forms.Select(attrs={"class": "form-select"})
    )
    avg_wage = _text(
        _("Average monthly wage (pension base)"),
        help_text=_("Your province's figure at retirement; by default the city's ceiling ÷ 3."),
    )
    years_here = _text(_("Contribution years with this company"))
    account_here = _text(_("Personal account built here"))
    index_so_far = _text(
        _("Average contribution index so far"),
        help_text=_("Your base ÷ the average wage: between 0.6 and 3."),
    )
    years_before = _text(_("Contribution years with earlier employers"))
    account_before = _text(_("Personal account from earlier employers"))
    future_years = _text(
        _("Years still to contribute"),
        help_text=_("Leave empty: every month until your retirement month."),
        required=False,
    )
    future_index = _text(_("Expected contribution index from now on"))
    gap_months = _text(_("Months of a gap to weigh"))

    def __init__(self, *args: Any, categories: list[RetirementCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [(c.value, CATEGORY_LABELS[c]) for c in categories]
        self.fields["gap_months"].widget.attrs["inputmode"] = "numeric"
        self.fields["birth"].widget.attrs["inputmode"] = "text"


def _years(months: int) -> Decimal:
    return (Decimal(max(months, 0)) / 12).quantize(YEARS_QUANTUM)


def initial_values(record: PensionRecord) -> dict[str, str]:
    """The form as the records fill it: what Renshi cannot know starts at zero, and the years
    ahead are left to follow the retirement month of the category chosen."""
    index = f"{record.index:f}" if record.index is not None else "1.00"
    return {
        "birth": str(record.birth),
        "category": record.default_category.value,
        "avg_wage": format_money(record.average_wage.amount) if record.average_wage else "",
        "years_here": f"{record.years_here:f}",
        "account_here": format_money(record.account_here),
        "index_so_far": index,
        "years_before": "0",
        "account_before": "0",
        "future_years": "",
        "future_index": index,
        "gap_months": str(DEFAULT_GAP_MONTHS),
    }


def _estimate(
    *, birth: Month, category: RetirementCategory, wage: Decimal, career: CareerProjection,
    future_index: Decimal, gap_months: int,
) -> PensionEstimate:  # fmt: skip
    return pension_estimate(
        birth=birth,
        category=category,
        average_wage=wage,
        contribution_index=career.contribution_index,
        contribution_years=career.contribution_years,
        account_balance=career.account_balance,
        gap_months=gap_months,
        # A gap's months would have been paid at the expected base from now on.
        gap_base=wage * future_index if gap_months else None,
    )


def simulate(values: dict[str, str], *, today_month: Month) -> dict[str, Any]:
    """The simulator's result for the form's text values; raises the core's errors."""
    birth = Month.parse(values["birth"], field="birth")
    category = RetirementCategory(values["category"])
    if not values.get("future_years"):
        retirement = statutory_retirement(birth=birth, category=category)
        values = {**values, "future_years": f"{_years(today_month.months_until(retirement.month))}"}
    wage = parse_money(values["avg_wage"], field="avg_wage")
    amounts = {
        name: parse_money(values[name], field=name)
        for name in ("index_so_far", "future_index", "future_years")
    }
    # Each part on its own must not be negative, not only their sum.
    for name in ("years_here", "account_here", "years_before", "account_before"):
        amounts[name] = parse_non_negative(values[name], field=name)
    gap_months = parse_int(values["gap_months"], field="gap_months", low=0, high=MAX_GAP_MONTHS)
    career = career_projection(
        average_wage=wage,
        years_so_far=amounts["years_here"] + amounts["years_before"],
        index_so_far=amounts["index_so_far"],
        account_so_far=amounts["account_here"] + amounts["account_before"],
        future_years=amounts["future_years"],
        future_index=amounts["future_index"],
    )
    common: dict[str, Any] = {
        "birth": birth,
        "category": category,
        "wage": wage,
        "career": career,
        "future_index": amounts["future_index"],
    }
    estimate = _estimate(**common, gap_months=gap_months)
    result = pension_result_dict(estimate)
    result["career"] = {
        "years": f"{career.contribution_years.quantize(YEARS_QUANTUM):f}",
        "index": f"{career.contribution_index.quantize(INDEX_QUANTUM):f}",
        "account_balance": format_money(career.account_balance),
        "future_contributions": format_money(career.future_contributions),
        "future_years": values["future_years"],
        "average_wage": format_money(wage),
    }
    result["short_of_minimum"] = None
    if not estimate.is_minimum_years_met:
        months = int(career.contribution_years * 12)
        result["short_of_minimum"] = Message(
            SHORT_OF_MINIMUM,
            {
                "years": result["career"]["years"],
                "minimum": f"{estimate.minimum_contribution_years:f}",
                "year": estimate.retirement.month.year,
                "missing": minimum_years_shortfall_months(
                    contributed_months=months,
                    minimum_years=estimate.minimum_contribution_years,
                ),
            },
        ).render(gettext)
    result["chart"] = _chart(common, estimate)
    return result


def _chart(common: dict[str, Any], estimate: PensionEstimate) -> dict[str, Any]:
    """Monthly pension by months of gap, split into its two parts; amounts as strings."""
    points = []
    for months in CHART_GAP_MONTHS:
        gap = _estimate(**common, gap_months=months).gap_cost if months else None
        basic_loss = gap.basic_pension_loss if gap else Decimal(0)
        personal_loss = gap.personal_account_pension_loss if gap else Decimal(0)
        points.append(
            {
                "months": months,
                "basic": format_money(estimate.basic_pension - basic_loss),
                "personal": format_money(estimate.personal_account_pension - personal_loss),
            }
        )
    return {
        "points": points,
        "labels": {
            "basic": gettext("Basic pension"),
            "personal": gettext("Personal account pension"),
            "axis": gettext("Months of gap"),
            "title": gettext("Monthly pension by months of gap"),
        },
    }


def _compute(form: PensionSimulatorForm, *, today_month: Month) -> dict[str, Any] | None:
    if not form.is_valid():
        return None
    try:
        return simulate(form.cleaned_data, today_month=today_month)
    except CoreError as error:
        name = _FORM_FIELD.get(error.field or "", error.field)
        field = name if name in form.fields else None
        params = dict(error.params)
        if field is not None:  # shown under the field: name it as the form labels it
            params["field"] = str(form.fields[field].label)
        form.add_error(field, Message(error.template, params).render(gettext))
        return None


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@portal_page
def pension(request: HttpRequest, employee: Employee) -> HttpResponse:
    today = timezone.localdate(clock.now())
    record = pension_record(employee, today=today)
    initial = initial_values(record)
    # Fields missing from the query keep their prefilled value, so a link can set one alone.
    data = {**initial, **{key: request.GET[key] for key in initial if key in request.GET}}
    form = PensionSimulatorForm(data, categories=record.categories)
    result = _compute(form, today_month=month_of(today))
    context = {
        "form": form,
        "result": result,
        "record": record,
        "portal_employee": employee,
        "portal_section": "pension",
    }
    if is_htmx(request):
        return render(request, "portal/planning/_pension_panel.html", context)
    return render(request, "portal/planning/pension.html", context)


@portal_page
def help_index(request: HttpRequest, employee: Employee) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    results = knowledge.search(query) if query else list(knowledge.articles())
    context = {
        "query": query,
        "results": [(article, article.local()) for article in results],
        "portal_employee": employee,
        "portal_section": "help",
    }
    if is_htmx(request):
        return render(request, "portal/planning/_help_results.html", context)
    return render(request, "portal/planning/help.html", context)


@portal_page
def help_article(request: HttpRequest, employee: Employee, slug: str) -> HttpResponse:
    article = knowledge.article_get(slug)
    if article is None:
        raise Http404(gettext("No such article."))
    language = knowledge.language_key()
    # A claim's sources are referred to by their number in the article's list of sources.
    numbers = {source.id: number for number, source in enumerate(article.sources, start=1)}
    claims = [
        {
            "text": claim.text[language],
            "confidence": claim.confidence,
            "sources": [
                (numbers[source.id], source) for source in knowledge.cited_sources(article, claim)
            ],
        }
        for claim in article.claims
    ]
    return render(
        request,
        "portal/planning/help_article.html",
        {
            "article": article,
            "text": article.local(language),
            "claims": claims,
            "portal_employee": employee,
            "portal_section": "help",
        },
    )
