"""The back office for people: every add and edit goes through the services.

The forms here hold no rules. A ``ServiceForm`` has no model fields of its own: its ``clean``
calls the service, whose ``PeopleError`` lands on the form field it names, and the admin's save
step then has nothing left to do. The resident ID and bank account appear masked in lists and
are never put in a form as stored; typing a new one replaces it. Spreadsheet import, batch 减员
and export have their own pages, linked from the employee list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.access.checks import companies_visible, employees_visible
from renshi.core.errors import CoreError
from renshi.people.errors import PeopleError
from renshi.people.identity import mask_bank_account, mask_id_number
from renshi.people.models import (
    Company,
    Contract,
    ContractType,
    Department,
    Employee,
    EmploymentType,
    Enrolment,
    EnrolmentChange,
    EnrolmentState,
    Position,
    TrainingRecord,
)
from renshi.people.services import (
    company_create,
    company_update,
    contract_add,
    department_create,
    department_update,
    employee_onboard,
    employee_update,
    enrolment_change,
    enrolment_confirm_add,
    enrolment_confirm_remove,
    position_create,
    position_update,
    training_add,
)
from renshi.people.spreadsheets import (
    SpreadsheetRejected,
    employees_export,
    employees_import,
    removals_import,
)
from renshi.people.validation import EnrolmentInput


class ServiceForm(forms.ModelForm):
    """A form whose ``clean`` runs a service as ``actor`` and keeps what it returns.

    ``Meta.fields`` is empty, so the model form neither copies values onto the instance nor
    validates it: the service has done both. The admin's change view runs in a transaction.
    """

    actor: Any = None

    class Meta:
        model = Employee
        fields: list[str] = []

    def apply(self, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.instance = self.apply(data)
        except CoreError as error:
            target = error.field if error.field in self.fields else None
            if target is not None and isinstance(error, PeopleError):
                self.add_error(target, error.render_reason(gettext))  # the field names itself
            else:
                self.add_error(None, error.render(gettext))
        except PermissionDenied as error:
            self.add_error(None, str(error))
        return data

    def _post_clean(self) -> None:
        """Skip the model form's instance validation: the service validated and saved."""


