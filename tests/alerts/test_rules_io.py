"""Warning rules as a JSON file: export, import checked whole, the CLI and the admin pages."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.factories import grant_role, make_company, make_user
from typer.testing import CliRunner

from renshi.access.models import Role
from renshi.alerts import rules_io
from renshi.alerts.cli import register
from renshi.alerts.models import WarningRule
from renshi.alerts.rules_io import (
    RulesFileRejected,
    warning_rules_export,
    warning_rules_import,
    warning_rules_read,
)
from renshi.alerts.services import warning_rules_install_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = make_company(code="acme")
    warning_rules_install_defaults(company=company)
    return company


def _problems(error: RulesFileRejected) -> list[tuple[str, str]]:
    return [(p.location, p.reason.template) for p in error.problems]


def test_an_exported_file_imports_into_another_company_as_the_same_rules(company):
    rule = WarningRule.objects.get(company=company, kind="arrears_over")
    rule.threshold = Decimal("800.00")
    rule.channels = ["sms", "in_app"]
    rule.is_active = False
    rule.save()
    other = make_company(code="beta")

    exported = warning_rules_export(company=company)
    report = warning_rules_import(actor=None, company=other, data=json.loads(json.dumps(exported)))

    assert len(report.created) == len(exported["rules"]) == 8
    again = warning_rules_export(company=other)
    assert again["rules"] == exported["rules"]
    assert again["company"] == "beta"
    arrears = next(r for r in again["rules"] if r["kind"] == "arrears_over")
    assert arrears["threshold"] == "800.00"
    assert arrears["is_active"] is False


def test_importing_the_same_file_changes_nothing(company):
    exported = warning_rules_export(company=company)

    report = warning_rules_import(actor=None, company=company, data=exported)

    assert report.created == report.updated == ()
    assert len(report.unchanged) == 8


def test_a_file_with_one_rule_changes_only_the_fields_it_gives(company):
    before = warning_rules_export(company=company)["rules"]

    report = warning_rules_import(
        actor=None,
        company=company,
        data={"rules": [{"kind": "leave_over_days", "threshold": 15, "lead_days": 2}]},
    )

    assert report.updated == ("leave_over_days",)
    after = warning_rules_export(company=company)["rules"]
    leave = next(r for r in after if r["kind"] == "leave_over_days")
    old = next(r for r in before if r["kind"] == "leave_over_days")
    assert (leave["threshold"], leave["lead_days"]) == ("15.00", 2)
    assert {**leave, "threshold": None, "lead_days": None} == {
        **old,
        "threshold": None,
        "lead_days": None,
    }
    assert [r for r in after if r["kind"] != "leave_over_days"] == [
        r for r in before if r["kind"] != "leave_over_days"
    ]


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(company):
    before = warning_rules_export(company=company)
    data = {
        "version": 2,
        "colour": "red",
        "rules": [
            {"kind": "arrears_over", "threshold": "300", "lead_days": -1},
            {"kind": "no_such_rule"},
            {"kind": "leave_over_days", "channels": ["email", "fax"], "recipients": ["boss"]},
            {"kind": "share_not_covered", "severity": "huge", "is_active": "yes"},
            {"kind": "arrears_over"},
            {"lead_days": 1, "colour": "blue"},
            {"kind": "contribution_deadline", "threshold": 25.5, "escalate_after_days": 1.5},
            {"kind": "base_below_wage", "channels": ["email", "email"], "threshold": "1.234"},
            "not a rule",
        ],
    }

    with pytest.raises(RulesFileRejected) as rejected:
        warning_rules_import(actor=None, company=company, data=data, file="rules.json")

    assert _problems(rejected.value) == [
        ("colour", rules_io.UNKNOWN_FIELD),
        ("version", rules_io.BAD_VERSION),
        ("rules[0].lead_days", rules_io.NOT_WHOLE_NUMBER),
        ("rules[1].kind", rules_io.UNKNOWN_KIND),
        ("rules[2].channels[1]", rules_io.UNKNOWN_CHANNEL),
        ("rules[2].recipients[0]", rules_io.UNKNOWN_RECIPIENT),
        ("rules[3].is_active", rules_io.NOT_BOOLEAN),
        ("rules[3].severity", rules_io.UNKNOWN_SEVERITY),
        ("rules[4].kind", rules_io.DUPLICATE_KIND),
        ("rules[5].colour", rules_io.UNKNOWN_FIELD),
        ("rules[5].kind", rules_io.REQUIRED),
        ("rules[6].escalate_after_days", rules_io.NOT_WHOLE_NUMBER),
        ("rules[6].threshold", rules_io.NOT_AN_AMOUNT),
        ("rules[7].threshold", rules_io.NOT_AN_AMOUNT),
        ("rules[7].channels[1]", rules_io.LISTED_TWICE),
        ("rules[8]", rules_io.NOT_AN_OBJECT),
    ]
    duplicate = rejected.value.problems[8]
    assert duplicate.reason.params == {"value": "arrears_over", "other": 0}
    assert (
        duplicate.message.render() == "rules[4].kind: 'arrears_over' is already given at rules[0]"
    )
    assert rejected.value.render() == "rules.json: 16 problem(s) found; no rule was changed"
    assert warning_rules_export(company=company) == before  # not even rules[0]'s threshold


def test_a_file_that_is_not_json_or_has_no_rules_is_rejected():
    with pytest.raises(RulesFileRejected) as not_json:
        warning_rules_read(b'{"rules": [', file="x.json")
    with pytest.raises(RulesFileRejected) as no_rules:
        warning_rules_import(actor=None, company=make_company(), data={"format": "other"})

    assert _problems(not_json.value) == [("file", rules_io.NOT_JSON)]
    assert _problems(no_rules.value) == [
        ("format", rules_io.BAD_FORMAT),
        ("rules", rules_io.REQUIRED),
    ]


def test_only_those_who_edit_settings_may_import(company):
    finance, hr = make_user("finance"), make_user("hr")
    grant_role(finance, company, Role.FINANCE)
    grant_role(hr, company, Role.HR)
    data = {"rules": [{"kind": "arrears_over", "threshold": "900"}]}

    with pytest.raises(PermissionDenied):
        warning_rules_import(actor=finance, company=company, data=data)
    assert WarningRule.objects.get(company=company, kind="arrears_over").threshold == 500

    warning_rules_import(actor=hr, company=company, data=data)
    assert WarningRule.objects.get(company=company, kind="arrears_over").threshold == 900


# --- the command line ----------------------------------------------------------------------


def _run(*args: str):
    application = typer.Typer()
    register(application, typer.Option(False, "--json"))
    with translation.override("en"):
        return CliRunner().invoke(application, list(args))


def test_the_cli_exports_to_a_file_and_imports_it_back(company, tmp_path: Path):
    out = tmp_path / "rules.json"
    other = make_company(code="beta")

    exported = _run("alerts", "rules", "export", "--company", "acme", "--out", str(out))
    imported = _run("alerts", "rules", "import", "--company", "beta", str(out))

    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["company"] == "acme"
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip() == "8 rule(s) added, 0 changed, 0 unchanged"
    assert (
        warning_rules_export(company=other)["rules"]
        == warning_rules_export(company=company)["rules"]
    )


def test_the_cli_prints_each_problem_on_its_own_line_and_exits_2(company, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rules": [{"kind": "arrears_over", "lead_days": "3"}, {}]}))

    result = _run("alerts", "rules", "import", "--company", "acme", str(bad))

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: bad.json: 2 problem(s) found; no rule was changed",
        "rules[0].lead_days: must be a whole number ≥ 0",
        "rules[1].kind: is required",
    ]


def test_through_renshi_an_unknown_company_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    from renshi.cli import _run_renshi

    with translation.override("en"):
        status = _run_renshi(["alerts", "rules", "export", "--company", "nope"])

    assert status == 2
    assert capsys.readouterr().err == "error: company: no such code 'nope'\n"


# --- the admin -----------------------------------------------------------------------------


def _hr_client(company) -> Client:
    user = make_user("hr-staff", is_staff=True)
    grant_role(user, company, Role.HR)
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_import_page_lists_every_problem_and_changes_nothing(company):
    client = _hr_client(company)
    before = warning_rules_export(company=company)
    upload = SimpleUploadedFile(
        "rules.json", json.dumps({"rules": [{"kind": "nope"}, {"kind": "arrears_over",
        "severity": "loud"}]}).encode(), content_type="application/json",
    )  # fmt: skip

    with translation.override("en"):
        page = client.post(
            reverse("admin:alerts_warningrule_import"), {"company": company.pk, "file": upload}
        )

    assert page.status_code == 200
    assert [p["location"] for p in page.context["problems"]] == [
        "rules[0].kind",
        "rules[1].severity",
    ]
    assert 'id="upload-problems"' in page.content.decode()
    assert warning_rules_export(company=company) == before


def test_the_admin_imports_a_good_file_and_exports_the_rules(company):
    client = _hr_client(company)
    upload = SimpleUploadedFile(
        "rules.json",
        json.dumps({"rules": [{"kind": "arrears_over", "threshold": "650"}]}).encode(),
        content_type="application/json",
    )

    imported = client.post(
        reverse("admin:alerts_warningrule_import"), {"company": company.pk, "file": upload}
    )
    exported = client.get(reverse("admin:alerts_warningrule_export"), {"company": company.pk})

    assert imported.status_code == 302
    assert exported["Content-Type"].startswith("application/json")
    assert "attachment" in exported["Content-Disposition"]
    rules = {r["kind"]: r for r in json.loads(exported.content)["rules"]}
    assert rules["arrears_over"]["threshold"] == "650.00"
    changelist = client.get(reverse("admin:alerts_warningrule_changelist")).content.decode()
    assert reverse("admin:alerts_warningrule_import") in changelist
