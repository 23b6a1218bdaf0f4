"""Calculator pages: a form, the core's result, and errors on the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from renshi.calc import calculations
from renshi.calc.forms import BonusForm, IitForm, PensionForm, SiForm
from renshi.core.errors import CoreError, Message
from renshi.policies.presenters import city_display_name
from renshi.policies.selectors import policy_library


def _calculate(
    request: HttpRequest, form: forms.Form, compute: Callable[..., dict[str, Any]]
) -> dict[str, Any] | None:
    if not request.GET or not form.is_valid():
        return None
    try:
        return compute(**form.cleaned_data)
    except CoreError as error:
        field = error.field if error.field in form.fields else None
        params = dict(error.params)
        if field is not None:  # shown under the field: name it as the form labels it
            params["field"] = str(form.fields[field].label)
        form.add_error(field, Message(error.template, params).render(gettext))
        return None


def _city_choices() -> list[tuple[str, str]]:
    return [
        (code, city_display_name(policy))
        for code, policy in sorted(policy_library().cities.items())
    ]


def si(request: HttpRequest) -> HttpResponse:
    form = SiForm(request.GET or None, cities=_city_choices())
    result = _calculate(request, form, calculations.calc_si)
    return render(request, "calc/si.html", {"form": form, "result": result})


def iit(request: HttpRequest) -> HttpResponse:
    form = IitForm(request.GET or None)
    result = _calculate(request, form, calculations.calc_iit)
    return render(request, "calc/iit.html", {"form": form, "result": result})


def bonus(request: HttpRequest) -> HttpResponse:
    form = BonusForm(request.GET or None)
    result = _calculate(request, form, calculations.calc_bonus)
    return render(request, "calc/bonus.html", {"form": form, "result": result})


def pension(request: HttpRequest) -> HttpResponse:
    form = PensionForm(request.GET or None)
    result = _calculate(request, form, calculations.calc_pension)
    return render(request, "calc/pension.html", {"form": form, "result": result})
