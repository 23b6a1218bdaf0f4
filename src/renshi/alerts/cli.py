"""``renshi tick`` (everything due at a moment), ``renshi alerts list`` and
``renshi alerts rules export|import`` (a company's warning rules as a JSON file).

The commands run as the system (``actor=None``). A rejected rules file prints one line per
problem and exits with status 2, as a rejected spreadsheet does.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

if TYPE_CHECKING:
    from renshi.alerts.services import TickReport

console = Console()
REJECTED_EXIT_CODE = 2


class TimeFormatError(CoreError):
    template = gettext_noop("{field}: '{value}' is not an ISO date and time")


def parse_now(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise TimeFormatError(field="now", value=value) from None
    if timezone.is_naive(moment):  # a wall-clock time is read in the company's time zone
        moment = timezone.make_aware(moment)
    return moment


def register(app: typer.Typer, json_option: Any) -> None:
    alerts = typer.Typer(help=_("Early warnings: list what stands."), no_args_is_help=True)
    app.add_typer(alerts, name="alerts")
    rules = typer.Typer(
        help=_("A company's warning rules as a JSON file: export, import."), no_args_is_help=True
    )
    alerts.add_typer(rules, name="rules")
    _rules_commands(rules, json_option)

    @app.command("tick", help=_("Run everything that is due now (or at --now); idempotent."))
    def tick(
        now: str = typer.Option("", help=_("the moment, ISO 8601 (default: now)")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.alerts.services import alert_tick

        report = alert_tick(now=parse_now(now) if now else None)
        data = {"now": report.now.isoformat(), **report.counts()}
        if as_json:
            from renshi.cli import print_json

            print_json(data)
            return
        summary = _("%(now)s: %(raised)s raised, %(resolved)s resolved, %(standing)s standing")
        console.print(summary % data, markup=False, highlight=False)
        console.print(_tick_evidence_line(report), markup=False, highlight=False)

    @alerts.command("list", help=_("Standing warnings (all with --all), newest first."))
    def alerts_list(
        company: str = typer.Option("", help=_("company code")),
        include_closed: bool = typer.Option(False, "--all", help=_("include closed warnings")),
        as_json: bool = json_option,
    ) -> None:
        from renshi.alerts.selectors import alert_data, alerts_visible

        rows = [
            alert_data(alert, _)
            for alert in alerts_visible(
                actor=None, company_code=company or None, standing_only=not include_closed
            )
        ]
        if as_json:
            from renshi.cli import print_json

            print_json(rows)
            return
        table = Table(title=_("Warnings"))
        for column in (_("employee"), _("rule"), _("amount"), _("state"), _("message")):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["employee"] or "", _(row["rule"]), row["amount"] or "", _(row["state"]),
                row["message"],
            )  # fmt: skip
        console.print(table)


def _tick_evidence_line(report: TickReport) -> str:
    """What the tick did to the evidence log: a checkpoint signed or not, and its timestamp."""
    if report.checkpoint_size is None:
        line = _("evidence: no new checkpoint due")
    else:
        line = _("evidence: checkpoint signed at size %(size)s") % {"size": report.checkpoint_size}
    if report.timestamped:
        line += _("; the latest checkpoint is timestamped")
    elif report.timestamp_error:
        line += _("; no timestamp: %(error)s") % {"error": report.timestamp_error}
    return line


def _company(code: str) -> Any:
    from renshi.people.errors import UnknownCodeError
    from renshi.people.models import Company

    company = Company.objects.filter(code=code.strip()).first()
    if company is None:
        raise UnknownCodeError(field="company", value=code)
    return company


def _rules_commands(rules: typer.Typer, json_option: Any) -> None:
    company_option = typer.Option(..., "--company", help=_("company code"))
    out_option = typer.Option(
        None, "--out", dir_okay=False, help=_("the file to write (default: print it)")
    )
    file_argument = typer.Argument(..., exists=True, dir_okay=False, help=_("the .json file"))

    @rules.command("export", help=_("Write the company's warning rules as JSON."))
    def rules_export(
        company: str = company_option,
        out: Path | None = out_option,
    ) -> None:
        from renshi.alerts.rules_io import warning_rules_export

        text = json.dumps(
            warning_rules_export(company=_company(company)), ensure_ascii=False, indent=2
        )
        if out is None:
            print(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")

    @rules.command(
        "import",
        help=_(
            "Set the company's warning rules from a JSON file. The whole file is checked "
            "first; any problem rejects it and no rule is changed."
        ),
    )
    def rules_import(
        file: Path = file_argument,
        company: str = company_option,
        as_json: bool = json_option,
    ) -> None:
        from renshi.alerts.rules_io import (
            RulesFileRejected,
            warning_rules_import,
            warning_rules_read,
        )

        target = _company(company)
        try:
            data = warning_rules_read(file.read_bytes(), file=file.name)
            report = warning_rules_import(actor=None, company=target, data=data, file=file.name)
        except RulesFileRejected as rejected:
            _print_rejected(rejected, as_json)
            raise typer.Exit(REJECTED_EXIT_CODE) from None
        summary = {
            "created": list(report.created),
            "updated": list(report.updated),
            "unchanged": list(report.unchanged),
        }
        if as_json:
            from renshi.cli import print_json

            print_json(summary)
            return
        print(report.message.render(_))


def _print_rejected(rejected: Any, as_json: bool) -> None:
    if as_json:
        from renshi.cli import print_json

        print_json(
            {
                "error": rejected.render(_),
                "problems": [
                    {"location": p.location, "reason": p.reason.render(_)}
                    for p in rejected.problems
                ],
            }
        )
        return
    print(_("error: %(message)s") % {"message": rejected.render(_)}, file=sys.stderr)
    for problem in rejected.problems:
        print(problem.message.render(_), file=sys.stderr)
