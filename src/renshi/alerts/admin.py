"""Warning rules (data per company) and the warnings, with the acknowledge and resolve actions
going through the services. The red-flag board for daily work comes with the HR workspace.

The rules list links to an import page (a JSON rules file, checked whole, every problem listed)
and an export that downloads a company's rules in the same form (``renshi.alerts.rules_io``).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import companies_visible
from renshi.alerts import services
from renshi.alerts.models import Alert, AlertEvent, WarningRule
from renshi.alerts.rules_io import (
    RulesFileRejected,
    warning_rules_export,
    warning_rules_import,
    warning_rules_read,
)
from renshi.alerts.selectors import alert_data, alerts_visible
from renshi.core.errors import CoreError
from renshi.people.models import Company


class RulesFileForm(forms.Form):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())
    file = forms.FileField(label=_("rules file (.json)"))

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_visible(request.user)


class RulesExportForm(forms.Form):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_visible(request.user)


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
    change_list_template = "admin/alerts/warningrule/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every company has every rule (installed by the scheduler); edit them

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # turn a rule off instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[WarningRule]:
        rules = super().get_queryset(request).select_related("company")
        if request.user.is_superuser:
            return rules
        return rules.filter(company__in=companies_visible(request.user))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"can_import_rules": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="alerts_warningrule_import"),
            path("export/", view(self.export_view), name="alerts_warningrule_export"),
            *super().get_urls(),
        ]

    def _page(self, request: HttpRequest, template: str, **context: Any) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, f"admin/alerts/warningrule/{template}", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = RulesFileForm(request.POST or None, request.FILES or None, request=request)
        problems: list[dict[str, str]] = []
        error = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = warning_rules_read(upload.read(), file=upload.name)
                report = warning_rules_import(
                    actor=request.user,
                    company=form.cleaned_data["company"],
                    data=data,
                    file=upload.name,
                )
            except RulesFileRejected as rejected:
                error = rejected.render(gettext)
                problems = [
                    {"location": p.location, "reason": p.reason.render(gettext)}
                    for p in rejected.problems
                ]
            except PermissionDenied as denied:
                error = str(denied)
            else:
                messages.success(request, report.message.render(gettext))
                return HttpResponseRedirect(reverse("admin:alerts_warningrule_changelist"))
        return self._page(
            request,
            "import.html",
            title=gettext("Import warning rules"),
            form=form,
            problems=problems,
            error=error,
        )

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RulesExportForm(request.GET or None, request=request)
        if form.is_valid():
            company = form.cleaned_data["company"]
            text = json.dumps(warning_rules_export(company=company), ensure_ascii=False, indent=2)
            response = HttpResponse(text + "\n", content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=f"warning-rules-{company.code}.json"
            )
            return response
        return self._page(request, "export.html", title=gettext("Export warning rules"), form=form)


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
