"""A company's warning rules as a JSON file: export them, import them into a company.

The file (``FORMAT``, version 1)::

    {
      "format": "renshi.warning_rules",
      "version": 1,
      "company": "acme",
      "rules": [
        {
          "kind": "arrears_over",
          "is_active": true,
          "threshold": "500.00",
          "lead_days": 0,
          "severity": "critical",
          "channels": ["email", "in_app"],
          "recipients": ["employee", "hr", "finance"],
          "copy_hr_and_finance": true,
          "escalate_after_days": 7
        }
      ]
    }

One object per rule kind (``RuleKind``), at most once each. ``threshold`` is a decimal string
or a whole number (days, yuan or day of the month, by kind), or ``null``; ``severity``,
``channels`` and ``recipients`` take the values of ``Severity``, ``Channel`` and ``Recipient``.
Only ``kind`` is required: a field left out keeps the rule's current value (the default rule's
for a kind the company does not have yet). ``format``, ``version`` and ``company`` are
optional; ``company`` is informational, so one company's file can be imported into another.

An import checks the whole file first and reports every problem with its place, such as
``rules[2].lead_days`` (rules counted from 0), rejecting the file (``RulesFileRejected``) and
writing nothing; a good file is written in one transaction, and kinds not in it are untouched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from renshi.access.checks import Perm, require
from renshi.alerts.models import Channel, Recipient, RuleKind, Severity, WarningRule
from renshi.alerts.rules import DEFAULT_RULES
from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop
from renshi.people.models import Company

if TYPE_CHECKING:
    from renshi.access.checks import Actor

FORMAT = "renshi.warning_rules"
VERSION = 1
TOP_FIELDS = ("format", "version", "company", "rules")
RULE_FIELDS = (
    "kind",
    "is_active",
    "threshold",
    "lead_days",
    "severity",
    "channels",
    "recipients",
    "copy_hr_and_finance",
    "escalate_after_days",
)
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField
THRESHOLD_DIGITS = 12  # before the point: the model's 14 digits, 2 of them decimals

# Why a value is refused; tests assert on these templates.
NOT_JSON = gettext_noop("not a JSON file ({detail})")
NOT_AN_OBJECT = gettext_noop("must be an object")
NOT_A_LIST = gettext_noop("must be a list")
REQUIRED = gettext_noop("is required")
UNKNOWN_FIELD = gettext_noop("unknown field")
BAD_FORMAT = gettext_noop("must be '{expected}'")
BAD_VERSION = gettext_noop("version {value} is not supported (this Renshi reads {expected})")
UNKNOWN_KIND = gettext_noop("unknown rule kind '{value}'")
DUPLICATE_KIND = gettext_noop("'{value}' is already given at rules[{other}]")
UNKNOWN_SEVERITY = gettext_noop("unknown severity '{value}'")
UNKNOWN_CHANNEL = gettext_noop("unknown channel '{value}'")
UNKNOWN_RECIPIENT = gettext_noop("unknown recipient '{value}'")
LISTED_TWICE = gettext_noop("'{value}' is listed twice")
NOT_BOOLEAN = gettext_noop("must be true or false")
NOT_WHOLE_NUMBER = gettext_noop("must be a whole number ≥ 0")
TOO_LARGE = gettext_noop("must be at most {maximum}")
IMPORTED = gettext_noop("{created} rule(s) added, {updated} changed, {unchanged} unchanged")
NOT_AN_AMOUNT = gettext_noop(
    "must be null, a whole number ≥ 0 or a decimal string ≥ 0 with at most 2 decimals"
)


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One thing wrong with a rules file: where (``rules[2].lead_days``) and why."""

    location: str
    reason: Message

    @property
    def message(self) -> Message:
        params = {"location": self.location, "reason": self.reason}
        return Message(gettext_noop("{location}: {reason}"), params)


