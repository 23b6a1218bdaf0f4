"""The back office's 政策文件 page: import a city's policy file, validated like the CLI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renshi.core.policy_loader import PolicyFileError, parse_policy_text
from renshi.policies.models import PolicyFile
from renshi.policies.services import policy_file_import, policy_file_withdraw


class PolicyFileImportForm(forms.ModelForm):
    upload = forms.FileField(label=_("policy file (TOML)"), required=False)
    content = forms.CharField(
        label=_("or paste its content"), widget=forms.Textarea(attrs={"rows": 20}), required=False
    )

    class Meta:
        model = PolicyFile
        fields = ["note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        text = cleaned.get("content") or ""
        filename = "pasted.toml"
        if upload is not None:
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(gettext("The file is not UTF-8 text.")) from None
            filename = upload.name
        if not text.strip():
            raise forms.ValidationError(gettext("Upload a policy file or paste its content."))
        try:
            parse_policy_text(text, file=filename)
        except PolicyFileError as error:
            raise forms.ValidationError(error.render(gettext)) from None
        cleaned["text"] = text
        cleaned["filename"] = filename
        return cleaned


@admin.register(PolicyFile)
class PolicyFileAdmin(admin.ModelAdmin):
    list_display = ["city", "filename", "is_active", "imported_at", "imported_by", "note"]
    list_filter = ["is_active", "city"]
    search_fields = ["city", "filename", "note"]
    readonly_fields = [
        "city",
        "filename",
        "sha256",
        "is_active",
        "imported_at",
        "imported_by",
        "note",
        "content",
    ]
    actions = ["withdraw"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PolicyFileImportForm
            kwargs["fields"] = ["upload", "content", "note"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["upload", "content", "note"]})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyFile, form: Any, change: bool) -> None:
        if change:  # an import is a record; a new version is a new import
            return
        record, policy = policy_file_import(
            text=form.cleaned_data["text"],
            filename=form.cleaned_data["filename"],
            user=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = record.pk
        obj.__dict__.update({f.attname: getattr(record, f.attname) for f in record._meta.fields})
        counts = policy.confidence_counts()
        messages.success(
            request,
            gettext(
                "Imported %(city)s: %(n)d periods; figures V %(v)d, R %(r)d, U %(u)d, "
                "unknown %(unknown)d."
            )
            % {
                "city": policy.city,
                "n": len(policy.social_insurance),
                "v": counts["V"],
                "r": counts["R"],
                "u": counts["U"],
                "unknown": counts["unknown"],
            },
        )

    @admin.action(description=_("Stop using the selected imports"), permissions=["change"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet[PolicyFile]) -> None:
        for city in set(queryset.filter(is_active=True).values_list("city", flat=True)):
            policy_file_withdraw(city=city)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # imports stay on record