def _for_actor(form: type[ServiceForm], request: HttpRequest) -> type[ServiceForm]:
    return type(form.__name__, (form,), {"actor": request.user})


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose add and change forms are ``ServiceForm``s; rows are never deleted here."""

    add_form: type[ServiceForm] | None = None
    change_form: type[ServiceForm] | None = None

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = self.change_form if obj is not None else self.add_form
        if form is None:
            return super().get_form(request, obj, change=change, **kwargs)
        return _for_actor(form, request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The service saved it in ``clean``."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _visible_companies(request: HttpRequest) -> QuerySet[Company]:
    return companies_visible(request.user)


def _visible_employees(request: HttpRequest) -> QuerySet[Employee]:
    employees = Employee.objects.all()
    if request.user.is_superuser:
        return employees
    condition = Q(pk__in=[])
    for company in _visible_companies(request):
        visible = employees_visible(request.user, company)
        condition |= Q(pk__in=visible.values("pk"))
    return employees.filter(condition)


# --- company structure -------------------------------------------------------------------


class CompanyChangeForm(ServiceForm):
    name = forms.CharField(label=_("name"), max_length=200)
    credit_code = forms.CharField(
        label=_("unified social credit code"), max_length=18, required=False
    )
    default_city = forms.CharField(label=_("default city"), help_text=_("e.g. beijing or 北京"))
    payday = forms.IntegerField(label=_("payday"), min_value=1, max_value=31, initial=10)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)

    class Meta(ServiceForm.Meta):
        model = Company

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in self.fields:
                self.initial.setdefault(name, getattr(self.instance, name))

    def apply(self, data: dict[str, Any]) -> models.Model:
        return company_update(actor=self.actor, company=self.instance, **data)


class CompanyAddForm(CompanyChangeForm):
    code = forms.SlugField(label=_("code"), max_length=40)
    field_order = ["code"]

    def apply(self, data: dict[str, Any]) -> models.Model:
        return company_create(actor=self.actor, **data)


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    list_display = ["code", "name", "default_city", "payday"]
    search_fields = ["code", "name"]
    add_form = CompanyAddForm
    change_form = CompanyChangeForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        return _visible_companies(request)


class DepartmentChangeForm(ServiceForm):
    name = forms.CharField(label=_("name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("parent department"), queryset=Department.objects.all(), required=False
    )

    class Meta(ServiceForm.Meta):
        model = Department

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = Department.objects.filter(
                company_id=self.instance.company_id
            ).exclude(pk=self.instance.pk)
            self.initial.update(name=self.instance.name, parent=self.instance.parent_id)

    def apply(self, data: dict[str, Any]) -> models.Model:
        return department_update(actor=self.actor, department=self.instance, **data)


class DepartmentAddForm(DepartmentChangeForm):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())
    code = forms.CharField(label=_("code"), max_length=40)
    field_order = ["company", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_visible(self.actor)
        self.fields["parent"].queryset = Department.objects.filter(
            company__in=self.fields["company"].queryset
        )

    def apply(self, data: dict[str, Any]) -> models.Model:
        return department_create(actor=self.actor, **data)


class UnitAdmin(ServiceAdmin):
    """Departments and positions: the company and code are fixed once created."""

    list_filter = ["company"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company", "code"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(company__in=_visible_companies(request))


@admin.register(Department)
class DepartmentAdmin(UnitAdmin):
    list_display = ["code", "name", "company", "parent"]
    add_form = DepartmentAddForm
    change_form = DepartmentChangeForm


class PositionChangeForm(ServiceForm):
    name = forms.CharField(label=_("name"), max_length=200)

    class Meta(ServiceForm.Meta):
        model = Position

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["name"] = self.instance.name

    def apply(self, data: dict[str, Any]) -> models.Model:
        return position_update(actor=self.actor, position=self.instance, name=data["name"])


class PositionAddForm(PositionChangeForm):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())
    code = forms.CharField(label=_("code"), max_length=40)
    field_order = ["company", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_visible(self.actor)

    def apply(self, data: dict[str, Any]) -> models.Model:
        return position_create(actor=self.actor, **data)


@admin.register(Position)
class PositionAdmin(UnitAdmin):
    list_display = ["code", "name", "company"]
    add_form = PositionAddForm
    change_form = PositionChangeForm


# --- employees ---------------------------------------------------------------------------


class EmployeeChangeForm(ServiceForm):
    name = forms.CharField(label=_("name"), max_length=100)
    id_number = forms.CharField(
        label=_("new resident ID"),
        max_length=40,
        required=False,
        help_text=_("Leave blank to keep the one on file."),
    )
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    email = forms.CharField(label=_("email"), max_length=254, required=False)
    bank_name = forms.CharField(label=_("bank"), max_length=100, required=False)
    bank_account = forms.CharField(
        label=_("new bank account"),
        max_length=40,
        required=False,
        help_text=_("Leave blank to keep the one on file."),
    )
    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.all(), required=False
    )
    position = forms.ModelChoiceField(
        label=_("position"), queryset=Position.objects.all(), required=False
    )
    employment_type = forms.ChoiceField(label=_("employment type"), choices=EmploymentType)
    work_city = forms.CharField(label=_("work city"), help_text=_("e.g. beijing or 北京"))

    class Meta(ServiceForm.Meta):
        model = Employee

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employee = self.instance
        if employee.pk:
            for name in ("name", "phone", "email", "bank_name", "employment_type", "work_city"):
                self.initial.setdefault(name, getattr(employee, name))
            self.initial.update(department=employee.department_id, position=employee.position_id)
            self._limit_to(employee.company_id)

    def _limit_to(self, company_id: int | None) -> None:
        self.fields["department"].queryset = Department.objects.filter(company_id=company_id)
        self.fields["position"].queryset = Position.objects.filter(company_id=company_id)

    def apply(self, data: dict[str, Any]) -> models.Model:
        changes = {k: v for k, v in data.items() if k not in ("id_number", "bank_account") or v}
        return employee_update(actor=self.actor, employee=self.instance, **changes)


class EmployeeAddForm(EmployeeChangeForm):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.all())
    number = forms.CharField(label=_("employee number"), max_length=40)
    id_number = forms.CharField(label=_("resident ID"), max_length=40)
    bank_account = forms.CharField(label=_("bank account"), max_length=40, required=False)
    work_city = forms.CharField(
        label=_("work city"), required=False, help_text=_("Blank: the company's default city.")
    )
    hire_date = forms.DateField(label=_("hire date"))
    base = forms.DecimalField(
        label=_("contribution base"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Give a base to file the 增员; blank only for temporary or flexible workers."),
    )
    city = forms.CharField(
        label=_("social insurance city"), required=False, help_text=_("Blank: the work city.")
    )
    work_injury_class = forms.CharField(
        label=_("industry class (work injury)"), max_length=10, required=False
    )
    housing_fund_rate = forms.CharField(
        label=_("housing fund rate"), required=False, help_text=_("e.g. 0.12 or 12%")
    )
    start_month = forms.CharField(
        label=_("first month"), required=False, help_text=_("YYYY-MM; blank: the hire month.")
    )
    field_order = ["company", "number", "name", "id_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_visible(self.actor)
        self.fields["department"].queryset = Department.objects.filter(
            company__in=self.fields["company"].queryset
        )
        self.fields["position"].queryset = Position.objects.filter(
            company__in=self.fields["company"].queryset
        )

    def apply(self, data: dict[str, Any]) -> models.Model:
        enrolment_keys = ("base", "city", "work_injury_class", "housing_fund_rate", "start_month")
        enrolment = {key: data.pop(key) for key in enrolment_keys}
        return employee_onboard(
            actor=self.actor,
            enrolment=EnrolmentInput(**enrolment) if enrolment["base"] is not None else None,
            **data,
        )


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ["city", "state", "start_month", "end_month", "removal_due_date", "base"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Employee)
class EmployeeAdmin(ServiceAdmin):
    list_display = [
        "number",
        "name",
        "masked_id_number",
        "masked_bank_account",
        "department",
        "employment_type",
        "status",
        "hire_date",
    ]
    list_filter = ["company", "status", "employment_type"]
    search_fields = ["number", "name"]
    add_form = EmployeeAddForm
    change_form = EmployeeChangeForm
    inlines = [EnrolmentInline]
    change_list_template = "admin/people/employee/change_list.html"
    change_readonly = [
        "company",
        "number",
        "masked_id_number",
        "masked_bank_account",
        "gender",
        "birth_date",
        "hire_date",
        "status",
        "leave_date",
        "leave_reason",
    ]

    @admin.display(description=_("resident ID"))
    def masked_id_number(self, obj: Employee) -> str:
        return mask_id_number(obj.id_number_last4)

    @admin.display(description=_("bank account"))
    def masked_bank_account(self, obj: Employee) -> str:
        return mask_bank_account(obj.bank_account_last4)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.change_readonly if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return self.inlines if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employee]:
        employees = super().get_queryset(request).select_related("department")
        return employees.filter(pk__in=_visible_employees(request).values("pk"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="people_employee_import"),
            path("removals/", view(self.removals_view), name="people_employee_removals"),
            path("export/", view(self.export_view), name="people_employee_export"),
            *super().get_urls(),
        ]

    def _upload_page(
        self,
        request: HttpRequest,
        *,
        title: str,
        columns: list[str],
        run: Callable[..., Any],
        done: Callable[[Any], str],
    ) -> HttpResponse:
        form = UploadForm(request.POST or None, request.FILES or None, request=request)
        problems: list[dict[str, Any]] = []
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                result = run(
                    actor=request.user,
                    company=form.cleaned_data["company"],
                    file=form.cleaned_data["file"],
                )
            except SpreadsheetRejected as rejected:
                error = rejected.render(gettext)
                problems = [
                    {
                        "row": p.row,
                        "column": p.column,
                        "header": p.header,
                        "reason": p.reason.render(gettext),
                    }
                    for p in rejected.problems
                ]
            except PermissionDenied as denied:
                error = str(denied)
            else:
                messages.success(request, done(result))
                return HttpResponseRedirect(reverse("admin:people_employee_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "columns": columns,
            "problems": problems,
            "error": error,
        }
        return TemplateResponse(request, "admin/people/employee/upload.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        from renshi.people.spreadsheets import EMPLOYEE_COLUMNS

        return self._upload_page(
            request,
            title=gettext("Import employees (batch 增员)"),
            columns=[c.header for c in EMPLOYEE_COLUMNS],
            run=employees_import,
            done=lambda result: (
                gettext(
                    "Imported %(count)d employee(s); %(enrolments)d enrolment(s) (增员) to file."
                )
                % {"count": result.count, "enrolments": result.enrolment_count}
            ),
        )

    def removals_view(self, request: HttpRequest) -> HttpResponse:
        from renshi.people.spreadsheets import REMOVAL_COLUMNS

        return self._upload_page(
            request,
            title=gettext("Batch removal (减员)"),
            columns=[c.header for c in REMOVAL_COLUMNS],
            run=removals_import,
            done=lambda result: (
                gettext("%(count)d employee(s) leaving; %(removals)d removal(s) (减员) to file.")
                % {"count": result.count, "removals": result.enrolment_count}
            ),
        )

    def export_view(self, request: HttpRequest) -> HttpResponse:
        form = ExportForm(request.GET or None, request=request)
        if form.is_valid():
            company = form.cleaned_data["company"]
            data = employees_export(
                actor=request.user,
                company=company,
                reveal=form.cleaned_data["reveal"],
                include_left=form.cleaned_data["include_left"],
            )
            response = HttpResponse(
                data,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="employees-{company.code}.xlsx"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Export employees"),
            "form": form,
        }
        return TemplateResponse(request, "admin/people/employee/export.html", context)


class UploadForm(forms.Form):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())
    file = forms.FileField(label=_("spreadsheet (.xlsx)"))

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = _visible_companies(request)


class ExportForm(forms.Form):
    company = forms.ModelChoiceField(label=_("company"), queryset=Company.objects.none())
    reveal = forms.BooleanField(
        label=_("resident IDs and bank accounts in full (where you may see them)"),
        required=False,
    )
    include_left = forms.BooleanField(label=_("include employees who have left"), required=False)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = _visible_companies(request)


# --- contracts and training: added through the services, then kept as records ------------


class RecordAdmin(ServiceAdmin):
    list_filter = ["employee__company"]
    search_fields = ["employee__number", "employee__name"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a record; a new contract or training is a new row

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("employee")
        return queryset.filter(employee__in=_visible_employees(request).values("pk"))


class ContractForm(ServiceForm):
    employee = forms.ModelChoiceField(label=_("employee"), queryset=Employee.objects.all())
    contract_type = forms.ChoiceField(label=_("type"), choices=ContractType)
    number = forms.CharField(label=_("contract number"), max_length=60, required=False)
    start_date = forms.DateField(label=_("start date"))
    end_date = forms.DateField(label=_("end date"), required=False)
    probation_end_date = forms.DateField(label=_("end of probation"), required=False)
    signed_date = forms.DateField(label=_("signed on"), required=False)
    attachment = forms.FileField(label=_("attachment"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    class Meta(ServiceForm.Meta):
        model = Contract

    def apply(self, data: dict[str, Any]) -> models.Model:
        return contract_add(actor=self.actor, **data)


@admin.register(Contract)
class ContractAdmin(RecordAdmin):
    list_display = ["employee", "contract_type", "start_date", "end_date", "attachment"]
    add_form = ContractForm


class TrainingForm(ServiceForm):
    employee = forms.ModelChoiceField(label=_("employee"), queryset=Employee.objects.all())
    training_type = forms.CharField(label=_("type"), max_length=60)
    title = forms.CharField(label=_("title"), max_length=200)
    start_date = forms.DateField(label=_("start date"))
    end_date = forms.DateField(label=_("end date"), required=False)
    hours = forms.DecimalField(label=_("hours"), max_digits=6, decimal_places=1, required=False)
    provider = forms.CharField(label=_("provider"), max_length=200, required=False)
    attachment = forms.FileField(label=_("attachment"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    class Meta(ServiceForm.Meta):
        model = TrainingRecord

    def apply(self, data: dict[str, Any]) -> models.Model:
        return training_add(actor=self.actor, **data)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(RecordAdmin):
    list_display = ["employee", "training_type", "title", "start_date", "hours", "attachment"]
    add_form = TrainingForm


# --- enrolments --------------------------------------------------------------------------


class EnrolmentChangeInline(admin.TabularInline):
    model = EnrolmentChange
    fields = ["created_at", "action", "from_state", "to_state", "changes", "reason", "actor"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EnrolmentForm(ServiceForm):
    base = forms.DecimalField(label=_("contribution base"), max_digits=12, decimal_places=2)
    pension_base = forms.DecimalField(
        label=_("pension base"), max_digits=12, decimal_places=2, required=False
    )
    medical_base = forms.DecimalField(
        label=_("medical base"), max_digits=12, decimal_places=2, required=False
    )
    unemployment_base = forms.DecimalField(
        label=_("unemployment base"), max_digits=12, decimal_places=2, required=False
    )
    work_injury_base = forms.DecimalField(
        label=_("work injury base"), max_digits=12, decimal_places=2, required=False
    )
    maternity_base = forms.DecimalField(
        label=_("maternity base"), max_digits=12, decimal_places=2, required=False
    )
    housing_fund_base = forms.DecimalField(
        label=_("housing fund base"), max_digits=12, decimal_places=2, required=False
    )
    housing_fund_rate = forms.DecimalField(
        label=_("housing fund rate"), max_digits=5, decimal_places=4, required=False
    )
    work_injury_class = forms.CharField(label=_("industry class (work injury)"), max_length=10)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

    class Meta(ServiceForm.Meta):
        model = Enrolment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            if name != "reason":
                self.initial.setdefault(name, getattr(self.instance, name))

    def apply(self, data: dict[str, Any]) -> models.Model:
        return enrolment_change(actor=self.actor, enrolment=self.instance, **data)


@admin.register(Enrolment)
class EnrolmentAdmin(ServiceAdmin):
    list_display = [
        "employee",
        "city",
        "state",
        "start_month",
        "end_month",
        "removal_due_date",
        "base",
    ]
    list_filter = ["state", "city", "employee__company"]
    search_fields = ["employee__number", "employee__name"]
    readonly_fields = ["employee", "city", "state", "start_month", "end_month", "removal_due_date"]
    change_form = EnrolmentForm
    inlines = [EnrolmentChangeInline]
    actions = ["confirm_add", "confirm_remove"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an enrolment starts with onboarding

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrolment]:
        queryset = super().get_queryset(request).select_related("employee")
        return queryset.filter(employee__in=_visible_employees(request).values("pk"))

    def _confirm(
        self, request: HttpRequest, queryset: QuerySet[Enrolment], state: str, service: Any
    ) -> None:
        done = 0
        for enrolment in queryset.filter(state=state):
            try:
                service(actor=request.user, enrolment=enrolment)
            except (CoreError, PermissionDenied) as error:
                text = error.render(gettext) if isinstance(error, CoreError) else str(error)
                messages.error(request, f"{enrolment.employee}: {text}")
            else:
                done += 1
        skipped = queryset.exclude(state=state).count()
        messages.info(
            request,
            gettext("%(done)d confirmed; %(skipped)d skipped (not in that state).")
            % {"done": done, "skipped": skipped},
        )

    @admin.action(description=_("Confirm the enrolment (增员) was accepted"))
    def confirm_add(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._confirm(request, queryset, EnrolmentState.PENDING_ADD, enrolment_confirm_add)

    @admin.action(description=_("Confirm the removal (减员) was accepted"))
    def confirm_remove(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._confirm(request, queryset, EnrolmentState.PENDING_REMOVE, enrolment_confirm_remove)