class RulesFileRejected(CoreError):
    """The file was refused; ``problems`` lists every reason. Nothing was written."""

    template = gettext_noop("{file}: {count} problem(s) found; no rule was changed")

    def __init__(self, *, problems: Sequence[RuleProblem], file: str = "") -> None:
        self.problems = list(problems)
        super().__init__(field="file", file=file or "-", count=len(self.problems))


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: tuple[str, ...]  # kinds the company did not have
    updated: tuple[str, ...]  # kinds whose rule changed
    unchanged: tuple[str, ...]  # kinds in the file whose rule was already so

    @property
    def count(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def message(self) -> Message:
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }
        return Message(IMPORTED, counts)


def _rule_data(rule: WarningRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "is_active": rule.is_active,
        "threshold": None if rule.threshold is None else f"{rule.threshold:f}",
        "lead_days": rule.lead_days,
        "severity": rule.severity,
        "channels": list(rule.channels),
        "recipients": list(rule.recipients),
        "copy_hr_and_finance": rule.copy_hr_and_finance,
        "escalate_after_days": rule.escalate_after_days,
    }


def warning_rules_export(*, company: Company) -> dict[str, Any]:
    """The company's rules in the file's form, by kind (see the module's docstring)."""
    rules = WarningRule.objects.filter(company=company).order_by("kind")
    return {
        "format": FORMAT,
        "version": VERSION,
        "company": company.code,
        "rules": [_rule_data(rule) for rule in rules],
    }


def warning_rules_read(content: bytes | str, *, file: str = "") -> dict[str, Any]:
    """Parse a rules file's text; a file that is not JSON is rejected as a whole."""
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        detail = (
            f"line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else "not UTF-8"
        )
        problem = RuleProblem("file", Message(NOT_JSON, {"detail": detail}))
        raise RulesFileRejected(problems=[problem], file=file) from None
    return data  # type: ignore[no-any-return]


class _Checker:
    """Collects every problem of a file and the clean values of each rule."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def report(self, location: str, template: str, **params: Any) -> None:
        self.problems.append(RuleProblem(location, Message(template, params)))

    def boolean(self, where: str, value: object) -> bool | None:
        if isinstance(value, bool):
            return value
        self.report(where, NOT_BOOLEAN)
        return None

    def whole(self, where: str, value: object) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.report(where, NOT_WHOLE_NUMBER)
            return None
        if value > SMALL_INT_MAX:
            self.report(where, TOO_LARGE, maximum=SMALL_INT_MAX)
            return None
        return value

    def threshold(self, where: str, value: object) -> Decimal | None:
        if value is None:
            return None
        # Floats are refused, as for every amount in Renshi: 0.1 is not what it looks like.
        amount: Decimal | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            amount = Decimal(value)
        elif isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                amount = None
        if (
            amount is None
            or not amount.is_finite()
            or amount < 0
            or amount.as_tuple().exponent < -2  # type: ignore[operator]
            or amount >= Decimal(10) ** THRESHOLD_DIGITS
        ):
            self.report(where, NOT_AN_AMOUNT)
            return None
        return amount

    def choice(self, where: str, value: object, choices: Any, template: str) -> str | None:
        if isinstance(value, str) and value in choices.values:
            return value
        self.report(where, template, value=value)
        return None

    def choices(self, where: str, value: object, choices: Any, template: str) -> list[str] | None:
        if not isinstance(value, list):
            self.report(where, NOT_A_LIST)
            return None
        clean: list[str] = []
        is_good = True
        for index, item in enumerate(value):
            if self.choice(f"{where}[{index}]", item, choices, template) is None:
                is_good = False
            elif item in clean:
                self.report(f"{where}[{index}]", LISTED_TWICE, value=item)
                is_good = False
            else:
                clean.append(item)
        return clean if is_good else None


def _check_top(checker: _Checker, data: object) -> list[Any]:
    """The file's envelope; returns its rules (empty when they cannot be read)."""
    if not isinstance(data, dict):
        checker.report("file", NOT_AN_OBJECT)
        return []
    for key in data:
        if key not in TOP_FIELDS:
            checker.report(str(key), UNKNOWN_FIELD)
    if "format" in data and data["format"] != FORMAT:
        checker.report("format", BAD_FORMAT, expected=FORMAT)
    if "version" in data and data["version"] != VERSION:
        checker.report("version", BAD_VERSION, value=data["version"], expected=VERSION)
    if "rules" not in data:
        checker.report("rules", REQUIRED)
        return []
    if not isinstance(data["rules"], list):
        checker.report("rules", NOT_A_LIST)
        return []
    return data["rules"]


def _check_rule(checker: _Checker, where: str, rule: dict[str, Any]) -> dict[str, Any]:
    """The rule's clean values, by field; a field with a problem is left out."""
    clean: dict[str, Any] = {}
    for key in rule:
        if key not in RULE_FIELDS:
            checker.report(f"{where}.{key}", UNKNOWN_FIELD)
    checks: dict[str, Any] = {
        "is_active": checker.boolean,
        "copy_hr_and_finance": checker.boolean,
        "lead_days": checker.whole,
        "escalate_after_days": checker.whole,
        "threshold": checker.threshold,
        "severity": lambda w, v: checker.choice(w, v, Severity, UNKNOWN_SEVERITY),
        "channels": lambda w, v: checker.choices(w, v, Channel, UNKNOWN_CHANNEL),
        "recipients": lambda w, v: checker.choices(w, v, Recipient, UNKNOWN_RECIPIENT),
    }
    for key, check in checks.items():
        if key not in rule:
            continue
        before = len(checker.problems)
        value = check(f"{where}.{key}", rule[key])
        if len(checker.problems) == before:
            clean[key] = value
    return clean


def _check(data: object) -> tuple[dict[str, dict[str, Any]], list[RuleProblem]]:
    """Every rule's clean values by kind, and every problem found in the file."""
    checker = _Checker()
    rules = _check_top(checker, data)
    by_kind: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        where = f"rules[{index}]"
        if not isinstance(rule, dict):
            checker.report(where, NOT_AN_OBJECT)
            continue
        clean = _check_rule(checker, where, rule)
        kind = rule.get("kind")
        if "kind" not in rule:
            checker.report(f"{where}.kind", REQUIRED)
        elif not isinstance(kind, str) or kind not in RuleKind.values:
            checker.report(f"{where}.kind", UNKNOWN_KIND, value=kind)
        elif kind in seen:
            checker.report(f"{where}.kind", DUPLICATE_KIND, value=kind, other=seen[kind])
        else:
            seen[kind] = index
            by_kind[kind] = clean
    return by_kind, checker.problems


def _default_values(kind: str) -> dict[str, Any]:
    default = next(d for d in DEFAULT_RULES if d.kind == kind)
    return {
        "threshold": default.threshold,
        "lead_days": default.lead_days,
        "severity": default.severity,
        "channels": list(default.channels),
        "recipients": list(default.recipients),
        "copy_hr_and_finance": default.copy_hr_and_finance,
        "escalate_after_days": default.escalate_after_days,
    }


def warning_rules_import(
    *, actor: Actor, company: Company, data: dict[str, Any], file: str = ""
) -> ImportReport:
    """Set the company's rules from a rules file's data: all of them, or none if the file
    has any problem (``RulesFileRejected`` lists them all)."""
    require(actor, Perm.SETTINGS_EDIT, company=company)
    by_kind, problems = _check(data)
    if problems:
        raise RulesFileRejected(problems=problems, file=file)
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with transaction.atomic():
        existing = {
            rule.kind: rule
            for rule in WarningRule.objects.select_for_update().filter(company=company)
        }
        for kind, values in by_kind.items():
            rule = existing.get(kind)
            if rule is None:
                WarningRule.objects.create(
                    company=company, kind=kind, **{**_default_values(kind), **values}
                )
                created.append(kind)
                continue
            changed = [name for name, value in values.items() if getattr(rule, name) != value]
            if not changed:
                unchanged.append(kind)
                continue
            for name in changed:
                setattr(rule, name, values[name])
            rule.save(update_fields=[*changed, "updated_at"])
            updated.append(kind)
    return ImportReport(created=tuple(created), updated=tuple(updated), unchanged=tuple(unchanged))
